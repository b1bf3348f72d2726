"""The rules of group tablets and PINs.

- A location manager registers a device as the tablet of a group at their location(s); the
  device keeps a random token in a cookie, the database its SHA-256 (`register_tablet`).
- On the tablet, the staff of that group (and nobody else) switch user with a personal PIN of 4 to
  6 digits (`check_pin`). A PIN holds for TABLET_PASSWORD_DAYS after its owner last gave their full
  password. Any login with the password (the login page, the tablet's password form, the PIN page)
  renews it (`password_confirmed`).
- Wrong PINs count per person and per tablet (`PinFailures`), never per room or per tablet alone, so
  one person's wrong tries never slow down a colleague: TABLET_PIN_FREE_TRIES wrong tries are free,
  each further one makes that person wait before the next try (TABLET_PIN_FIRST_PAUSE_SECONDS, then
  doubling), and at TABLET_PIN_MAX_TRIES that person gives their password on that tablet once. At the
  next unlock on that tablet the person is told how many wrong PINs were typed for them since when
  (`PinResult.missed`, `take_missed`).

  This is devices' own counter, not django-axes: axes guards the password, keyed by (person, address)
  and by address; counting PINs there would let wrong PINs on a tablet lock the person's password at
  the login (the whole location shares one address), which is the lockout this avoids.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import math
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Pin, PinFailures, Tablet
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
    WRONG = "wrong"  # wait_seconds: the pause before the next try (0 while tries are free)
    WAIT = "wait"  # a try during the pause: not checked, not counted
    LOCKED = "locked"  # too many wrong tries on this tablet: the password unlocks
    PASSWORD_NEEDED = "password_needed"  # the password was last given too long ago
    NO_PIN = "no_pin"
    NOT_ALLOWED = "not_allowed"  # not (or no longer) staff of the tablet's group, or inactive


@dataclass(frozen=True)
class MissedPins:
    """Wrong PINs typed for a person on a tablet that they have not been told of yet."""

    count: int
    since: datetime.datetime


@dataclass(frozen=True)
class PinResult:
    outcome: PinOutcome
    wait_seconds: int = 0
    free_tries_left: int = 0
    missed: MissedPins | None = None  # with OK: what the person is told

    @property
    def ok(self) -> bool:
        return self.outcome is PinOutcome.OK


@dataclass(frozen=True)
class PinStatus:
    """What the owner's PIN page says."""

    has_pin: bool
    locked: bool = False  # on some tablet the password is needed after too many wrong PINs
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
        user=user, defaults={"pin_hash": make_password(pin), "password_confirmed_at": now}
    )
    _clear_failures(user)
    return record


def remove_pin(user: User) -> None:
    Pin.objects.filter(user=user).delete()


def password_days() -> datetime.timedelta:
    return datetime.timedelta(days=settings.TABLET_PASSWORD_DAYS)


def pause_after(failures: int) -> datetime.timedelta:
    """The wait before the next try after `failures` wrong PINs in a row (0 while tries are free)."""
    beyond = failures - settings.TABLET_PIN_FREE_TRIES
    if beyond <= 0:
        return datetime.timedelta(0)
    return datetime.timedelta(seconds=settings.TABLET_PIN_FIRST_PAUSE_SECONDS * 2 ** (beyond - 1))


def _seconds_until(moment: datetime.datetime, now: datetime.datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _failures_row(user: User, tablet: Tablet) -> PinFailures:
    """This person's row on this tablet, locked for the rest of the transaction."""
    try:
        with transaction.atomic():
            PinFailures.objects.get_or_create(user=user, tablet=tablet)
    except IntegrityError:  # a twin request made it first
        pass
    return PinFailures.objects.select_for_update().get(user=user, tablet=tablet)


def _take_missed(row: PinFailures) -> MissedPins | None:
    missed = MissedPins(row.unreported, row.unreported_since) if row.unreported and row.unreported_since else None
    row.unreported, row.unreported_since = 0, None
    return missed


def check_pin(user: User, tablet: Tablet, pin: str, *, now: datetime.datetime | None = None) -> PinResult:
    """May `user` switch to themselves on `tablet` with `pin`? A wrong PIN counts for this person on this
    tablet only: free tries, then a growing pause, then the password (see the module's docstring)."""
    now = now or timezone.now()
    if not user.is_active or not may_use_tablet(user, tablet):
        return PinResult(PinOutcome.NOT_ALLOWED)
    with transaction.atomic():
        record = Pin.objects.filter(user=user).first()
        if record is None:
            return PinResult(PinOutcome.NO_PIN)
        if now - record.password_confirmed_at > password_days():
            return PinResult(PinOutcome.PASSWORD_NEEDED)
        row = _failures_row(user, tablet)
        if row.password_required_at is not None:
            return PinResult(PinOutcome.LOCKED)
        if row.blocked_until is not None and now < row.blocked_until:
            return PinResult(PinOutcome.WAIT, wait_seconds=_seconds_until(row.blocked_until, now))
        if PIN_PATTERN.match(pin or "") and check_password(pin, record.pin_hash):
            missed = _take_missed(row)
            row.delete()
            return PinResult(PinOutcome.OK, missed=missed)
        row.failures += 1
        row.unreported += 1
        row.unreported_since = row.unreported_since or now
        if row.failures >= settings.TABLET_PIN_MAX_TRIES:
            row.password_required_at = now
            row.blocked_until = None
        else:
            pause = pause_after(row.failures)
            row.blocked_until = now + pause if pause else None
        row.save()
    if row.password_required_at is not None:
        return PinResult(PinOutcome.LOCKED)
    return PinResult(
        PinOutcome.WRONG,
        wait_seconds=_seconds_until(row.blocked_until, now) if row.blocked_until else 0,
        free_tries_left=max(0, settings.TABLET_PIN_FREE_TRIES - row.failures),
    )


def pin_wait(user: User, tablet: Tablet, *, now: datetime.datetime | None = None) -> int:
    """Seconds this person still waits before their next PIN try on this tablet (0: none)."""
    now = now or timezone.now()
    row = PinFailures.objects.filter(user=user, tablet=tablet, blocked_until__gt=now).first()
    return _seconds_until(row.blocked_until, now) if row and row.blocked_until else 0


def pin_locked_on(user: User, tablet: Tablet) -> bool:
    """Too many wrong PINs for this person on this tablet: the password is needed there once."""
    return PinFailures.objects.filter(user=user, tablet=tablet, password_required_at__isnull=False).exists()


def take_missed(user: User, tablet: Tablet) -> MissedPins | None:
    """After an unlock with the password: the wrong PINs the person is told of, now told."""
    with transaction.atomic():
        row = PinFailures.objects.select_for_update().filter(user=user, tablet=tablet).first()
        if row is None:
            return None
        missed = _take_missed(row)
        if row.failures:
            row.save()
        else:
            row.delete()
    return missed


def _clear_failures(user: User) -> None:
    """The pauses and password requirements of a person on every tablet end; what they have not been
    told of yet stays until their next unlock on that tablet."""
    PinFailures.objects.filter(user=user, unreported=0).delete()
    PinFailures.objects.filter(user=user).update(failures=0, blocked_until=None, password_required_at=None)


def password_confirmed(user: User, *, now: datetime.datetime | None = None) -> None:
    """The user just gave their full password: their PIN works again on every tablet and holds for
    another period."""
    Pin.objects.filter(user=user).update(password_confirmed_at=now or timezone.now())
    _clear_failures(user)


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
        locked=PinFailures.objects.filter(user=user, password_required_at__isnull=False).exists(),
        valid_until=record.password_confirmed_at + password_days(),
    )
