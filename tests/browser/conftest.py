"""Browser test harness: Playwright driving Debian's chromium against a live server.

Journeys of every issue live beside this file. Screenshots go to the test run's
output folder, `test-output/` (or $TEST_OUTPUT_DIR).
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls in
# the test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
OUTPUT_DIR = Path(os.environ.get("TEST_OUTPUT_DIR", Path(__file__).resolve().parents[2] / "test-output"))


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    return OUTPUT_DIR


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package (see .ci/run).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo_data(transactional_db):
    """The demo organisation, as `make run` loads it (password 'demo')."""
    from django.core.management import call_command

    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", force=True, stdout=devnull)


def totp_code(secret_hex: str) -> str:
    """The code an authenticator app with this key shows now."""
    import time

    from django_otp.oath import TOTP

    totp = TOTP(bytes.fromhex(secret_hex))
    totp.time = time.time()
    return f"{totp.token():06d}"


def pass_second_step(page, email: str) -> None:
    """After the password: the second step, as the person's app would answer it. One who has no app yet
    sets one up from the key on the page (and passes the recovery codes); one who has an app gives its
    code (its last used step forgotten first, so a test may sign the same person in twice within 30 s)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if "/tweede-stap/instellen/" in page.url:
        import base64

        secret = page.locator("#second-step-secret").inner_text().replace(" ", "")
        page.locator("#id_code").fill(totp_code(base64.b32decode(secret).hex()))
        page.get_by_role("button", name="Bevestigen").click()
        page.get_by_role("link", name="Verder").click()
    elif "/tweede-stap/" in page.url:
        TOTPDevice.objects.filter(user__email=email, confirmed=True).update(last_t=-1)
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        page.locator("#id_code").fill(totp_code(device.key))
        page.get_by_role("button", name="Verder").click()
    page.wait_for_load_state("networkidle")


def log_in(page, live_server, email: str, password: str = "demo") -> None:
    page.goto(f"{live_server.url}/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state("networkidle")
    pass_second_step(page, email)
