"""Privacy: the parents' consent to keep a record longer.

The audit trail that privacy reads (records.py, export.py, erasure.py): django-simple-history keeps a
full copy of the row after every create and change, and the last copy on delete, with who (the
request's user) and when. Every model with a history declares it the same way, on the model:
`history = HistoricalRecords(...)` (children, placements, mentorships, memberships, users,
observations, their ratings, conversations, agreements, and the consent below). The history tables of
children, placements, mentorships, memberships and users keep the names they were made with here
(`privacy_historical...`, the `table_name` of their HistoricalRecords).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from simple_history.models import HistoricalRecords

from children.models import Child
from organisations.calendar import numeric_date, today


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
