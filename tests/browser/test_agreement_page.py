"""Issue 20, the agreement page at a phone's width: the coach's page (with the pillars to talk about
and the duo-observation form, its errors included) passes axe-core, the tap-target and sideways-scroll
checks and the Nu HTML Checker."""

import pytest

from organisations.models import Location
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser


def test_the_coachs_agreement_page_fits_a_phone(page, live_server, demo_data, output_dir):
    location = Location.objects.get(groups__name="Vlinders")
    log_in(page, live_server, "coach@example.org")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/locaties/{location.pk}/overeenstemming/?weken=12")
    assert page.get_by_role("heading", name="Overeenstemming tussen waarnemers").is_visible()
    problems: list[str] = []
    shoot(page, output_dir, "agreement", problems)
    page.get_by_role("button", name="Plannen").click()  # nothing chosen: the form's errors
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Dit veld is verplicht.").first.is_visible()
    shoot(page, output_dir, "agreement-errors", problems)
    assert problems == []
    assert html_errors(output_dir, ["agreement", "agreement-errors"]) == []
