"""Single sign-on with the organisation's own accounts (issue 23, staff/sso.py), against a REAL
OpenID Connect provider: node's `oidc-provider` (tests/oidc/provider.mjs, installed into .tools/ by
`make oidc-provider`, which `make test` runs), started on 127.0.0.1 for this module.

The Django test client presses the button; `requests` then walks the provider's own sign-in and
consent pages like a browser until the provider redirects back to http://testserver/...; the test
client follows that redirect into the callback, which talks to the provider for real (token
exchange, JWKS, userinfo)."""

from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import jwt
import pytest
import requests
from axes.models import AccessAttempt
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import reverse

from staff.models import Role, SingleSignOn, User
from staff.sso import OrganisationOIDCBackend
from tests.factories import PASSWORD, add_membership, make_location, make_organisation, make_user
from tests.task_worker import run_worker

ROOT = Path(__file__).resolve().parents[1]
PROVIDER_SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
PROVIDER_PACKAGE = ROOT / ".tools" / "node_modules" / "oidc-provider" / "package.json"
CALLBACK = "http://testserver/inloggen/sso/terug/"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The provider's issuer URL, http://127.0.0.1:<free port>; stopped by its process id afterwards."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the OpenID Connect test provider (tests/oidc/provider.mjs) runs on it")
    assert PROVIDER_PACKAGE.exists(), "oidc-provider is missing from .tools/: run `make oidc-provider` (make test does)"
    port = free_port()
    process = subprocess.Popen(
        [node, str(PROVIDER_SCRIPT), str(port), CALLBACK],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "ready", f"the test provider did not start: {line!r}"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        cache.clear()  # the discovery documents of this provider


@pytest.fixture
def sun(db, provider):
    """Organisation "Kinderopvang Zon" with its sign-on at the test provider, and Anna, staff there."""
    organisation = make_organisation("Kinderopvang Zon")
    config = SingleSignOn.objects.create(
        organisation=organisation,
        slug="zon",
        button_label="Zon-account",
        issuer=provider,
        client_id="attachment",
        client_secret="attachment-secret",
    )
    anna = make_user("anna@zon.example", first_name="Anna")
    add_membership(anna, Role.MANAGER, location=make_location(organisation))
    return config


def press_the_button(client: Client, slug: str = "zon") -> str:
    """The organisation's login page, its button: the provider's authorization URL."""
    page = client.get(reverse("sso_login", args=[slug]))
    start = reverse("sso_start", args=[slug])
    assert page.status_code == 200 and f'href="{start}"' in page.content.decode()
    response = client.get(start)
    assert response.status_code == 302
    return str(response["Location"])


def sign_in_at_provider(authorization_url: str, login: str) -> str:
    """Walk the provider's own pages (sign-in, consent) as a browser would; return the URL it sends
    the browser back to (ours), without following it."""
    browser = requests.Session()
    url, method, data = authorization_url, "GET", None
    for _ in range(12):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.status_code in (302, 303):
            url, method, data = urljoin(url, response.headers["Location"]), "GET", None
            if url.startswith("http://testserver/"):
                return url
            continue
        assert response.status_code == 200, response.text
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
        prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
        assert action and prompt, response.text
        url, method = urljoin(url, action.group(1)), "POST"
        data = {"prompt": prompt.group(1)}
        if prompt.group(1) == "login":
            data.update(login=login, password="any")
    raise AssertionError("the provider never sent the browser back")


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def come_back(client: Client, url: str):
    """The browser's redirect back from the provider: the callback, then the page it sends to."""
    return client.get(local(url), follow=True)


def page_text(response) -> str:
    return response.content.decode()


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


# --- sign-in ---------------------------------------------------------------------------------------


def test_a_member_signs_in_through_the_provider_and_no_account_is_created(sun, client):
    page = page_text(client.get(reverse("sso_login", args=["zon"])))
    assert "Inloggen met Zon-account" in page
    assert 'name="password"' in page  # password sign-in is still on for this organisation
    users_before = User.objects.count()

    back = sign_in_at_provider(press_the_button(client), "anna@zon.example")
    assert back.startswith(CALLBACK) and "code=" in back
    response = come_back(client, back)

    assert response.redirect_chain[0] == (reverse("home"), 302)
    assert response.status_code == 200
    user = signed_in_user(client)
    assert user is not None and user.email == "anna@zon.example"
    assert client.session["_auth_user_backend"] == "staff.sso.OrganisationOIDCBackend"
    assert User.objects.count() == users_before
    assert client.session.get("oidc_states") == {}  # the state is used up
    # Anna manages a location: the organisation's account is her password, not her second step
    assert response.redirect_chain[-1][0].startswith(reverse("second_step_setup"))
    assert client.get(reverse("home")).status_code == 302


def test_the_general_login_page_has_no_button_and_an_unknown_slug_is_404(sun, client):
    assert "Inloggen met" not in page_text(client.get(reverse("login")))
    assert client.get(reverse("sso_login", args=["maan"])).status_code == 404
    assert client.get(reverse("sso_start", args=["maan"])).status_code == 404
    sun.enabled = False
    sun.save()
    assert client.get(reverse("sso_login", args=["zon"])).status_code == 404


# --- refused people --------------------------------------------------------------------------------


def refused(client: Client, response, text: str) -> None:
    assert response.redirect_chain[-1][0] == reverse("sso_login", args=["zon"])
    assert text in page_text(response), page_text(response)
    assert signed_in_user(client) is None


def test_an_unknown_address_is_refused_and_no_account_is_created(sun, client, caplog):
    users_before = User.objects.count()
    with caplog.at_level(logging.WARNING, logger="staff.sso"):
        response = come_back(client, sign_in_at_provider(press_the_button(client), "nieuw@zon.example"))
    refused(client, response, "Er is hier geen account met het adres nieuw@zon.example.")
    assert User.objects.count() == users_before
    assert any("refused: unknown e-mail" in r.getMessage() for r in caplog.records)
    # Our log names the reason, not the address; django-axes counts (and logs) a failed login of it,
    # as for a wrong password.
    assert not any("nieuw@zon.example" in r.getMessage() for r in caplog.records if r.name == "staff.sso")
    assert AccessAttempt.objects.filter(username="nieuw@zon.example").exists()


def test_an_account_of_another_organisation_is_refused(sun, client):
    moon = make_organisation("Kinderopvang Maan")
    bram = make_user("bram@maan.example")
    add_membership(bram, Role.MANAGER, location=make_location(moon))
    response = come_back(client, sign_in_at_provider(press_the_button(client), "bram@maan.example"))
    refused(client, response, "Je account hoort niet bij Kinderopvang Zon.")


def test_a_deactivated_account_is_refused(sun, client):
    User.objects.filter(email="anna@zon.example").update(is_active=False)
    response = come_back(client, sign_in_at_provider(press_the_button(client), "anna@zon.example"))
    refused(client, response, "Je account is uitgeschakeld.")


def test_an_unverified_address_is_refused(sun, client):
    response = come_back(client, sign_in_at_provider(press_the_button(client), "unverified.anna@zon.example"))
    refused(client, response, "geen bevestigd e-mailadres")


def test_the_address_is_matched_in_its_one_spelling(sun, client):
    response = come_back(client, sign_in_at_provider(press_the_button(client), "Anna@ZON.example"))
    assert response.status_code == 200 and signed_in_user(client).email == "anna@zon.example"


# --- codes, state and nonce ------------------------------------------------------------------------


CHECK_FAILED = "Je inlogpoging bij je organisatie kon niet worden gecontroleerd."


def test_an_expired_code_is_refused(sun, client):
    """The provider's second client hands out codes that live one second."""
    sun.client_id, sun.client_secret = "attachment-short", "attachment-short-secret"
    sun.save()
    back = sign_in_at_provider(press_the_button(client), "anna@zon.example")
    time.sleep(2.5)
    refused(client, come_back(client, back), CHECK_FAILED)


def test_a_replayed_code_is_refused(sun, client):
    back = sign_in_at_provider(press_the_button(client), "anna@zon.example")
    state = parse_qs(urlsplit(back).query)["state"][0]
    entry = dict(client.session["oidc_states"][state])
    assert come_back(client, back).status_code == 200 and signed_in_user(client) is not None

    # The same way back again, in the same browser: the state is used up.
    client.logout()
    again = come_back(client, back)
    assert again.redirect_chain[-1][0] == reverse("login")  # the used state names no organisation any more
    assert "Deze inlogpoging is niet hier begonnen of al gebruikt." in page_text(again)
    assert signed_in_user(client) is None

    # An attacker's browser with a state, nonce and verifier of its own that match the code (as if
    # stolen along with it): the provider refuses the code the second time.
    other = Client()
    other_url = press_the_button(other)
    other_state = parse_qs(urlsplit(other_url).query)["state"][0]
    session = other.session
    session["oidc_states"][other_state].update(nonce=entry["nonce"], code_verifier=entry["code_verifier"])
    session.save()
    replay = back.replace(f"state={state}", f"state={other_state}")
    refused(other, come_back(other, replay), CHECK_FAILED)


def test_a_wrong_state_is_refused_and_the_right_one_still_works(sun, client):
    back = sign_in_at_provider(press_the_button(client), "anna@zon.example")
    state = parse_qs(urlsplit(back).query)["state"][0]
    forged = back.replace(f"state={state}", "state=vervalst")
    response = client.get(local(forged), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")  # no state: no organisation known either
    assert "Deze inlogpoging is niet hier begonnen of al gebruikt." in page_text(response)
    assert signed_in_user(client) is None
    # A state started in another browser is no good here either.
    stranger = Client()
    stranger_state = parse_qs(urlsplit(press_the_button(stranger)).query)["state"][0]
    assert "niet hier begonnen" in page_text(client.get(local(back.replace(state, stranger_state)), follow=True))
    # The code was never exchanged: with its own state it still signs in.
    assert come_back(client, back).status_code == 200 and signed_in_user(client) is not None


def test_a_wrong_nonce_is_refused(sun, client):
    back = sign_in_at_provider(press_the_button(client), "anna@zon.example")
    state = parse_qs(urlsplit(back).query)["state"][0]
    session = client.session
    session["oidc_states"][state]["nonce"] = "een-andere-nonce"
    session.save()
    refused(client, come_back(client, back), CHECK_FAILED)


def test_a_provider_that_answers_with_an_error_is_refused(sun, client):
    url = press_the_button(client)
    state = parse_qs(urlsplit(url).query)["state"][0]
    response = client.get(reverse("sso_callback"), {"state": state, "error": "access_denied"}, follow=True)
    refused(client, response, "Je organisatie heeft je niet ingelogd.")


# --- password sign-in switched off -----------------------------------------------------------------


def test_password_sign_in_off_refuses_the_password_form_and_points_to_the_button(sun, client):
    sun.password_login = False
    sun.save()
    page = page_text(client.get(reverse("sso_login", args=["zon"])))
    assert "Inloggen met Zon-account" in page and 'name="password"' not in page

    response = client.post(reverse("login"), {"username": "anna@zon.example", "password": PASSWORD})
    assert response.status_code == 200 and signed_in_user(client) is None
    text = page_text(response)
    assert "Kinderopvang Zon logt in met eigen accounts, niet met een wachtwoord" in text
    assert f'<a href="{reverse("sso_login", args=["zon"])}">inloggen met Zon-account</a>' in text
    # A wrong password gets the usual answer: the form never tells whose address it is.
    wrong = page_text(client.post(reverse("login"), {"username": "anna@zon.example", "password": "fout"}))
    assert "eigen accounts" not in wrong and "Dit e-mailadres en wachtwoord horen niet bij elkaar" in wrong
    # The organisation's own button still signs her in.
    assert come_back(client, sign_in_at_provider(press_the_button(client), "anna@zon.example")).status_code == 200
    assert signed_in_user(client).email == "anna@zon.example"


def test_password_sign_in_off_touches_no_other_organisation(sun, client):
    sun.password_login = False
    sun.save()
    bram = make_user("bram@maan.example")
    add_membership(bram, Role.MANAGER, location=make_location(make_organisation("Kinderopvang Maan")))
    response = client.post(reverse("login"), {"username": "bram@maan.example", "password": PASSWORD})
    assert response.status_code == 302 and signed_in_user(client) == bram


@pytest.mark.django_db(transaction=True)  # the reset mail goes out from the task worker, which commits
def test_password_sign_in_off_the_reset_mail_points_to_the_button_and_has_no_link(sun, client):
    sun.password_login = False
    sun.save()
    client.post(reverse("password_reset"), {"email": "anna@zon.example"})
    run_worker()
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "Kinderopvang Zon logt in met eigen accounts" in body
    assert "http://testserver/inloggen/zon/" in body
    assert "/wachtwoord-herstellen/" not in body


# --- the administration ----------------------------------------------------------------------------


def test_the_organisation_admin_sets_it_up_and_the_secret_is_never_shown_back(db, client, provider):
    organisation = make_organisation("Kinderopvang Zon")
    admin = make_user("beheer@zon.example", is_staff=True)
    add_membership(admin, Role.ADMIN, organisation=organisation)
    other = SingleSignOn.objects.create(
        organisation=make_organisation("Kinderopvang Maan"),
        slug="maan",
        button_label="Maan",
        issuer=provider,
        client_id="maan",
        client_secret="maan-geheim",
    )
    client.force_login(admin)
    add_url = reverse("admin:staff_singlesignon_add")
    fields = {
        "organisation": organisation.pk,
        "slug": "zon",
        "button_label": "Microsoft",
        "issuer": provider,
        "client_id": "attachment",
        "client_secret": "heel-geheim-42",
        "enabled": "on",
        "password_login": "on",
    }
    added = client.post(add_url, fields)
    assert added.status_code == 302, added.context["adminform"].form.errors if added.context else added
    config = SingleSignOn.objects.get(slug="zon")
    assert config.client_secret == "heel-geheim-42"

    change_url = reverse("admin:staff_singlesignon_change", args=[config.pk])
    page = page_text(client.get(change_url))
    assert "heel-geheim-42" not in page
    # Saved again without a secret: the stored one stays; the change log names no value.
    assert client.post(change_url, {**fields, "client_secret": "", "button_label": "Entra"}).status_code == 302
    config.refresh_from_db()
    assert (config.client_secret, config.button_label) == ("heel-geheim-42", "Entra")
    assert not any("heel-geheim" in str(entry.change_message) for entry in LogEntry.objects.all())
    # Another organisation's sign-on is out of sight.
    assert client.get(reverse("admin:staff_singlesignon_change", args=[other.pk])).status_code == 404
    listing = page_text(client.get(reverse("admin:staff_singlesignon_changelist")))
    assert "Entra" in listing and "Maan" not in listing


# --- the ID token's own checks ---------------------------------------------------------------------

SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
STRANGER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({}, None),
        ({"aud": "een-andere-client"}, jwt.InvalidAudienceError),
        ({"iss": "http://127.0.0.1:9/ander"}, jwt.InvalidIssuerError),
        ({"exp": -120}, jwt.ExpiredSignatureError),
        ({"key": STRANGER_KEY}, jwt.InvalidSignatureError),
        ({"drop": "exp"}, jwt.MissingRequiredClaimError),
    ],
)
def test_the_id_token_is_checked_for_signature_issuer_audience_and_expiry(sun, change, error):
    """A token signed here, checked as the callback checks the provider's (the provider itself only
    hands out good ones): the key stands in for the one the JWKS names."""
    now = int(time.time())
    claims = {"iss": sun.issuer, "aud": sun.client_id, "sub": "anna", "iat": now, "exp": now + 300, "nonce": "n"}
    change = dict(change)
    if "exp" in change:
        claims["exp"] = now + change.pop("exp")
    if "drop" in change:
        del claims[change.pop("drop")]
    key = change.pop("key", SIGNING_KEY)
    claims.update(change)
    token = jwt.encode(claims, key, algorithm="RS256")
    backend = OrganisationOIDCBackend(sun)
    if error is None:
        assert backend._verify_jws(token, SIGNING_KEY.public_key())["sub"] == "anna"
    else:
        with pytest.raises(error):
            backend._verify_jws(token, SIGNING_KEY.public_key())


