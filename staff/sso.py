"""Single sign-on with an organisation's own accounts: OpenID Connect, through mozilla-django-oidc.

The flow (issue 23):

- Each organisation with a `SingleSignOn` has its own login page, /inloggen/<slug>/: the login page
  with a "Log in with <label>" button (and without the password form when password sign-in is off
  for it). The organisation links it from its intranet or app launcher (Entra's "My Apps", Google's
  app tiles). A page of its own rather than "type your e-mail first": the general login page never
  tells which addresses or domains belong to which organisation, and an organisation need not list
  its mail domains.
- The button (`start`) sends the person to the provider with a fresh state, nonce and PKCE verifier,
  kept in the session by mozilla-django-oidc's own helper, with the organisation beside them.
- The provider sends the person back to `callback` (/inloggen/sso/terug/). The state must be one
  this session started (and is used once); the code is exchanged at the provider's token endpoint
  (an expired or replayed code is refused there); the ID token's signature is checked against the
  provider's JWKS, and its issuer, audience, expiry and nonce (`OrganisationOIDCBackend`). The
  e-mail address counts only when the provider says it is verified.
- Only an existing, active user with a membership in THAT organisation is signed in, with Django's
  `login()`; no account is ever created. Every refusal names its reason in Dutch on the
  organisation's login page, is logged (logger "staff.sso", without the address), and a refusal for a
  named address counts as a failed login for django-axes (the `user_login_failed` signal).

The provider's endpoints come from its discovery document, <issuer>/.well-known/openid-configuration,
cached for an hour. Only the client secret is a secret: it is never logged, shown or kept in history.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import signals
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import add_state_and_verifier_and_nonce_to_session, generate_code_challenge

from staff.forms import EmailAuthenticationForm
from staff.lockout import normalise_email
from staff.models import Membership, SingleSignOn, User

logger = logging.getLogger("staff.sso")

BACKEND = "staff.sso.OrganisationOIDCBackend"
SCOPES = "openid email"
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
TIMEOUT_SECONDS = 10
DISCOVERY_CACHE_SECONDS = 3600


class Refused(Exception):
    """A sign-in refused for a reason the person is told (`message`); `email` when one was known."""

    def __init__(self, reason: str, message: str, email: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message
        self.email = email


def discovery(config: SingleSignOn) -> dict[str, Any]:
    """The provider's discovery document (cached), whose issuer must be the configured one."""
    issuer = config.issuer.rstrip("/")
    key = f"sso-discovery:{issuer}"
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
            raise SuspiciousOperation("The discovery document names another issuer.")
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)
    return document


def verified_email(claims: dict[str, Any]) -> str:
    """The address the provider vouches for: `email` with `email_verified` true (Microsoft Entra ID
    says the same with `xms_edov`, "e-mail domain owner verified", an optional claim)."""
    email = claims.get("email")
    if not isinstance(email, str) or not email:
        raise Refused(
            "no e-mail", _("Your organisation's account gave no e-mail address. Ask your organisation admin.")
        )
    if claims.get("email_verified") is not True and claims.get("xms_edov") is not True:
        raise Refused(
            "unverified e-mail",
            _("Your organisation's account has no verified e-mail address. Ask your organisation admin."),
        )
    return normalise_email(email)


class OrganisationOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]  # the library ships no type hints
    """mozilla-django-oidc's backend with one organisation's provider instead of global settings.

    It is listed in AUTHENTICATION_BACKENDS only so that a session it signed in keeps its user;
    `authenticate` answers nothing (the password form never reaches a provider). The callback calls
    `sign_in` with the organisation's configuration."""

    def __init__(self, config: SingleSignOn | None = None) -> None:
        self.config = config
        self.UserModel = User
        if config is not None:
            document = discovery(config)
            self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
            self.OIDC_OP_USER_ENDPOINT = document.get("userinfo_endpoint")
            self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
            self.OIDC_RP_CLIENT_ID = config.client_id
            self.OIDC_RP_CLIENT_SECRET = config.client_secret
            self.OIDC_RP_SIGN_ALGO = "RS256"
            self.OIDC_RP_IDP_SIGN_KEY = None

    def get_settings(self, attr: str, *args: Any) -> Any:
        own = {
            "OIDC_AUTHENTICATION_CALLBACK_URL": "sso_callback",
            "OIDC_RP_SCOPES": SCOPES,
            "OIDC_USE_NONCE": True,
            "OIDC_CREATE_USER": False,
            "OIDC_TIMEOUT": TIMEOUT_SECONDS,
            "OIDC_VERIFY_SSL": True,
            "OIDC_VERIFY_KID": True,
            "OIDC_ALLOW_UNSECURED_JWT": False,
            "OIDC_STORE_ACCESS_TOKEN": False,
            "OIDC_STORE_ID_TOKEN": False,
            "OIDC_TOKEN_USE_BASIC_AUTH": False,
        }
        if attr in own:
            return own[attr]
        return super().get_settings(attr, *args)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> None:
        return None

    def sign_in(self, request: HttpRequest, *, nonce: str, code_verifier: str | None) -> User | None:
        """The user of the code in request.GET, or None; `Refused` with the reason to tell."""
        user: User | None = super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        return user

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The library checks the signature; here also the issuer, audience, expiry and issue time."""
        header = jwt.get_unverified_header(payload)
        algorithm = header.get("alg")
        if algorithm not in SIGNING_ALGORITHMS:
            raise SuspiciousOperation("The ID token is not signed with an accepted algorithm.")
        assert self.config is not None
        claims: dict[str, Any] = jwt.decode(
            payload,
            key,
            algorithms=[algorithm],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=discovery(self.config)["issuer"],
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            leeway=30,
        )
        return claims

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        # The library compares the header's algorithm with one configured; providers pick theirs.
        self.OIDC_RP_SIGN_ALGO = jwt.get_unverified_header(token).get("alg", "RS256")
        if not str(self.OIDC_RP_SIGN_ALGO).startswith(("RS", "PS", "ES")):
            raise SuspiciousOperation("The ID token is not signed with an accepted algorithm.")
        claims: dict[str, Any] = super().verify_token(token, **kwargs)
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The ID token's claims, with the userinfo endpoint's for the same subject."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            info = super().get_userinfo(access_token, id_token, payload)
            if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo is of another subject.")
            claims.update(info)
        return claims

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User:
        """Never creates: the active user of the verified address, member of this organisation."""
        assert self.config is not None
        email = verified_email(self.get_userinfo(access_token, id_token, payload))
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise Refused(
                "unknown e-mail",
                _("There is no account with the address %(email)s here. Ask your organisation admin.")
                % {"email": email},
                email,
            )
        if not Membership.objects.filter(user=user, organisation=self.config.organisation).exists():
            raise Refused(
                "other organisation",
                _("Your account does not belong to %(organisation)s. Log in on your own organisation's login page.")
                % {"organisation": self.config.organisation.name},
                email,
            )
        if not user.is_active:
            raise Refused(
                "deactivated",
                _("Your account has been deactivated. Ask your organisation admin if this is a mistake."),
                email,
            )
        return user


def organisation_login(request: HttpRequest, slug: str) -> HttpResponseBase:
    """/inloggen/<slug>/: the login page with the organisation's sign-on button."""
    config = get_object_or_404(SingleSignOn, slug=slug, enabled=True)
    view = LoginView.as_view(
        authentication_form=EmailAuthenticationForm,
        redirect_authenticated_user=True,
        extra_context={"single_sign_on": config},
    )
    response: HttpResponseBase = view(request)
    return response


