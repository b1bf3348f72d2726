"""Parent conversations: who took part, what the parents told, the agreements made.

A conversation belongs to one child. Its agreements each say what, who and when to
look back; an agreement can ask the group to watch some pillars for a few weeks
(a focus). Every change is kept (simple-history), like observations.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from children.models import Child
from observations.pillars import PILLAR_CHOICES, PILLARS

TEXT_MAX_LENGTH = 2000
FOCUS_MAX_WEEKS = 26


class Conversation(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="conversations", verbose_name=_("child"))
    date = models.DateField(_("date of the conversation"))
    participants = models.CharField(_("who took part"), max_length=300)
    parents_context = models.TextField(_("what the parents told"), blank=True, max_length=TEXT_MAX_LENGTH)
    next_date = models.DateField(_("next conversation"), null=True, blank=True)
    parents_words_in_report = models.BooleanField(
        _("the parents' words may be in the report"),
        default=False,
        help_text=_("The parents agree that what they told is written in the report for the parents."),
    )
    # The parents' own view: the pillars where they recognise what the team sees (they see it at home too).
    # A second view of the child beside the observers' (reports/patterns.py: it counts as one).
    parents_recognise = ArrayField(
        models.CharField(max_length=20, choices=PILLAR_CHOICES),
        blank=True,
        default=list,
        verbose_name=_("the parents recognise this"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    # One id per rendered form: a double click finds the first save.
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Bumped on every edit: an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("parent conversation")
        verbose_name_plural = _("parent conversations")
        ordering = ["-date", "-created_at"]
        indexes = [models.Index(fields=["child", "date"], name="conversation_child_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(next_date__isnull=True) | Q(next_date__gt=models.F("date")),
                name="conversation_next_after_date",
            ),
            models.CheckConstraint(
                condition=Q(parents_recognise__contained_by=[p.code for p in PILLARS]),
                name="conversation_parents_recognise_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} – {self.date:%Y-%m-%d}"

    @property
    def parents_recognise_names(self) -> list[str]:
        names = dict(PILLAR_CHOICES)
        return [str(names.get(code, code)) for code in self.parents_recognise]


def focus_end(conversation_date: datetime.date, focus_weeks: int | None) -> datetime.date | None:
    """The last day of an agreement's focus: the conversation's date plus the weeks (None: no focus)."""
    if not focus_weeks:
        return None
    return conversation_date + datetime.timedelta(weeks=focus_weeks)


class Agreement(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("conversation")
    )
    text = models.TextField(_("what was agreed"), max_length=TEXT_MAX_LENGTH)
    who = models.CharField(_("who"), max_length=200)
    due_by = models.DateField(_("done by"), null=True, blank=True)
    follow_up = models.DateField(_("look back on"))
    for_group = models.BooleanField(
        _("for the group's staff"), default=False, help_text=_("The staff of the child's group see this agreement.")
    )
    focus_pillars = ArrayField(
        models.CharField(max_length=20, choices=PILLAR_CHOICES),
        blank=True,
        default=list,
        verbose_name=_("pillars to watch"),
    )
    focus_weeks = models.PositiveSmallIntegerField(_("weeks to watch"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("looked back on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["follow_up", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(focus_pillars__contained_by=[p.code for p in PILLARS]),
                name="agreement_focus_pillars_valid",
            ),
            models.CheckConstraint(
                condition=(Q(focus_pillars=[]) & Q(focus_weeks__isnull=True))
                | (~Q(focus_pillars=[]) & Q(focus_weeks__gte=1, focus_weeks__lte=FOCUS_MAX_WEEKS)),
                name="agreement_focus_has_weeks",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def focus_pillar_names(self) -> list[str]:
        names = dict(PILLAR_CHOICES)
        return [str(names.get(code, code)) for code in self.focus_pillars]

    @property
    def focus_until(self) -> datetime.date | None:
        """The last day of the focus (the conversation's date plus the weeks)."""
        return focus_end(self.conversation.date, self.focus_weeks)
