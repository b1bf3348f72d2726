"""The access log (inzagelog): who saw or exported which children's observations, when and where.

A page about one child writes one row naming it (`child`); a page about a group (the day view,
the group overview, the location page, the mentor list) writes ONE row listing the children it
showed (`children`, their ids). When a child's record is removed (retention or a request for
erasure) its rows keep a pseudonym instead of the child and of every id in their page's address,
the group rows drop its id from their list (and keep the pseudonym in `details`), and a REMOVED
row records when and by which rule; nothing in the log names the child or holds its id any more
(access_log.services.access_log_forget_child).

The table keeps the name it was made with in the reports app (`reports_accesslog`): the model moved
here without moving its rows (access_log/migrations/0001_initial.py).
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
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
        VIEW_VISIT = "visit", _("viewed home visit")
        VIEW_VISITS = "visits", _("viewed home visits overview")
        EXPORT_ACCESS = "access", _("exported all data (access request)")
        REMOVED = "removed", _("record removed")
        IMPORTED = "import", _("read in from the planning system")

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
        db_table = "reports_accesslog"
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
