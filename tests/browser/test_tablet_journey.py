"""Issues 12 and 22, the shared group tablet: the manager links a tablet to Vlinders from its own browser;
staff switch to themselves with their PIN; after the idle minutes (short here) the tablet locks back to
the group's screen, and a half-filled entry form comes back for the same person, not for a colleague,
whoever unlocked in between. Wrong PINs slow down only the person they were typed for; a save that
meets a locked tablet is kept and saved once after the PIN."""

import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

from children.models import Child
from devices import services
from devices.middleware import SESSION_SEEN
from devices.models import Tablet
from observations.models import Observation
from staff.models import User
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

NOTE = "Zocht na het vallen niemand op en bleef stil zitten."


RESTORED = "is teruggezet"  # "Je concept van 10:42 is teruggezet."
NOTE_JOOST = "Keek bij het afscheid nog even om en ging toen spelen."


def tablet_drafts(page):
    return page.evaluate("Object.keys(localStorage).filter((key) => key.startsWith('draft:v2:')).sort()")


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def unlock(page, name, pin):
    page.get_by_role("link", name=name).click()
    page.wait_for_url("**/tablet/medewerker/*/**")
    page.get_by_label("Je pincode").fill(pin)
    page.get_by_role("button", name="Ontgrendelen").click()


def open_form(page, child_name):
    page.get_by_role("link", name=child_name).first.click()
    page.wait_for_url("**/waarnemingen/nieuw/")


@pytest.fixture
def tablet(browser, live_server, demo_data, settings):
    settings.TABLET_IDLE_MINUTES = 0.1  # six seconds
    for email, pin in (("medewerker@example.org", "2580"), ("joost@example.org", "4680")):
        services.set_pin(User.objects.get(email=email), pin)
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_tablet_locks_when_idle_and_keeps_a_half_filled_form_for_its_author_only(tablet, live_server, output_dir):
    page = tablet
    problems = []
    # The manager links the tablet, on the tablet.
    log_in(page, live_server, "manager@example.org")
    page.get_by_role("link", name="Groepstablets").click()
    page.get_by_role("combobox", name="Groep").select_option(label="Vlinders (Kindercentrum De Vlinder)")
    page.get_by_label("Naam van deze tablet").fill("Tablet Vlinders")
    shoot(page, output_dir, "tablet-register")
    page.get_by_role("button", name="Koppel dit apparaat als groepstablet").click()
    page.wait_for_url("**/tablet/")
    assert page.get_by_text("Dit apparaat is nu de groepstablet van Vlinders.").is_visible()
    assert page.get_by_role("heading", name="Wie ben jij?").is_visible()
    names = page.locator(".tablet-name").all_inner_texts()
    assert names == ["Joost Bakker", "Lotte Jansen", "Priya Ramdin"]  # the staff of Vlinders, nobody else
    assert no_sideways_scroll(page)
    shoot(page, output_dir, "tablet-screen", problems)

    # Lotte switches to herself and starts an entry for Zoë.
    page.get_by_role("link", name="Lotte Jansen").click()
    page.get_by_label("Je pincode").fill("1111")
    page.get_by_role("button", name="Ontgrendelen").click()
    assert page.get_by_text("Deze pincode klopt niet. Probeer het opnieuw.").is_visible()
    shoot(page, output_dir, "tablet-pin", problems)
    page.get_by_label("Je pincode").fill("2580")
    page.get_by_role("button", name="Ontgrendelen").click()
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    pillar = page.locator('[data-pillar="comfort_seeking"]')
    pillar.get_by_text("zoekt geen troost", exact=True).click()
    pillar.get_by_label("Wat zag je?").fill(NOTE)

    # Nobody touches the tablet: it locks itself back to the group's screen.
    page.wait_for_url("**/tablet/?*", timeout=20_000)
    assert page.get_by_role("heading", name="Wie ben jij?").is_visible()
    assert page.get_by_role("link", name="Vergrendelen").count() == 0
    lotte = page.get_by_role("link", name="Lotte Jansen")
    assert lotte.get_by_text("Verder waar je was").is_visible()
    shoot(page, output_dir, "tablet-locked", problems)

    # Lotte comes back: her half-filled form is there again.
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/waarnemingen/nieuw/")
    pillar = page.locator('[data-pillar="comfort_seeking"]')
    assert pillar.get_by_label("Wat zag je?").input_value() == NOTE
    assert pillar.locator('input[value="low"]').is_checked()
    assert page.get_by_text(RESTORED).is_visible()
    assert page.get_by_role("button", name="Concept weggooien").is_visible()
    shoot(page, output_dir, "tablet-restored", problems, scope=".outbox-status")

    # She hands over; Joost opens the same child's form: empty.
    page.get_by_role("button", name="Vergrendelen").click()
    page.wait_for_url("**/tablet/**")
    unlock(page, "Joost Bakker", "4680")
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    pillar = page.locator('[data-pillar="comfort_seeking"]')
    assert pillar.locator('input[value=""]').first.is_checked()  # not seen
    assert pillar.get_by_label("Wat zag je?").input_value() == ""
    assert page.get_by_text(RESTORED).count() == 0

    # Someone else unlocked in between: Lotte's draft still waits for her; she discards it.
    page.get_by_role("button", name="Vergrendelen").click()
    page.wait_for_url("**/tablet/**")
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    assert page.locator('[data-pillar="comfort_seeking"]').get_by_label("Wat zag je?").input_value() == NOTE
    page.get_by_role("button", name="Concept weggooien").click()
    page.wait_for_load_state("load")
    assert page.locator('[data-pillar="comfort_seeking"]').get_by_label("Wat zag je?").input_value() == ""
    assert tablet_drafts(page) == []
    assert not Observation.objects.filter(ratings__note=NOTE).exists()

    # The password way in (no PIN for Priya), then every screen of the tablet checked.
    page.get_by_role("button", name="Vergrendelen").click()
    page.get_by_role("link", name="Priya Ramdin").click()
    page.get_by_label("Je wachtwoord").wait_for()
    shoot(page, output_dir, "tablet-password", problems)
    assert problems == []
    assert html_errors(output_dir, ["tablet-screen", "tablet-pin", "tablet-locked", "tablet-password"]) == []


