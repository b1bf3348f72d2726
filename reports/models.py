"""A parent handout as the coach or mentor prepared it (issue 21).

The handout is generated (reports/handout.py), then checked: sentences edited or left out, other
staff notes quoted. While it is a draft its author changes it; "ready" stores it as it was handed to
the parents, text and all, and it is never changed again: a reprint renders the stored text, never a
new one (reports/prepared.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from children.models import PARENT_LANGUAGES, Child


class PreparedHandout(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        READY = "ready", _("ready")

    child = models.ForeignKey(
        Child, on_delete=models.CASCADE, related_name="prepared_handouts", verbose_name=_("child")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=PARENT_LANGUAGES, help_text=_("The language the text was written in.")
    )
    # reports.handout.handout_to_data of the handout as edited; for a draft with every sentence,
    # those left out named in `left_out`; once ready exactly what was printed.
    content = models.JSONField(_("text"), encoder=DjangoJSONEncoder)
    left_out = models.JSONField(_("sentences left out"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    # The summary's window the text was generated from.
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("prepared parent handout")
        verbose_name_plural = _("prepared parent handouts")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["child", "status", "ready_at"], name="handout_child_ready")]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "prepared_by"], condition=Q(status="draft"), name="handout_one_open_draft"
            ),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(ready_at__isnull=True))
                | (Q(status="ready") & Q(ready_at__isnull=False)),
                name="handout_ready_has_moment",
            ),
            models.CheckConstraint(condition=Q(status__in=["draft", "ready"]), name="handout_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.child} – {self.created_at:%Y-%m-%d}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY
