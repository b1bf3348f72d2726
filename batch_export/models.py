"""The batch export's record: the zip of a group's or a location's PDFs (batch_export/services.py makes it).

The table keeps the name it was made with in the reports app (`reports_batchexport`): the model moved
here without moving its rows (batch_export/migrations/0001_initial.py)."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import Storage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organisations import downloads


def exports_storage() -> Storage:
    """Where the zips are kept: the exports storage (organisations/downloads.py), by the name the
    migrations know."""
    return downloads.exports_storage()


class BatchExport(models.Model):
    """The PDFs of a group's or a location's children as one zip, made by the task worker for the
    person who asked (batch_export/services.py), offered to them only until `expires_at`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("in progress")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

    class Kind(models.TextChoices):
        SUMMARIES = "summaries", _("summaries for the team")
        HANDOUTS = "handouts", _("handouts for the parents")

    OPEN = (Status.QUEUED, Status.RUNNING)  # a worker will make it (or take it over)
    INTERRUPTED = "interrupted"  # `error` of an export whose every attempt was cut off (EXPORT_MAX_ATTEMPTS)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    group = models.ForeignKey(
        "organisations.Group",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    location = models.ForeignKey(
        "organisations.Location",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    # The team's summaries (in `language`, the asker's) or the parents' handouts (each in its child's
    # parents' language; a handout prepared for the conversation where there is one).
    kind = models.CharField(_("what"), max_length=10, choices=Kind.choices, default=Kind.SUMMARIES)
    language = models.CharField(max_length=8, default="nl")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    children = ArrayField(models.BigIntegerField(), default=list, blank=True)  # in the zip
    failures = models.JSONField(default=list, blank=True)  # [{"child": id, "name": ..., "error": ...}]
    file = models.FileField(storage=exports_storage, upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    # The run that holds the export: its number (`attempts`, counted when a worker claims it) and until
    # when it holds it without a sign of life (batch_export/services.py renews the lease after each PDF).
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "reports_batchexport"
        verbose_name = _("batch export")
        verbose_name_plural = _("batch exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False, location__isnull=True) | Q(group__isnull=True, location__isnull=False),
                name="batchexport_group_or_location",
            ),
            models.CheckConstraint(condition=Q(kind__in=["summaries", "handouts"]), name="batchexport_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.group or self.location} – {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def subject(self) -> str:
        return str(self.group or self.location)

    def lease_expired(self, now: datetime.datetime | None = None) -> bool:
        """In progress, but its worker has given no sign of life in time: another may take it over."""
        return self.status == self.Status.RUNNING and (
            self.lease_until is None or self.lease_until <= (now or timezone.now())
        )

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else (100 if self.finished else 0)

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        """Past its time: marked so, or its zip's offer has run out (the worker marks it later)."""
        now = now or timezone.now()
        return self.status == self.Status.EXPIRED or (self.expires_at is not None and self.expires_at <= now)

    @property
    def shown_status(self) -> str:
        """The status as the person who asked sees it: expired as soon as its time is up."""
        return str(self.Status.EXPIRED if self.is_expired() else self.status)

    @property
    def is_ready(self) -> bool:
        """Its zip may be fetched: made, and not past its time."""
        return self.shown_status == self.Status.DONE
