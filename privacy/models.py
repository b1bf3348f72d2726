"""Privacy: the parents' consent to keep a record longer, and the audit trail of the records.

The audit trail: django-simple-history keeps a full copy of the row after every create and
change, and the last copy on delete, with who (the request's user) and when. Observations,
their ratings and parent conversations register it in their own apps; here it is registered for
the records an organisation admin sets up (children, placements, mentorships, memberships,
users), their history tables in this app, so the apps below need not know about it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from simple_history import register
from simple_history.models import HistoricalRecords

from children.models import Child, Mentorship, Placement
from organisations.calendar import numeric_date, today
from staff.models import Membership, User

register(Child, app="privacy")
register(Placement, app="privacy")
register(Mentorship, app="privacy")
register(Membership, app="privacy")
# The password hash stays out of the history; a login (only last_login changes) writes no row (audit.py).
register(User, app="privacy", excluded_fields=["password", "last_login"])


class RetentionConsent(models.Model):
    """The parents agreed that the record is kept longer than the retention period after
    leaving: to keep it, or to hand it over (to a school, youth health care). Until `until`,
    `apply_retention` leaves the child's record alone."""

    class Kind(models.TextChoices):
        KEEP = "keep", _("keep longer")
        HAND_OVER = "hand_over", _("hand over")

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="retention_consents", verbose_name=_("child")
    )
    kind = models.CharField(_("consent to"), max_length=12, choices=Kind.choices)
    given_on = models.DateField(_("given on"))
    until = models.DateField(
        _("keep until"), help_text=_("After this date the retention period after leaving applies again.")
    )
    note = models.CharField(
        _("note"),
        max_length=300,
        blank=True,
        help_text=_("For example to whom the record is handed over. Nothing about the child itself."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("parental consent to keep the record")
        verbose_name_plural = _("parental consents to keep the record")
        ordering = ["-until"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(until__gte=models.F("given_on")), name="consent_until_after_given"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {numeric_date(self.until)}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.given_on and self.given_on > today():
            errors["given_on"] = _("The date of the consent cannot be in the future.")
        if self.given_on and self.until and self.until < self.given_on:
            errors["until"] = _("The end date cannot be before the date of the consent.")
        if errors:
            raise ValidationError(errors)
