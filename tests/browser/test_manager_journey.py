"""Issue 5 journey: a location manager opens their location, then a group's overview, filters
to children with attention points and follows a child to its summary."""

import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_manager_reviews_a_group_and_follows_a_child(page, live_server, demo_data, output_dir):
    log_in(page, live_server, "manager@example.org")
    page.get_by_role("link", name="Kindercentrum De Vlinder").click()
    page.wait_for_url("**/locaties/*/")
    vlinders = page.locator("section.location-group", has_text="Vlinders")
    assert vlinders.get_by_text("Kinderen met een terugkerend aandachtspunt").is_visible()
    page.screenshot(path=str(output_dir / "location-page.png"), full_page=True)

    vlinders.get_by_role("link", name="Overzicht van groep Vlinders").click()
    page.wait_for_url("**/groepen/*/overzicht/")
    assert page.get_by_role("heading", name="Overzicht van groep Vlinders").is_visible()
    assert page.get_by_text("geen diagnose").first.is_visible()  # the caution above the matrix
    matrix = page.locator("#matrix")
    assert matrix.locator("tbody tr").count() == 9
    # Finn Vos is the demo child nobody observed for a while: his row stands out.
    assert matrix.locator("tr.stale-row", has_text="Finn Vos").count() == 1
    page.screenshot(path=str(output_dir / "group-overview-matrix-all.png"), full_page=True)

    page.get_by_label("Alleen kinderen met aandachtspunten").check()
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**filter=aandachtspunten**")
    rows = matrix.locator("tbody tr")
    assert rows.count() == 1
    daan = rows.first
    assert daan.get_by_role("link", name="Daan Mulder").is_visible()
    cell = daan.locator('[data-pillar="comfort_seeking"]')
    assert cell.get_attribute("data-pattern") == "recurring"
    assert cell.locator(".matrix-symbol").inner_text() == "!"
    page.screenshot(path=str(output_dir / "group-overview-matrix.png"), full_page=True)

    daan.get_by_role("link", name="Daan Mulder").click()
    page.wait_for_url("**/kinderen/*/overzicht/**")
    assert page.get_by_role("heading", name="Overzicht van Daan Mulder").is_visible()
    assert page.locator("#pijler-comfort_seeking").get_by_text("terugkerend aandachtspunt").is_visible()


def test_the_matrix_prints(page, live_server, demo_data, output_dir):
    log_in(page, live_server, "manager@example.org")
    page.get_by_role("link", name="Kindercentrum De Vlinder").click()
    page.get_by_role("link", name="Overzicht van groep Rupsjes").click()
    page.wait_for_url("**/groepen/*/overzicht/")
    page.emulate_media(media="print")
    assert not page.locator(".overview-controls").is_visible()
    assert not page.locator(".app-nav").is_visible()
    assert page.locator("#matrix").is_visible()
    # on paper the pattern's word is printed next to its symbol, also on a narrow page
    assert page.locator(".matrix-word").first.evaluate("e => getComputedStyle(e).position") == "static"
    assert page.locator(".child-col").first.evaluate("e => getComputedStyle(e).position") == "static"
    page.screenshot(path=str(output_dir / "group-overview-print.png"), full_page=True)
    page.pdf(path=str(output_dir / "group-overview-print.pdf"))
