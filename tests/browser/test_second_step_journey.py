"""Issue 23 in the browser, on a phone (390 px): a coach signs in for the first time, sets up the
authenticator app from the key written on the page, sees the ten recovery codes and reaches the home
page; the next sign-in asks for the code. axe-core and the Nu HTML Checker on the new pages.
Screenshots: test-output/second-step-<page>-<width>.png."""

import base64

import pytest

from tests.browser.conftest import totp_code
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

COACH = "coach@example.org"


def test_a_coach_sets_up_the_second_step_on_a_phone(page, live_server, demo_data, output_dir):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user__email=COACH).delete()  # the demo gives the coach an app: as if new
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("E-mailadres").fill(COACH)
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/tweede-stap/instellen/**")
    problems: list[str] = []
    shoot(page, output_dir, "second-step-setup", problems)
    secret = page.locator("#second-step-secret").inner_text().replace(" ", "")
    page.locator("#id_code").fill("000")
    page.get_by_role("button", name="Bevestigen").click()
    assert page.get_by_text("Deze code klopt niet").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("#id_code").fill(totp_code(base64.b32decode(secret).hex()))
    page.get_by_role("button", name="Bevestigen").click()
    page.get_by_role("heading", name="Je herstelcodes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    shoot(page, output_dir, "second-step-codes", problems)
    page.get_by_role("link", name="Verder").click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == live_server.url
    # The next sign-in asks for the code.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("E-mailadres").fill(COACH)
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/tweede-stap/?**")
    shoot(page, output_dir, "second-step-code", problems)
    problems += html_errors(output_dir, ["second-step-setup", "second-step-codes", "second-step-code"])
    assert problems == []


def test_the_demo_manager_signs_in_with_the_demo_key(page, live_server, demo_data):
    from demo.second_factor import demo_code

    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("E-mailadres").fill("manager@example.org")
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/tweede-stap/?**")
    page.locator("#id_code").fill(demo_code())
    page.get_by_role("button", name="Verder").click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == live_server.url
    assert page.get_by_role("link", name="Tweede stap").count() >= 1
