"""The access log (inzagelog): who saw or exported which children's observations, when and where.

A page about one child writes one row naming it (`child`); a page about a group (the day view,
the group overview, the location page, the mentor list) writes ONE row listing the children it
showed (`children`, their ids). When a child's record is removed (retention or a request for
erasure) its rows keep a pseudonym instead of the child and of every id in their page's address,
the group rows drop its id from their list (and keep the pseudonym in `details`), and a REMOVED
row records when and by which rule; nothing in the log names the child or holds its id any more
(reports.services.access_log_forget_child).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Self

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from staff.access import visible_organisations
from staff.scope import AnyUser

PATH_MAX_LENGTH = 200
# In `details` of a row about a group: the pseudonyms of the children it listed whose record was removed.
REMOVED_CHILDREN = "removed_children"


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def visible_to(self, user: AnyUser) -> Self:
        """An organisation admin reads the rows of their own organisation(s)."""
        return self.filter(organisation__in=visible_organisations(user))

    def about_children(self, child_ids: list[int]) -> Self:
        """Rows about any of these children: a row naming one of them, or a group row listing one."""
        return self.filter(Q(child_id__in=child_ids) | Q(children__overlap=child_ids))


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed summary")
        EXPORT = "export", _("exported PDF")
        EXPORT_CSV = "csv", _("exported group overview (CSV)")
        VIEW_CHILD = "child", _("viewed child page (timeline)")
        VIEW_OBSERVATION = "observation", _("viewed observation")
        VIEW_GROUP = "group", _("viewed group day view")
        VIEW_GROUP_OVERVIEW = "overview", _("viewed group overview")
        VIEW_LOCATION = "location", _("viewed location page")
        VIEW_MENTOR_LIST = "mentors", _("viewed mentor list")
        VIEW_CONVERSATION = "conversation", _("viewed parent conversation")
        VIEW_FOLLOW_UP = "followup", _("viewed conversations and agreements to follow up (home page)")
        EXPORT_ACCESS = "access", _("exported all data (access request)")
        REMOVED = "removed", _("record removed")

    class Rule(models.TextChoices):
        RETENTION = "retention", _("retention period passed")
        REQUEST = "request", _("erasure on request")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        help_text=_("Empty for exports made from the command line."),
    )
    # A removed child's rows lose the link and keep `pseudonym` (privacy.erasure sets both).
    child = models.ForeignKey(
        "children.Child",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_logs",
        verbose_name=_("child"),
    )
    children = ArrayField(
        models.BigIntegerField(),
        blank=True,
        default=list,
        verbose_name=_("children shown"),
        help_text=_("On pages about a group: the ids of the children whose observations the page showed."),
    )
    pseudonym = models.CharField(
        _("pseudonym"), max_length=20, blank=True, help_text=_("Stands for a child whose record was removed.")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    path = models.CharField(_("page"), max_length=PATH_MAX_LENGTH, blank=True)
    observation_id = models.BigIntegerField(_("observation"), null=True, blank=True)
    weeks = models.PositiveSmallIntegerField(_("weeks"), null=True, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=12, choices=Rule.choices, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="accesslog_org_created"),
            models.Index(fields=["child", "-created_at"], name="accesslog_child_created"),
            GinIndex(fields=["children"], name="accesslog_children_gin"),
        ]

    def __str__(self) -> str:
        who = self.child_id or self.pseudonym or ", ".join(map(str, self.children))
        return f"{self.get_action_display()} – {who} – {self.created_at:%Y-%m-%d %H:%M}"


def exports_storage() -> Storage:
    """Where batch exports are kept: settings.EXPORTS_STORAGE (local disk, or S3-compatible)."""
    return storages.create_storage(settings.EXPORTS_STORAGE)


class BatchExport(models.Model):
    """The PDFs of a group's or a location's children as one zip, made by the task worker for the
    person who asked (reports/batch.py), offered to them only until `expires_at`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("in progress")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")
        EXPIRED = "expired", _("expired")

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
    language = models.CharField(max_length=8, default="nl")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    children = ArrayField(models.BigIntegerField(), default=list, blank=True)  # in the zip
    failures = models.JSONField(default=list, blank=True)  # [{"child": id, "name": ..., "error": ...}]
    file = models.FileField(storage=exports_storage, upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    # The run that holds the export: its number (`attempts`, counted when a worker claims it) and until
    # when it holds it without a sign of life (reports/batch.py renews the lease after each PDF).
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("batch export")
        verbose_name_plural = _("batch exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False, location__isnull=True) | Q(group__isnull=True, location__isnull=False),
                name="batchexport_group_or_location",
            )
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