@require_GET
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """The button: off to the provider, with a fresh state, nonce and PKCE verifier in the session."""
    config = get_object_or_404(SingleSignOn, slug=slug, enabled=True)
    try:
        endpoint = discovery(config)["authorization_endpoint"]
    except (requests.RequestException, ValueError, KeyError, SuspiciousOperation):
        logger.warning(
            "SSO of organisation %s: the provider's discovery document could not be read", config.organisation_id
        )
        messages.error(request, _("The sign-in service of your organisation does not answer. Try again later."))
        return redirect("sso_login", slug=config.slug)
    state = get_random_string(32)
    code_verifier = get_random_string(64)
    params = {
        "response_type": "code",
        "scope": SCOPES,
        "client_id": config.client_id,
        "redirect_uri": request.build_absolute_uri(reverse("sso_callback")),
        "state": state,
        "nonce": get_random_string(32),
        "code_challenge": generate_code_challenge(code_verifier, "S256"),
        "code_challenge_method": "S256",
    }
    add_state_and_verifier_and_nonce_to_session(request, state, params, code_verifier)
    request.session["oidc_states"][state]["single_sign_on"] = config.pk
    next_url = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    request.session["oidc_login_next"] = next_url if next_url and safe else None
    request.session.modified = True
    return HttpResponseRedirect(f"{endpoint}?{urlencode(params)}")


@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider's answer: sign in the user, or back to the login page with the reason."""
    state = request.GET.get("state", "")
    states: dict[str, Any] = request.session.get("oidc_states", {})
    entry = states.pop(state, None) if state else None
    request.session.modified = True
    config = SingleSignOn.objects.filter(pk=entry.get("single_sign_on"), enabled=True).first() if entry else None
    if entry is None or config is None:
        return _refused(
            request,
            None,
            Refused("state", _("This sign-in was not started here, or was already used. Please try again.")),
        )
    if request.GET.get("error") or not request.GET.get("code"):
        return _refused(
            request,
            config,
            Refused("provider error", _("Your organisation's sign-in service did not sign you in. Please try again.")),
        )
    try:
        backend = OrganisationOIDCBackend(config)
        user = backend.sign_in(request, nonce=entry["nonce"], code_verifier=entry.get("code_verifier"))
    except Refused as refused:
        return _refused(request, config, refused)
    except (requests.RequestException, jwt.InvalidTokenError, SuspiciousOperation, KeyError, ValueError) as error:
        return _refused(
            request,
            config,
            Refused(type(error).__name__, _("Your organisation's sign-in could not be checked. Please try again.")),
        )
    except Exception:
        # No 500 and its error report: the report's frame variables would hold the client secret.
        logger.exception("SSO of organisation %s: the sign-in failed unexpectedly", config.organisation_id)
        return _refused(
            request,
            config,
            Refused("unexpected", _("Your organisation's sign-in could not be checked. Please try again.")),
        )
    if user is None:
        return _refused(
            request,
            config,
            Refused("no user", _("Your organisation's sign-in could not be checked. Please try again.")),
        )
    next_url = request.session.pop("oidc_login_next", None) or LoginView().get_default_redirect_url()
    auth.login(request, user, backend=BACKEND)
    logger.info("SSO of organisation %s: user %s signed in", config.organisation_id, user.pk)
    return redirect(next_url)


def _refused(request: HttpRequest, config: SingleSignOn | None, refused: Refused) -> HttpResponse:
    logger.warning(
        "SSO of organisation %s refused: %s", config.organisation_id if config else "unknown", refused.reason
    )
    if refused.email:
        signals.user_login_failed.send(
            sender=__name__, credentials={settings.AXES_USERNAME_FORM_FIELD: refused.email}, request=request
        )
    messages.error(request, refused.message)
    return redirect("sso_login", slug=config.slug) if config else redirect("login")