def test_an_unsigned_id_token_is_refused(sun):
    token = jwt.encode({"iss": sun.issuer, "aud": sun.client_id, "sub": "anna"}, key=None, algorithm="none")
    with pytest.raises(SuspiciousOperation):
        OrganisationOIDCBackend(sun).verify_token(token, nonce="n")


def test_password_sign_in_off_holds_at_the_administrations_login_too(sun, client):
    """The admin site has a login page of its own (/beheer/login/): the same rule, the same message."""
    sun.password_login = False
    sun.save()
    beheer = make_user("beheer@zon.example", is_staff=True)
    add_membership(beheer, Role.ADMIN, organisation=sun.organisation)
    response = client.post(reverse("admin:login"), {"username": "beheer@zon.example", "password": PASSWORD})
    assert response.status_code == 200 and signed_in_user(client) is None
    assert "Kinderopvang Zon logt in met eigen accounts, niet met een wachtwoord" in page_text(response)
    # A wrong password gets the admin's usual answer.
    wrong = page_text(client.post(reverse("admin:login"), {"username": "beheer@zon.example", "password": "fout"}))
    assert "eigen accounts" not in wrong and signed_in_user(client) is None
    # With password sign-in on, the admin signs in there as before.
    sun.password_login = True
    sun.save()
    assert (
        client.post(reverse("admin:login"), {"username": "beheer@zon.example", "password": PASSWORD}).status_code == 302
    )
    assert signed_in_user(client) == beheer
