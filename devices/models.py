"""Shared group tablets and the personal PINs staff switch user with on them.

A tablet is known by a long random token that lives only in a signed, http-only cookie of that
device's browser; the database keeps its SHA-256. A PIN is stored like a password (Django's
hashers) and holds for TABLET_PASSWORD_DAYS after the user last gave their full password. Wrong PINs
are counted per person and tablet (`PinFailures`), so one person's wrong tries never slow down
another. The rules live in devices/services.py."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Group
from staff.models import User


class Tablet(models.Model):
    """A device registered by a manager as the shared tablet of one group."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="tablets", verbose_name=_("group"))
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    registered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("unlinked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("group tablet")
        verbose_name_plural = _("group tablets")
        ordering = ["group__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.group})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Pin(models.Model):
    """A staff member's personal PIN for group tablets (4 to 6 digits, stored hashed)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="tablet_pin", verbose_name=_("user"))
    pin_hash = models.CharField(max_length=128, editable=False)
    password_confirmed_at = models.DateTimeField(_("password last given at"))
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("PIN")
        verbose_name_plural = _("PINs")

    def __str__(self) -> str:
        return str(self.user)


class PinFailures(models.Model):
    """Wrong PINs typed for one person on one tablet: the count since their last unlock there (which
    sets the pause before the next try, and from a limit asks for their password on this tablet), and
    those they have not been told of yet. Goes with the tablet: a deleted tablet takes its rows."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    tablet = models.ForeignKey(Tablet, on_delete=models.CASCADE, related_name="+", verbose_name=_("group tablet"))
    failures = models.PositiveSmallIntegerField(_("wrong tries in a row"), default=0)
    blocked_until = models.DateTimeField(_("next try from"), null=True, blank=True)
    password_required_at = models.DateTimeField(_("password required since"), null=True, blank=True)
    unreported = models.PositiveSmallIntegerField(_("wrong tries not yet told"), default=0)
    unreported_since = models.DateTimeField(_("first wrong try not yet told"), null=True, blank=True)

    class Meta:
        verbose_name = _("wrong PINs")
        verbose_name_plural = _("wrong PINs")
        constraints = [models.UniqueConstraint(fields=["user", "tablet"], name="devices_pinfailures_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tablet_id}"
