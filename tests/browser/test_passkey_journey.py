"""Issue 23 in the browser, on a phone (390 px): a manager chooses a passkey at the first sign-in,
adds it with Chromium's virtual authenticator (the WebAuthn domain of the DevTools protocol: a platform
authenticator with user verification, as a phone's fingerprint), sees the ten recovery codes, signs out,
and signs in again with password and passkey to reach the home page; the passkey page lists it, and does
not let the manager remove the only second step. axe-core and the Nu HTML Checker on
the new pages. The relying party is the live server's host: `localhost` (an IP address cannot be one).
Screenshots: test-output/passkey-<page>-<width>.png."""

import pytest

from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

MANAGER = "manager@example.org"


def virtual_authenticator(page):
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    found = session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return session, found["authenticatorId"]


def sign_in_with_password(page, base):
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill(MANAGER)
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()


def test_a_manager_sets_up_a_passkey_and_signs_in_with_it_on_a_phone(page, live_server, demo_data, output_dir):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from staff.models import Passkey

    TOTPDevice.objects.filter(user__email=MANAGER).delete()  # the demo gives the manager an app: as if new
    base = live_server.url.replace("127.0.0.1", "localhost")
    session, authenticator = virtual_authenticator(page)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_with_password(page, base)
    page.wait_for_url("**/tweede-stap/instellen/**")
    page.get_by_role("link", name="Liever een passkey").click()
    page.wait_for_url("**/tweede-stap/passkey/**")
    problems: list[str] = []
    shoot(page, output_dir, "passkey-setup", problems)
    page.get_by_label("Naam van deze passkey").fill("Mijn telefoon")
    page.get_by_role("button", name="Passkey instellen").click()
    page.get_by_role("heading", name="Je herstelcodes").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    passkey = Passkey.objects.get(user__email=MANAGER)
    assert passkey.name == "Mijn telefoon"
    credentials = session.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(credentials) == 1
    page.get_by_role("link", name="Verder").click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == base
    # Signed out, then in again: the password, and the passkey.
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url("**/inloggen/**")
    sign_in_with_password(page, base)
    page.wait_for_url("**/tweede-stap/?**")
    shoot(page, output_dir, "passkey-sign-in", problems)
    page.get_by_role("button", name="Inloggen met je passkey").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_role("link", name="Tweede stap").count() >= 1
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None
    # The passkey page lists it with a button to remove it; the only second step of a manager stays.
    page.goto(f"{base}/tweede-stap/passkey/")
    listed = page.locator(".passkey-list li", has_text="Mijn telefoon")
    assert "laatst gebruikt op" in listed.inner_text()
    listed.get_by_role("button", name="Verwijderen Mijn telefoon").click()
    page.get_by_text("Deze passkey is je enige tweede stap").wait_for()
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    shoot(page, output_dir, "passkey-list", problems)
    # A passkey whose signature does not hold (the authenticator told to spoil it): refused, in Dutch.
    session.send("WebAuthn.setResponseOverrideBits", {"authenticatorId": authenticator, "isBogusSignature": True})
    page.context.clear_cookies()
    sign_in_with_password(page, base)
    page.wait_for_url("**/tweede-stap/?**")
    page.get_by_role("button", name="Inloggen met je passkey").click()
    page.get_by_text("Deze passkey werkte niet").wait_for()
    assert "/tweede-stap/" in page.url
    shoot(page, output_dir, "passkey-refused", problems, widths=(390,))
    problems += html_errors(output_dir, ["passkey-setup", "passkey-sign-in", "passkey-list", "passkey-refused"])
    assert problems == []