def test_staff_set_their_pin_on_their_own_page(page, live_server, demo_data, output_dir):
    log_in(page, live_server, "priya@example.org")
    page.get_by_role("link", name="Pincode").click()
    page.get_by_label("Je wachtwoord").fill("demo")
    page.get_by_label("Nieuwe pincode").first.fill("3691")
    page.get_by_label("Nieuwe pincode nog een keer").fill("3691")
    page.get_by_role("button", name="Pincode opslaan").click()
    assert page.get_by_text("Je pincode is opgeslagen.").is_visible()
    assert page.get_by_text("Je pincode werkt tot").is_visible()
    assert no_sideways_scroll(page)
    problems = []
    shoot(page, output_dir, "tablet-pin-settings", problems)
    assert problems == []
    assert html_errors(output_dir, ["tablet-pin-settings"]) == []
    user = User.objects.get(email="priya@example.org")
    assert services.pin_status(user).has_pin


def write(page, child_name, kind_text, note):
    open_form(page, child_name)
    pillar = page.locator('[data-pillar="comfort_seeking"]')
    pillar.get_by_text(kind_text, exact=True).click()
    pillar.get_by_text("duidelijk", exact=True).click()
    pillar.get_by_label("Wat zag je?").fill(note)


def lock(page):
    page.get_by_role("button", name="Vergrendelen").click()
    page.wait_for_url("**/tablet/**")


def turn(page, width):
    """The tablet at a phone's, a tablet's or a desktop's width (the journeys run through all three)."""
    page.set_viewport_size({"width": width, "height": 844 if width < 400 else 1024})


def whose(page):
    """The name in the navigation: whose session is open."""
    return page.locator(".app-nav-user").inner_text().split(":")[-1].strip()


@pytest.fixture
def linked_tablet(tablet, live_server, settings):
    """The tablet linked to Vlinders; it does not lock itself during these tests."""
    settings.TABLET_IDLE_MINUTES = 5
    page = tablet
    log_in(page, live_server, "manager@example.org")
    page.get_by_role("link", name="Groepstablets").click()
    page.get_by_role("combobox", name="Groep").select_option(label="Vlinders (Kindercentrum De Vlinder)")
    page.get_by_label("Naam van deze tablet").fill("Tablet Vlinders")
    page.get_by_role("button", name="Koppel dit apparaat als groepstablet").click()
    page.wait_for_url("**/tablet/")
    return page


