"""The second factor at sign-in (tweede stap bij inloggen): an authenticator app (TOTP, django-otp) or a
passkey (WebAuthn, staff/passkeys.py), or both, with ten recovery codes (django-otp's static codes, each
used once).

Who: everyone whose role reaches more than one group (`RoleRule.needs_second_factor`, read through
`user_access(user).needs_second_factor`: managers, coaches, admins, platform superusers), and anyone who
set one up of their own accord (staff of one group, from their account page). A tablet session (a PIN on
a shared group tablet, devices/) never asks for it.

When: every sign-in starts without the second step (`note_login`, on user_logged_in, whatever signed the
person in: the login form, the admin's login, single sign-on). Until the session holds the second step
(`SECOND_STEP_DONE`), `SecondFactorMiddleware` answers every page with the second-step page (a GET) or a
refusal (any other method); only the pages of the second step itself, the logout and the language switch
stay open. One who has no app and no passkey yet is sent to set one up (`second_step_setup`, which offers
the passkey's page `second_step_passkey_setup` as the other choice).

Why not django-otp's OTPMiddleware: it reads the verifying device from the database on every request;
the session's mark costs nothing, and the pages keep their fixed query counts.

Wrong codes and wrong passkey answers: each counts as a failed sign-in in the login lockout (django-axes,
the same keys as a wrong password: the person's address at the client address, and the address alone);
once locked, the person is signed out and the login page says why. django-otp's own throttling adds a
growing pause per app as well.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.access import user_access
from staff.models import Passkey, SecondFactorReset

if TYPE_CHECKING:
    from staff.models import User

# Session keys: the pk of the user who passed the second step in this session; whether this sign-in
# asks for it (decided at the login, so no request after it reads the database for it).
SECOND_STEP_DONE = "staff_second_step_done"
SECOND_STEP_NEEDED = "staff_second_step_needed"
RECOVERY_CODE_COUNT = 10
APP_NAME = "app"
RECOVERY_NAME = "herstelcodes"
# The views open before the second step, by their full (namespaced) name: the admin's own login and
# logout by theirs, so that no other app's page named "login" or "logout" slips through.
OPEN_URL_NAMES = frozenset(
    {
        "second_step",
        "second_step_setup",
        "second_step_passkey_setup",
        "logout",
        "login",
        "set_language",
        "favicon",
        "admin:login",
        "admin:logout",
    }
)


def confirmed_app(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_second_factor(user: User) -> bool:
    """Has an authenticator app or a passkey set up (recovery codes alone come with one)."""
    return bool(
        TOTPDevice.objects.filter(user=user, confirmed=True).exists() or Passkey.objects.filter(user=user).exists()
    )


def has_recovery_codes(user: User) -> bool:
    return bool(StaticToken.objects.filter(device__user=user, device__confirmed=True).exists())


def needs_second_step(user: User) -> bool:
    """This person's sign-in asks for the second step: their role needs it, or they set one up."""
    return user_access(user).needs_second_factor or has_second_factor(user)


def note_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """user_logged_in receiver: a new sign-in starts without the second step."""
    session = getattr(request, "session", None)
    if session is not None:
        session.pop(SECOND_STEP_DONE, None)
        session[SECOND_STEP_NEEDED] = needs_second_step(user)


def mark_second_step_done(request: HttpRequest) -> None:
    request.session[SECOND_STEP_DONE] = request.user.pk
    request.session.cycle_key()  # a new session id once the sign-in is complete


def second_step_done(request: HttpRequest) -> bool:
    return bool(request.user.is_authenticated and request.session.get(SECOND_STEP_DONE) == request.user.pk)


def second_step_pending(request: HttpRequest) -> bool:
    """Signed in with the password, and the second step still to come."""
    user = request.user
    if not user.is_authenticated or getattr(request, "tablet_session", False) or second_step_done(request):
        return False
    needed = request.session.get(SECOND_STEP_NEEDED)
    if needed is None:  # a session from before the second factor: decide now, once
        needed = request.session[SECOND_STEP_NEEDED] = needs_second_step(user)
    return bool(needed)


