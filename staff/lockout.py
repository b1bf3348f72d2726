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
"""

import ipaddress
import unicodedata

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

ADDRESS_ALONE = "ip_address"


def normalise_email(value: str) -> str:
    """Unicode NFKC (full-width letters become plain ones), surrounding white space off, lower case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def lockout_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
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


class LoginLockoutHandler(AxesDatabaseHandler):
    """The database handler with a separate, higher limit for the address-alone parameter."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
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

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """After a successful login: forget this user's failures at this address, nothing else."""
        username = get_client_username(request, credentials)
        address = getattr(request, "axes_ip_address", None)  # set by axes on every request
        count, _ = AccessAttempt.objects.filter(username=username, ip_address=address).delete()
        return count
