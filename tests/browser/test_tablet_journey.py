"""Issue 12, the shared group tablet: the manager links a tablet to Vlinders from its own browser; staff
switch to themselves with their PIN; after the idle minutes (short here) the tablet locks back to the
group's screen, and a half-filled entry form comes back for the same person, not for a colleague."""

import pytest

from devices import services
from observations.models import Observation
from staff.models import User
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

NOTE = "Zocht na het vallen niemand op en bleef stil zitten."


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
    assert page.get_by_text("Deze pincode klopt niet. Nog 4 pogingen.").is_visible()
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
    assert page.get_by_text("Je half ingevulde waarneming staat weer klaar.").is_visible()
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
    assert page.get_by_text("Je half ingevulde waarneming staat weer klaar.").count() == 0

    # Someone else unlocked in between: Lotte's draft is gone too.
    page.get_by_role("button", name="Vergrendelen").click()
    page.wait_for_url("**/tablet/**")
    unlock(page, "Lotte Jansen", "2580")
    page.wait_for_url("**/groepen/*/")
    open_form(page, "Zoë Peters")
    assert page.locator('[data-pillar="comfort_seeking"]').get_by_label("Wat zag je?").input_value() == ""
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