# --- setting it up --------------------------------------------------------------------------------


def pending_app(user: User) -> TOTPDevice:
    """The app being set up: the unconfirmed one, or a new one with a fresh secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_NAME, confirmed=False)
    return device


def secret_in_letters(device: TOTPDevice) -> str:
    """The secret as an app asks it to be typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def remove_recovery_codes(user: User) -> None:
    """The recovery codes stop working (with the last second step, or before new ones)."""
    StaticDevice.objects.filter(user=user).delete()


def new_recovery_codes(user: User) -> list[str]:
    """Ten new recovery codes (the old ones stop working): each works once, instead of the app's code."""
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODE_COUNT)]
    remove_recovery_codes(user)
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def confirm_app(user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """The first code from the app: the app is set up (any earlier one removed), and the new recovery
    codes come back. None: the code does not match."""
    code = clean_code(code)
    if not (code.isdigit() and len(code) == device.digits) or not device.verify_token(code):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return new_recovery_codes(user)


# --- the second step ------------------------------------------------------------------------------


class CodeCheck:
    RIGHT = "right"
    WRONG = "wrong"
    WAIT = "wait"
    LOCKED_OUT = "locked out"


def clean_code(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def locked_out(request: HttpRequest, user: User) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": user.get_username()}))


def count_wrong(request: HttpRequest, user: User) -> str:
    """A wrong code or passkey answer: one more failed sign-in for the login lockout (django-axes, the
    same keys as a wrong password). CodeCheck.LOCKED_OUT once that was the last one allowed."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    return CodeCheck.LOCKED_OUT if locked_out(request, user) else CodeCheck.WRONG


def check_code(request: HttpRequest, user: User, code: str) -> str:
    """The code from the app, or a recovery code (used up by this). A wrong one counts in the login
    lockout like a wrong password; during a lockout every code is refused."""
    if locked_out(request, user):
        return CodeCheck.LOCKED_OUT
    code = clean_code(code)
    app = confirmed_app(user)
    if app is not None and code.isdigit() and len(code) == app.digits:
        allowed, _ = app.verify_is_allowed()
        if not allowed:
            return CodeCheck.WAIT
        if app.verify_token(code):
            return CodeCheck.RIGHT
    else:
        recovery = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if recovery is not None and recovery.verify_token(code):
            return CodeCheck.RIGHT
    return count_wrong(request, user)


# --- an admin's reset -----------------------------------------------------------------------------


def reset_second_factor(user: User, *, by: User) -> None:
    """A lost second factor: the app, the passkeys and the recovery codes go; the person sets one up at
    their next sign-in. Recorded (`SecondFactorReset`)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        Passkey.objects.filter(user=user).delete()
        remove_recovery_codes(user)
        SecondFactorReset.objects.create(user=user, reset_by=by)


# --- the one place it is enforced -----------------------------------------------------------------


def _url_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


def second_step_url(request: HttpRequest) -> str:
    query = urlencode({"next": request.get_full_path()}) if request.method in ("GET", "HEAD") else ""
    return reverse("second_step") + (f"?{query}" if query else "")


class SecondFactorMiddleware:
    """After AuthenticationMiddleware, the tablet's and the session timeout's middleware: a session
    signed in with the password alone reaches the second step's pages, the logout and the language
    switch, and nothing else. Every page (the app, /beheer/, downloads, PDFs, JSON) goes to the second
    step (GET, HEAD) or is refused (403, any other method)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if second_step_pending(request) and _url_name(request) not in OPEN_URL_NAMES:
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(second_step_url(request))
            return HttpResponse(
                gettext("First complete the second step of signing in."),
                status=403,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def connect() -> None:
    user_logged_in.connect(note_login, dispatch_uid="staff.second_factor.note_login")