def test_two_staff_interleave_drafts_on_one_tablet_and_both_survive(linked_tablet, live_server, output_dir):
    page = linked_tablet
    # Lotte starts an entry for Zoë on a phone's width, and locks.
    turn(page, 390)
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    write(page, "Zoë Peters", "zoekt geen troost", NOTE)
    assert whose(page) == "Lotte Jansen"
    lock(page)
    # Joost unlocks at a desktop's width: Zoë's form is empty for him; he starts his own entry for her, and locks.
    turn(page, 1280)
    unlock(page, "Joost Bakker", "4680")
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    assert whose(page) == "Joost Bakker"
    pillar = page.locator('[data-pillar="comfort_seeking"]')
    assert pillar.get_by_label("Wat zag je?").input_value() == "" and page.get_by_text(RESTORED).count() == 0
    pillar.get_by_text("zoekt en duwt weg", exact=True).click()
    pillar.get_by_text("duidelijk", exact=True).click()
    pillar.get_by_label("Wat zag je?").fill(NOTE_JOOST)
    lock(page)
    assert len(tablet_drafts(page)) == 2
    # Lotte unlocks (at a tablet's width) and opens Zoë's form again: her draft, not Joost's.
    turn(page, 768)
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    pillar = page.locator('[data-pillar="comfort_seeking"]')
    assert pillar.get_by_label("Wat zag je?").input_value() == NOTE
    assert pillar.locator('input[value="low"]').is_checked() and not pillar.locator('input[value="high"]').is_checked()
    status = page.locator(".outbox-status")
    assert "Je concept van" in status.inner_text() and RESTORED in status.inner_text()
    problems = []
    shoot(page, output_dir, "tablet-draft-back", problems, scope=".outbox-status", widths=(390, 768, 1280))
    lock(page)
    # Joost likewise, on a phone's width: his draft, not Lotte's.
    turn(page, 390)
    unlock(page, "Joost Bakker", "4680")
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    pillar = page.locator('[data-pillar="comfort_seeking"]')
    assert pillar.get_by_label("Wat zag je?").input_value() == NOTE_JOOST
    assert pillar.locator('input[value="high"]').is_checked() and pillar.locator('input[value="clear"]').is_checked()
    # He saves his: it arrives once, and only his draft goes.
    zoe = Child.objects.get(first_name="Zoë")
    before = Observation.objects.filter(child=zoe).count()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_url("**/groepen/*/")
    assert page.get_by_text("Waarneming van Zoë opgeslagen.").is_visible()
    assert Observation.objects.filter(child=zoe).count() == before + 1
    assert Observation.objects.filter(ratings__note=NOTE_JOOST).count() == 1
    drafts = tablet_drafts(page)
    assert len(drafts) == 1 and f":{User.objects.get(email='medewerker@example.org').pk}:" in drafts[0]
    lock(page)
    # Lotte's still waits (at a desktop's width); unlinking the tablet takes it away.
    turn(page, 1280)
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    assert page.locator('[data-pillar="comfort_seeking"]').get_by_label("Wat zag je?").input_value() == NOTE
    lock(page)
    Tablet.objects.update(revoked_at=timezone.now())
    page.reload()
    page.get_by_role("heading", name="Dit apparaat is geen groepstablet").wait_for()
    page.wait_for_function("() => !Object.keys(localStorage).some((key) => key.startsWith('draft:v2:'))")
    assert problems == [] and html_errors(output_dir, ["tablet-draft-back"]) == []


def test_an_entry_saved_after_the_tablet_locked_arrives_exactly_once(linked_tablet, live_server, output_dir):
    page = linked_tablet
    turn(page, 390)  # on a phone's width: the save bar at the top of the form
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    write(page, "Zoë Peters", "zoekt geen troost", NOTE)
    zoe = Child.objects.get(first_name="Zoë")
    before = Observation.objects.filter(child=zoe).count()
    key = page.locator("input[name=submission_key]").input_value()
    # The tablet slept past its idle minutes before the page could lock itself.
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_SEEN] = time.time() - 3600
    session.save()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.get_by_role("heading", name="Opnieuw inloggen om op te slaan").wait_for()
    assert page.get_by_text("Je waarneming is nog niet opgeslagen.").is_visible()
    assert page.get_by_text("Je logt in als Lotte Jansen.").is_visible()
    assert Observation.objects.filter(child=zoe).count() == before
    problems = []
    shoot(page, output_dir, "tablet-save-after-lock", problems, widths=(390, 768, 1280))
    turn(page, 390)
    page.get_by_label("Je pincode").fill("1357")
    page.get_by_role("button", name="Ontgrendelen en opslaan").click()
    page.get_by_text("Deze pincode klopt niet.").first.wait_for()
    assert page.get_by_text("Je waarneming is nog niet opgeslagen.").is_visible()
    assert Observation.objects.filter(child=zoe).count() == before
    page.get_by_label("Je pincode").fill("2580")
    page.get_by_role("button", name="Ontgrendelen en opslaan").click()
    page.wait_for_url("**/groepen/*/")
    assert page.get_by_text("Waarneming van Zoë opgeslagen.").is_visible()
    assert Observation.objects.filter(child=zoe).count() == before + 1
    assert tablet_drafts(page) == []
    # The same entry sent again with its key (a retry, at a desktop's width): still one.
    turn(page, 1280)
    write(page, "Zoë Peters", "zoekt geen troost", NOTE)
    page.locator("input[name=submission_key]").evaluate("(input, key) => { input.value = key; }", key)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_url("**/groepen/*/")
    assert page.get_by_text("Deze waarneming van Zoë was al opgeslagen.").is_visible()
    assert Observation.objects.filter(child=zoe).count() == before + 1
    saved = Observation.objects.get(child=zoe, submission_key=key)
    assert saved.observer.email == "medewerker@example.org" and saved.ratings.get().note == NOTE
    assert tablet_drafts(page) == []
    assert problems == [] and html_errors(output_dir, ["tablet-save-after-lock"]) == []


