"""The rules of group tablets and PINs.

- A location manager registers a device as the tablet of a group at their location(s); the
  device keeps a random token in a cookie, the database its SHA-256 (`register_tablet`).
- On the tablet, the staff of that group (and nobody else) switch user with a personal PIN of 4 to
  6 digits (`check_pin`). TABLET_PIN_MAX_TRIES wrong tries in a row lock the PIN; a PIN holds for
  TABLET_PASSWORD_DAYS after its owner last gave their full password. Any login with the password
  (the login page, the tablet's password form, the PIN page) unlocks and renews it
  (`password_confirmed`).
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Pin, Tablet
from organisations.models import Group
from organisations.text import visible_text
from staff.access import group_logger_memberships, tablet_groups
from staff.models import User

# request attribute set by the tablet's PIN login, so the login signal does not take it for a password
PIN_LOGIN_MARK = "devices_pin_login"
PIN_PATTERN = re.compile(r"^[0-9]{4,6}$")
# last_seen_at of a tablet is written at most this often
SEEN_RESOLUTION = datetime.timedelta(minutes=5)


class PinOutcome(enum.Enum):
    OK = "ok"
    WRONG = "wrong"  # tries_left says how many remain
    LOCKED = "locked"  # too many wrong tries: the password unlocks
    PASSWORD_NEEDED = "password_needed"  # the password was last given too long ago
    NO_PIN = "no_pin"
    NOT_ALLOWED = "not_allowed"  # not (or no longer) staff of the tablet's group, or inactive


@dataclass(frozen=True)
class PinResult:
    outcome: PinOutcome
    tries_left: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is PinOutcome.OK


@dataclass(frozen=True)
class PinStatus:
    """What the owner's PIN page says."""

    has_pin: bool
    locked: bool = False
    valid_until: datetime.datetime | None = None  # after this the full password is needed once

    @property
    def password_needed(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.now()


# --- tablets -----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def registrable_groups(user: User) -> QuerySet[Group]:
    """The groups a user may register a tablet for: those where their role registers tablets
    (ROLE_RULES: the location manager)."""
    return tablet_groups(user).select_related("location").order_by("location__name", "name")


def managed_tablets(user: User) -> QuerySet[Tablet]:
    """The linked tablets of the groups a user may register tablets for."""
    return Tablet.objects.filter(group__in=registrable_groups(user), revoked_at__isnull=True).select_related(
        "group", "registered_by"
    )


def register_tablet(*, group: Group, name: str, by: User, replacing: Tablet | None = None) -> tuple[Tablet, str]:
    """Link a device to a group. Returns the tablet and the token for the device's cookie (shown
    nowhere else; only its hash is stored). `replacing`: the tablet this device was before."""
    if not registrable_groups(by).filter(pk=group.pk).exists():
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        if replacing is not None and replacing.revoked_at is None:
            replacing.revoked_at = timezone.now()
            replacing.save(update_fields=["revoked_at"])
        tablet = Tablet.objects.create(
            group=group, name=visible_text(name), token_hash=token_hash(token), registered_by=by
        )
    return tablet, token


def revoke_tablet(tablet: Tablet, *, by: User) -> None:
    if not managed_tablets(by).filter(pk=tablet.pk).exists():
        raise PermissionDenied
    Tablet.objects.filter(pk=tablet.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def tablet_for_token(token: str | None) -> Tablet | None:
    """The linked tablet a cookie's token names, or None."""
    if not token:
        return None
    return (
        Tablet.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .select_related("group", "group__location")
        .first()
    )


def note_tablet_seen(tablet: Tablet, now: datetime.datetime | None = None) -> None:
    now = now or timezone.now()
    if tablet.last_seen_at is None or now - tablet.last_seen_at >= SEEN_RESOLUTION:
        Tablet.objects.filter(pk=tablet.pk).update(last_seen_at=now)
        tablet.last_seen_at = now


def staff_of_tablet(tablet: Tablet) -> QuerySet[User]:
    """Who may switch to themselves on this tablet: the active staff members of its group."""
    loggers = group_logger_memberships([tablet.group_id]).values("user_id")
    return User.objects.filter(is_active=True, pk__in=loggers).order_by("first_name", "last_name", "email")


def may_use_tablet(user: User, tablet: Tablet) -> bool:
    return tablet.is_active and staff_of_tablet(tablet).filter(pk=user.pk).exists()


# --- PINs --------------------------------------------------------------------------------------


def _is_easy(pin: str) -> bool:
    """One digit repeated, or a straight run up or down (1234, 987654)."""
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({0}, {1}, {-1})


def validate_pin(pin: str) -> None:
    if not PIN_PATTERN.match(pin or ""):
        raise ValidationError(_("A PIN has 4 to 6 digits, and only digits."), code="pin_format")
    if _is_easy(pin):
        raise ValidationError(_("Choose a PIN that is not easy to guess, unlike 1234 or 1111."), code="pin_easy")


def set_pin(user: User, pin: str, *, now: datetime.datetime | None = None) -> Pin:
    """Set (or replace) a user's PIN. The caller has just checked their full password."""
    validate_pin(pin)
    now = now or timezone.now()
    record, _created = Pin.objects.update_or_create(
        user=user,
        defaults={
            "pin_hash": make_password(pin),
            "failed_attempts": 0,
            "locked_at": None,
            "password_confirmed_at": now,
        },
    )
    return record


def remove_pin(user: User) -> None:
    Pin.objects.filter(user=user).delete()


def password_days() -> datetime.timedelta:
    return datetime.timedelta(days=settings.TABLET_PASSWORD_DAYS)


def check_pin(user: User, tablet: Tablet, pin: str, *, now: datetime.datetime | None = None) -> PinResult:
    """May `user` switch to themselves on `tablet` with `pin`? Counts a wrong try, locks at the limit."""
    now = now or timezone.now()
    if not user.is_active or not may_use_tablet(user, tablet):
        return PinResult(PinOutcome.NOT_ALLOWED)
    limit = settings.TABLET_PIN_MAX_TRIES
    with transaction.atomic():
        record = Pin.objects.select_for_update().filter(user=user).first()
        if record is None:
            return PinResult(PinOutcome.NO_PIN)
        if record.locked_at is not None:
            return PinResult(PinOutcome.LOCKED)
        if now - record.password_confirmed_at > password_days():
            return PinResult(PinOutcome.PASSWORD_NEEDED)
        if PIN_PATTERN.match(pin or "") and check_password(pin, record.pin_hash):
            if record.failed_attempts:
                record.failed_attempts = 0
                record.save(update_fields=["failed_attempts"])
            return PinResult(PinOutcome.OK)
        record.failed_attempts += 1
        if record.failed_attempts >= limit:
            record.locked_at = now
        record.save(update_fields=["failed_attempts", "locked_at"])
    if record.locked_at is not None:
        return PinResult(PinOutcome.LOCKED)
    return PinResult(PinOutcome.WRONG, tries_left=limit - record.failed_attempts)


def password_confirmed(user: User, *, now: datetime.datetime | None = None) -> None:
    """The user just gave their full password: their PIN is unlocked and holds for another period."""
    Pin.objects.filter(user=user).update(password_confirmed_at=now or timezone.now(), failed_attempts=0, locked_at=None)


def password_login_received(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """user_logged_in receiver: every login except the PIN's own proves the password."""
    if request is not None and getattr(request, PIN_LOGIN_MARK, False):
        return
    password_confirmed(user)


def pin_status(user: User) -> PinStatus:
    record = Pin.objects.filter(user=user).first()
    if record is None:
        return PinStatus(has_pin=False)
    return PinStatus(
        has_pin=True,
        locked=record.locked_at is not None,
        valid_until=record.password_confirmed_at + password_days(),
    )
