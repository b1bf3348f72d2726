import pytest

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_staff_member_logs_in_and_reaches_their_group(page, live_server, demo_data, output_dir):
    page.goto(live_server.url + "/")
    # Anonymous visitors land on the Dutch login page.
    assert page.get_by_role("heading", name="Inloggen").is_visible()
    log_in(page, live_server, "medewerker@example.org")
    assert page.get_by_role("heading", name="Mijn groepen").is_visible()
    page.get_by_role("link", name="Vlinders").first.click()
    page.wait_for_url("**/groepen/*/")
    assert page.get_by_role("heading", name="Vlinders").is_visible()
    assert page.locator(".list-group-item").count() == 9
    page.screenshot(path=str(output_dir / "group-page.png"), full_page=True)
