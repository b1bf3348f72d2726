"""The login lockout (django-axes): one key per address, the client's real address, two limits.

- `normalise_email` is the one spelling of an e-mail address: the login form authenticates with it and
  axes counts failures under it (AXES_USERNAME_CALLABLE), so `MANAGER@example.org ` and
  `manager@example.org` are the same account to both.
- `client_ip_address` (AXES_CLIENT_IP_CALLABLE) reads X-Forwarded-For only behind our own proxies
  (TRUSTED_PROXY_COUNT > 0), and then only the entry our outermost proxy wrote; REMOTE_ADDR otherwise.
- `LoginLockoutHandler` (AXES_HANDLER) gives each lockout parameter its own limit: the user at one
  address locks after AXES_FAILURE_LIMIT failures, one address alone after AXES_ADDRESS_FAILURE_LIMIT
  (axes itself has one limit for every parameter). A successful login clears only that user's failures
  at that address, so logging in to one's own account does not wipe the count against others.
- `check_own_password` is every other place that asks a signed-in (or tapped-in) person for their
  password: the PIN page, the password change (the app's and the admin's), the tablet's password
  unlock. It goes through the same `authenticate` as the login, so axes counts its failures under the
  same keys (the person's address at the client address, and the client address alone) and refuses
  even the right password once locked; the login is then locked too. `validate_own_password` is its
  form-field form: the Dutch error for a wrong password, or for a lockout.
"""

from __future__ import annotations

import enum
import ipaddress
import math
import unicodedata
from typing import TYPE_CHECKING, Any

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from staff.models import User

ADDRESS_ALONE = "ip_address"


def normalise_email(value: str) -> str:
    """Unicode NFKC (full-width letters become plain ones), surrounding white space off, lower case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the address as typed (credentials or POST), normalised."""
    field = settings.AXES_USERNAME_FORM_FIELD
    value = credentials.get(field) if credentials else getattr(request, "POST", {}).get(field)
    return normalise_email(value) if isinstance(value, str) else value


def client_ip_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address the login attempt came from.

    Each trusted proxy appends the address it got the request from to X-Forwarded-For, so the entry
    TRUSTED_PROXY_COUNT places from the right is the client as our outermost proxy saw it. Entries left
    of it come from the client and may be forged; they are never read.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count or not forwarded[-count]:
        return remote  # not through our proxies (e.g. a health check on the app server itself)
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def _is_address_alone(parameter: str | list[str]) -> bool:
    return parameter == ADDRESS_ALONE or (not isinstance(parameter, str) and list(parameter) == [ADDRESS_ALONE])


class LoginLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no type hints
    """The database handler with a separate, higher limit for the address-alone parameter."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """Failures measured against AXES_FAILURE_LIMIT: the highest count of a parameter other than
        the address alone, or the full limit once the address alone reached AXES_ADDRESS_FAILURE_LIMIT."""
        limit = get_failure_limit(request, credentials)
        worst = 0
        parameters = get_lockout_parameters(request, credentials)
        for parameter, attempts in zip(parameters, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if _is_address_alone(parameter):
                failures = limit if failures >= settings.AXES_ADDRESS_FAILURE_LIMIT else 0
            worst = max(worst, failures)
        return worst

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """After a successful login: forget this user's failures at this address, nothing else."""
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)  # set by axes on every request
        count: int = AccessAttempt.objects.filter(username=username, ip_address=address).delete()[0]
        return count


class PasswordCheck(enum.Enum):
    RIGHT = "right"
    WRONG = "wrong"
    LOCKED_OUT = "locked out"


def check_own_password(request: HttpRequest, user: User, password: str) -> PasswordCheck:
    """Is `password` the password of `user`? Asked like the login: through `authenticate` with the
    request, so axes counts a wrong one and refuses every one during a lockout. A right one clears
    this person's failures at this address (AXES_RESET_ON_SUCCESS), as a login does.

    The lockout is answered by the form (`validate_own_password`), not by AxesMiddleware's lockout
    page: the person keeps their page and reads why it refuses."""
    checked = authenticate(request, username=user.get_username(), password=password)
    if getattr(request, "axes_locked_out", False):
        setattr(request, "axes_locked_out", False)  # noqa: B010 - the form says it; no lockout page instead
        return PasswordCheck.LOCKED_OUT
    if checked is None or checked.pk != user.pk:
        return PasswordCheck.WRONG
    if settings.AXES_RESET_ON_SUCCESS:
        AxesProxyHandler.get_implementation().reset_user_attempts(request, {"username": user.get_username()})
    return PasswordCheck.RIGHT


def locked_out_message() -> str:
    minutes = math.ceil(settings.AXES_COOLOFF_TIME * 60)
    return ngettext(
        "Too many wrong passwords. To protect your account, your password is refused here and at the login "
        "for %(minutes)d minute, even the right one. Ask your organisation admin if you need help.",
        "Too many wrong passwords. To protect your account, your password is refused here and at the login "
        "for %(minutes)d minutes, even the right one. Ask your organisation admin if you need help.",
        minutes,
    ) % {"minutes": minutes}


def validate_own_password(request: HttpRequest, user: User, password: str, *, wrong_message: StrOrPromise) -> None:
    """The check of a form's password field: `wrong_message` for a wrong password, the lockout message
    once axes locked this person (or this address) out."""
    outcome = check_own_password(request, user, password)
    if outcome is PasswordCheck.LOCKED_OUT:
        raise ValidationError(locked_out_message(), code="password_locked_out")
    if outcome is PasswordCheck.WRONG:
        raise ValidationError(wrong_message, code="password_incorrect")