def test_wrong_pins_delay_only_their_person_then_ask_for_the_password_and_are_told(
    linked_tablet, live_server, output_dir, settings
):
    settings.TABLET_PIN_FIRST_PAUSE_SECONDS = 2
    settings.TABLET_PIN_MAX_TRIES = 5
    page = linked_tablet
    turn(page, 390)  # Lotte's wrong PINs on a phone's width
    page.get_by_role("link", name="Lotte Jansen").click()
    for _ in range(3):
        page.get_by_label("Je pincode").fill("1357")
        page.get_by_role("button", name="Ontgrendelen").click()
        page.get_by_text("Deze pincode klopt niet. Probeer het opnieuw.").wait_for()
    page.get_by_label("Je pincode").fill("1357")
    page.get_by_role("button", name="Ontgrendelen").click()
    page.get_by_text("over 2 seconden opnieuw proberen").wait_for()
    problems = []
    shoot(page, output_dir, "tablet-pin-wait", problems, widths=(390, 768, 1280))
    # Lotte's wrong PINs do not delay Joost (at a desktop's width).
    turn(page, 1280)
    page.get_by_role("link", name="Ik ben niet Lotte").click()
    unlock(page, "Joost Bakker", "4680")
    page.wait_for_url("**/groepen/*/")
    assert page.get_by_text("verkeerde pincode").count() == 0
    lock(page)
    # Past the pause, Lotte's fifth wrong PIN asks for her password on this tablet.
    time.sleep(2.2)
    page.get_by_role("link", name="Lotte Jansen").click()
    page.get_by_label("Je pincode").fill("1357")
    page.get_by_role("button", name="Ontgrendelen").click()
    page.get_by_text("Er is te vaak een verkeerde pincode voor jou ingevoerd op deze tablet.").wait_for()
    shoot(page, output_dir, "tablet-pin-password", problems, widths=(390, 768, 1280))
    page.get_by_label("Je wachtwoord").fill("demo")
    page.get_by_role("button", name="Ontgrendelen").click()
    page.wait_for_url("**/groepen/*/")
    told = page.get_by_text("Er is 5 keer een verkeerde pincode voor jou ingevoerd op deze tablet sinds")
    assert told.is_visible()
    shoot(page, output_dir, "tablet-pin-told", problems, scope=".messages", widths=(390, 768, 1280))
    lock(page)
    # Her PIN works again, and there is nothing more to tell.
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    assert page.get_by_text("verkeerde pincode").count() == 0
    assert problems == []
    assert html_errors(output_dir, ["tablet-pin-wait", "tablet-pin-password", "tablet-pin-told"]) == []


def test_a_save_left_on_the_sign_in_page_stays_a_draft(linked_tablet, live_server):
    page = linked_tablet
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    write(page, "Zoë Peters", "zoekt geen troost", NOTE)
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_SEEN] = time.time() - 3600
    session.save()
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.get_by_role("heading", name="Opnieuw inloggen om op te slaan").wait_for()
    page.wait_for_function(
        "() => Object.keys(localStorage)"
        ".some((k) => k.startsWith('draft:v2:') && !JSON.parse(localStorage[k]).submitted)"
    )
    # Lotte walks away; later she unlocks, passes the group's page and opens Zoë's form: her draft is back.
    page.goto(f"{live_server.url}/tablet/")
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    assert page.locator('[data-pillar="comfort_seeking"]').get_by_label("Wat zag je?").input_value() == NOTE
    assert page.get_by_text(RESTORED).is_visible()
