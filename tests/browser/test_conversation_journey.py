"""Issue 11: the coach records a parent conversation with an agreement that asks the group to watch a
pillar; the next staff member who opens the group's day view sees the child marked, and the entry form
puts that pillar first."""

import re

import pytest

from children.models import Child
from conversations.models import Conversation
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_coach_records_a_conversation_and_staff_see_the_focus(browser, page, live_server, demo_data, output_dir):
    # A child of Vlinders whose mentor is not the staff member who logs in later: she sees only the
    # agreements meant for the group, not the parents' words.
    child = (
        Child.objects.filter(placements__group__name="Vlinders")
        .exclude(mentorships__mentor__email="medewerker@example.org")
        .exclude(first_name="Daan")  # Daan already has the demo conversation
        .order_by("first_name")
        .first()
    )
    log_in(page, live_server, "coach@example.org")
    page.goto(f"{live_server.url}/kinderen/{child.pk}/")
    page.get_by_role("link", name="Oudergesprek vastleggen").click()
    page.get_by_label("Wie waren erbij").fill("moeder, mentor, coach")
    page.get_by_label("Wat vertelden de ouders").fill("Thuis is er druk met haar nieuwe zusje.")
    first = page.locator("fieldset.agreement-row").first
    first.get_by_label("Wat is afgesproken").fill("Bij het brengen neemt de mentor het kind even apart.")
    first.get_by_label("Wie", exact=True).fill("mentor")
    first.get_by_label("Terugkijken op").fill("2099-01-01")
    first.get_by_label("De medewerkers van de groep zien deze afspraak").check()
    first.get_by_text("Vraag de groep een paar weken op pijlers te letten").click()
    first.get_by_label("Reactie bij hereniging").check()
    first.get_by_label("aantal weken").fill("4")
    # (A full-page screenshot before the click leaves Debian's chromium unable to submit: take it after.)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/gesprekken/\d+/$"))
    page.screenshot(path=str(output_dir / "conversation-saved.png"), full_page=True)
    assert page.get_by_text("Het gesprek is opgeslagen.").is_visible()
    conversation = Conversation.objects.get(child=child)
    assert conversation.agreements.get().focus_pillars == ["reunion"]

    staff = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL")
    staff_page = staff.new_page()
    log_in(staff_page, live_server, "medewerker@example.org")
    staff_page.get_by_role("link", name="Vlinders").first.click()
    row = staff_page.locator("li.list-group-item", has_text=child.full_name)
    assert "Reactie bij hereniging" in row.locator(".focus-mark").inner_text()
    staff_page.screenshot(path=str(output_dir / "day-view-focus-390.png"), full_page=True)
    row.get_by_role("link", name=child.full_name).click()
    first_pillar = staff_page.locator("fieldset.pillar").first
    assert first_pillar.get_attribute("data-pillar") == "reunion"
    child_page = staff_page.goto(f"{live_server.url}/kinderen/{child.pk}/")
    assert child_page.ok
    assert staff_page.get_by_text("Bij het brengen neemt de mentor het kind even apart.").is_visible()
    assert staff_page.get_by_text("nieuwe zusje").count() == 0  # the parents' words are not for the group
    staff.close()
