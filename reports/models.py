"""The access log (inzagelog): who looked at or exported which child's summary, and when."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from staff.scope import AnyUser, scope_for


class AccessLogQuerySet(models.QuerySet["AccessLog"]):
    def visible_to(self, user: AnyUser) -> Self:
        """An organisation admin reads the rows of their own organisation(s)."""
        scope = scope_for(user)
        if scope.all_organisations:
            return self
        return self.filter(organisation_id__in=scope.manages.organisation_ids)


class AccessLog(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed summary")
        EXPORT = "export", _("exported PDF")
        EXPORT_CSV = "csv", _("exported group overview (CSV)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        help_text=_("Empty for exports made from the command line."),
    )
    child = models.ForeignKey(
        "children.Child", on_delete=models.CASCADE, related_name="access_logs", verbose_name=_("child")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    weeks = models.PositiveSmallIntegerField(_("weeks"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="accesslog_org_created")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.child_id} – {self.created_at:%Y-%m-%d %H:%M}"
