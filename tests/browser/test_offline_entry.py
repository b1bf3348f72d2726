"""Issue 12, entries that survive a lost connection: the entry form keeps its draft while typing; saved
without a connection, the entry waits on the device with its submission key, the page says so, and it
is sent once when the connection is back. (Without JavaScript the form posts as always:
test_logging_journey.py.)"""

import json
import uuid

import pytest

from children.models import Child
from observations.models import Observation
from observations.services import RatingInput, observation_create
from organisations.calendar import today
from staff.models import User
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

NOTE = "Liep bij het ophalen zonder omkijken naar een onbekende ouder."
KEPT = "Ze is op dit apparaat bewaard en wordt verstuurd zodra er weer verbinding is."


def open_form(page, live_server, child_name):
    log_in(page, live_server, "medewerker@example.org")
    page.get_by_role("link", name="Vlinders").first.click()
    page.wait_for_url("**/groepen/*/")
    page.get_by_role("link", name=child_name).first.click()
    page.wait_for_url("**/waarnemingen/nieuw/")


def fill_strangers(page):
    pillar = page.locator('[data-pillar="strangers"]')
    pillar.get_by_text("gaat met iedereen mee", exact=True).click()
    pillar.get_by_text("duidelijk", exact=True).click()
    pillar.get_by_label("Wat zag je?").fill(NOTE)


def outbox(page):
    return json.loads(page.evaluate("localStorage.getItem('outbox:v1') || '[]'"))


def test_an_entry_saved_offline_waits_and_is_sent_once_when_back_online(page, live_server, demo_data, output_dir):
    open_form(page, live_server, "Zoë Peters")
    zoe = Child.objects.get(first_name="Zoë")
    before = Observation.objects.filter(child=zoe).count()
    fill_strangers(page)
    key = page.locator("input[name=submission_key]").input_value()

    page.context.set_offline(True)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    status = page.locator(".outbox-status")
    status.get_by_text("Waarneming van Zoë wacht op verbinding").wait_for()
    assert KEPT in status.inner_text()
    assert page.url.endswith("/waarnemingen/nieuw/")  # still here, nothing lost
    assert Observation.objects.filter(child=zoe).count() == before
    waiting = outbox(page)
    assert [entry["key"] for entry in waiting] == [key]
    # The form is fresh, with a key of its own, for the next entry.
    assert page.locator("input[name=submission_key]").input_value() not in ("", key)
    assert page.locator('[data-pillar="strangers"] input[value=""]').first.is_checked()
    problems = []
    shoot(page, output_dir, "offline-waiting", problems, scope=".outbox-status")
    assert problems == [] and html_errors(output_dir, ["offline-waiting"]) == []

    page.wait_for_timeout(3000)  # the explanation stays while the entry waits, not a toast
    assert KEPT in status.inner_text()

    page.context.set_offline(False)
    page.get_by_text("De waarneming van Zoë is opgeslagen.").wait_for()
    assert outbox(page) == []
    saved = Observation.objects.filter(child=zoe, submission_key=key)
    assert Observation.objects.filter(child=zoe).count() == before + 1 and saved.count() == 1
    observation = saved.get()
    assert observation.observer.email == "medewerker@example.org"
    assert [(r.pillar, r.value, r.note) for r in observation.ratings.all()] == [("strangers", 2, NOTE)]
    shoot(page, output_dir, "offline-sent")


def test_an_entry_that_reached_the_server_before_the_line_dropped_is_not_saved_twice(page, live_server, demo_data):
    open_form(page, live_server, "Levi Hendriks")
    levi = Child.objects.get(first_name="Levi")
    fill_strangers(page)
    key = page.locator("input[name=submission_key]").input_value()
    page.context.set_offline(True)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.get_by_text("Waarneming van Levi wacht op verbinding").wait_for()
    # Meanwhile the same entry arrived after all (say, the answer was lost on the way back).
    observation_create(
        child=levi,
        observer=User.objects.get(email="medewerker@example.org"),
        date=today(),
        situation="free_play",
        circumstances=[],
        ratings=[RatingInput(pillar="strangers", kind="high", strength="clear", note=NOTE)],
        submission_key=uuid.UUID(key),
    )
    count = Observation.objects.filter(child=levi).count()
    page.context.set_offline(False)
    page.get_by_text("De waarneming van Levi is opgeslagen.").wait_for()
    assert outbox(page) == []
    assert Observation.objects.filter(child=levi).count() == count
    assert Observation.objects.filter(submission_key=key).count() == 1


def test_a_waiting_entry_is_saved_once_when_the_page_reloads_as_the_connection_returns(page, live_server, demo_data):
    open_form(page, live_server, "Nora van Leeuwen")
    nora = Child.objects.get(first_name="Nora")
    before = Observation.objects.filter(child=nora).count()
    fill_strangers(page)
    page.context.set_offline(True)
    page.get_by_role("button", name="Opslaan en volgend kind").click()
    page.get_by_text("Waarneming van Nora wacht op verbinding").wait_for()
    page.context.set_offline(False)
    # Reload at once: whichever page sends it (the one going or the one coming), it is saved once.
    page.reload()
    page.wait_for_function("() => !localStorage.getItem('outbox:v1')")
    assert Observation.objects.filter(child=nora).count() == before + 1


def test_the_form_keeps_its_draft_while_typing_and_cancel_drops_it(page, live_server, demo_data):
    open_form(page, live_server, "Zoë Peters")
    fill_strangers(page)
    page.reload()
    pillar = page.locator('[data-pillar="strangers"]')
    assert pillar.get_by_label("Wat zag je?").input_value() == NOTE
    assert pillar.locator('input[value="high"]').is_checked()
    assert pillar.locator('input[value="clear"]').is_checked()
    assert page.get_by_text("is teruggezet").is_visible()

    page.get_by_role("link", name="Annuleren").click()
    page.wait_for_url("**/kinderen/*/")
    page.go_back()
    page.wait_for_url("**/waarnemingen/nieuw/")
    page.reload()
    assert page.locator('[data-pillar="strangers"]').get_by_label("Wat zag je?").input_value() == ""


def test_a_saved_draft_does_not_come_back(page, live_server, demo_data):
    open_form(page, live_server, "Zoë Peters")
    fill_strangers(page)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    page.wait_for_url("**/groepen/*/")
    assert page.get_by_text("Waarneming van Zoë opgeslagen.").is_visible()
    page.get_by_role("link", name="Zoë Peters").first.click()
    page.wait_for_url("**/waarnemingen/nieuw/")
    assert page.locator('[data-pillar="strangers"]').get_by_label("Wat zag je?").input_value() == ""
    assert page.get_by_text("is teruggezet").count() == 0
