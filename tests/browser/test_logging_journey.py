"""Issue 3 journey: a staff member logs a one-pillar observation from the group page and finds it on
the child's timeline. Also: the form without JavaScript, and by keyboard."""

import pytest

from observations.models import Observation
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

NOTE = "Stootte haar knie en bleef stil zitten, zocht niemand op."


def open_form_for(page, live_server, child_name):
    log_in(page, live_server, "medewerker@example.org")
    page.get_by_role("link", name="Vlinders").first.click()
    page.wait_for_url("**/groepen/*/")
    page.get_by_role("link", name=child_name).click()
    page.wait_for_url("**/waarnemingen/nieuw/")


def test_staff_member_logs_a_one_pillar_observation(page, live_server, demo_data, output_dir):
    open_form_for(page, live_server, "Zoë Peters")
    assert page.get_by_role("heading", name="Nieuwe waarneming van Zoë Peters").is_visible()
    pillar = page.locator('[data-pillar="comfort_seeking"]')
    # Strength and note appear only once a direction is chosen (progressive enhancement).
    assert not pillar.get_by_text("duidelijk", exact=True).is_visible()
    page.screenshot(path=str(output_dir / "entry-form.png"), full_page=True)

    pillar.get_by_text("zoekt geen troost", exact=True).click()  # tap 1: the low pole, by its name
    pillar.get_by_text("duidelijk", exact=True).click()  # tap 2
    pillar.get_by_label("Wat zag je?").fill(NOTE)
    page.get_by_text("drukke groep", exact=True).click()
    page.screenshot(path=str(output_dir / "entry-form-filled.png"), full_page=True)
    page.get_by_role("button", name="Opslaan", exact=True).click()  # tap 3
    page.wait_for_url("**/groepen/*/")
    assert page.get_by_text("Waarneming van Zoë opgeslagen.").is_visible()

    observation = Observation.objects.get(note="", ratings__note=NOTE)
    assert observation.circumstances == ["busy_group"]
    assert observation.situation == "free_play"  # preselected
    assert [(r.pillar, r.value) for r in observation.ratings.all()] == [("comfort_seeking", -2)]

    row = page.locator(".list-group-item", has_text="Zoë Peters")
    row.get_by_role("link", name="Tijdlijn").click()
    page.wait_for_url("**/kinderen/*/")
    first = page.locator("article.observation").first
    assert first.get_by_text(NOTE).is_visible()
    assert first.get_by_text("drukke groep").is_visible()
    assert first.get_by_text("opvallend: zoekt geen troost, duidelijk").is_visible()
    assert first.get_by_text("door Lotte Jansen").is_visible()
    page.screenshot(path=str(output_dir / "child-timeline.png"), full_page=True)


def test_the_form_works_by_keyboard(page, live_server, demo_data):
    open_form_for(page, live_server, "Levi Hendriks")
    page.locator("#id_kind_reunion_1").focus()  # "passend" of reaction at reunion
    page.keyboard.press("Space")
    page.locator('[name="save"]').focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/groepen/*/")
    observation = Observation.objects.filter(child__first_name="Levi").latest("created_at")
    assert [(r.pillar, r.value) for r in observation.ratings.all()] == [("reunion", 0)]


def test_the_form_works_without_javascript(browser, live_server, demo_data):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        open_form_for(page, live_server, "Nora van Leeuwen")
        pillar = page.locator('[data-pillar="strangers"]')
        pillar.get_by_text("gaat met iedereen mee", exact=True).click()
        pillar.get_by_text("licht", exact=True).click()
        page.get_by_role("button", name="Opslaan", exact=True).click()
        page.wait_for_url("**/groepen/*/")
        observation = Observation.objects.filter(child__first_name="Nora").latest("created_at")
        assert [(r.pillar, r.value) for r in observation.ratings.all()] == [("strangers", 1)]
    finally:
        context.close()
