"""Dated observations of one child by one observer, with a rating per pillar seen."""

from __future__ import annotations

import datetime
import uuid
from typing import Self

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from children.models import Child
from observations.choices import Circumstance, Situation
from observations.pillars import (
    PILLAR_BY_CODE,
    PILLAR_CHOICES,
    PILLARS,
    SCALE,
    Pillar,
    rating_direction,
    rating_label,
    rating_strength,
)
from organisations.labels import choice_labels
from organisations.models import Group, Location
from staff.scope import AnyUser

NOTE_MAX_LENGTH = 1000


class ObservationQuerySet(models.QuerySet["Observation"]):
    def active(self) -> Self:
        """Observations that were not removed."""
        return self.filter(removed_at__isnull=True)

    def visible_to(self, user: AnyUser) -> Self:
        return self.active().filter(child__in=Child.objects.observable_by(user))


class Observation(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="observations", verbose_name=_("child"))
    group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("group"),
        help_text=_("The group the child was placed in on the day of the observation."),
    )
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="observations", verbose_name=_("observer")
    )
    # Someone who saw the moment together with the observer and agrees with the entry: a second pair of
    # eyes (a colleague, the childminder agency's consultant on a visit). Counts as an observer of its
    # ratings in the weekly rollup. No index: nothing looks observations up by it but the rare removal
    # of a user (PROTECT), and an index on this large table is built concurrently or not at all.
    observed_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("observed together with"),
    )
    date = models.DateField(_("date"))
    situation = models.CharField(_("moment"), max_length=16, choices=Situation.choices)
    circumstances = ArrayField(
        models.CharField(max_length=20, choices=Circumstance.choices),
        blank=True,
        default=list,
        verbose_name=_("circumstances"),
    )
    note = models.TextField(_("note"), blank=True, max_length=NOTE_MAX_LENGTH)
    # One id per rendered entry form: a double click or resubmitted form finds the first save.
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Bumped on every edit: an edit based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()
    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["-date", "-created_at"]
        indexes = [
            models.Index(fields=["child", "date"], name="observation_child_date"),
            # Live entries only: "last observed" and the counts in a window read it without the table
            # (an index-only scan), in time independent of a child's years of history (observations/recency.py).
            models.Index(
                fields=["child", "date"], condition=Q(removed_at__isnull=True), name="observation_live_child_date"
            ),
            models.Index(fields=["group", "date"], name="observation_group_date"),
            # Live entries per group, date and observer: the entries per staff member over the last weeks of
            # every group a home page or location page shows, read without the table (reports/overview.py).
            models.Index(
                fields=["group", "date", "observer"],
                condition=Q(removed_at__isnull=True),
                name="observation_live_group_date",
            ),
            models.Index(fields=["observer", "date"], name="observation_observer_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(situation__in=Situation.values), name="observation_situation_valid"),
            models.CheckConstraint(
                condition=Q(circumstances__contained_by=Circumstance.values), name="observation_circumstances_valid"
            ),
            models.CheckConstraint(
                condition=~Q(observed_with=models.F("observer")), name="observation_observed_with_someone_else"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} – {self.date:%Y-%m-%d}"

    def get_circumstances_display(self) -> list[str]:
        return choice_labels(Circumstance, self.circumstances)


def _directions_allowed_constraint() -> Q:
    """Per pillar, only the scale values of the directions it has (e.g. no low pole for strangers).
    Follows the pillar definitions: a changed or added pillar needs `makemigrations`."""
    condition = Q()
    for pillar in PILLARS:
        condition |= Q(pillar=pillar.code, value__in=list(pillar.allowed_values))
    return condition


class PillarRatingQuerySet(models.QuerySet["PillarRating"]):
    def of_child_between(self, child: Child, start: datetime.date, end: datetime.date) -> Self:
        """The ratings of the child's live observations dated `start` to `end`, newest first."""
        return self.filter(
            observation__child=child,
            observation__removed_at__isnull=True,
            observation__date__gte=start,
            observation__date__lte=end,
        ).order_by("-observation__date", "-observation__created_at", "pillar")


class PillarRating(models.Model):
    """What the observer saw on one pillar: a value on the two-sided scale and a short note."""

    observation = models.ForeignKey(
        Observation, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("observation")
    )
    pillar = models.CharField(_("pillar"), max_length=20, choices=PILLAR_CHOICES)
    value = models.SmallIntegerField(_("rating"))
    note = models.TextField(_("what did you see?"), blank=True, max_length=NOTE_MAX_LENGTH)

    history = HistoricalRecords()
    objects = PillarRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("pillar rating")
        verbose_name_plural = _("pillar ratings")
        constraints = [
            models.UniqueConstraint(fields=["observation", "pillar"], name="rating_one_per_pillar"),
            models.CheckConstraint(condition=Q(value__gte=min(SCALE), value__lte=max(SCALE)), name="rating_in_scale"),
            models.CheckConstraint(condition=_directions_allowed_constraint(), name="rating_direction_allowed"),
        ]

    def __str__(self) -> str:
        return f"{self.pillar}: {self.value}"

    @property
    def direction(self) -> str | None:
        return rating_direction(self.value)

    @property
    def strength(self) -> str | None:
        return rating_strength(self.value)

    @property
    def pillar_info(self) -> Pillar:
        return PILLAR_BY_CODE[self.pillar]

    @property
    def label(self) -> str:
        return rating_label(self.pillar_info, self.value)


class PillarWeek(models.Model):
    """The ratings of one child on one pillar in one ISO week, counted: a rollup of the live
    observations (removed ones left out), kept exact by PostgreSQL itself.

    Nothing in Python writes these rows. Triggers on observations and ratings (migration 0002)
    recount every (child, week) a statement touches, in the same transaction, from the raw rows;
    `manage.py rebuild_pillar_weeks` recounts everything. Reports read their weekly figures from
    here instead of aggregating thousands of ratings per page (reports/figures.py);
    tests/test_pillar_week_rollup.py checks it against the raw rows after random writes, edits
    and removals."""

    pk = models.CompositePrimaryKey("child", "week", "pillar")
    # No foreign-key rules of its own: the rows go with the child's observations (the triggers).
    child = models.ForeignKey(Child, on_delete=models.DO_NOTHING, related_name="+", db_index=False)
    week = models.DateField()  # the Monday of the ISO week
    pillar = models.CharField(max_length=20)
    ratings = models.PositiveIntegerField()
    low_clear = models.PositiveIntegerField()  # value -2
    low_slight = models.PositiveIntegerField()  # value -1
    typical = models.PositiveIntegerField()  # value 0
    high_slight = models.PositiveIntegerField()  # value 1
    high_clear = models.PositiveIntegerField()  # value 2
    atypical_with_circumstances = models.PositiveIntegerField()  # atypical ratings on a day with circumstances
    observer_ids = ArrayField(models.BigIntegerField())  # distinct, ascending
    atypical_observer_ids = ArrayField(models.BigIntegerField())  # distinct, ascending
    # {circumstance code: atypical ratings on a day that named it}, only codes that occur
    circumstances_on_atypical = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("pillar week")
        verbose_name_plural = _("pillar weeks")
        indexes = [
            # The weeks with an atypical rating only (about one row in ten): a page looking for recurring
            # attention points reads which pillars of its children had enough of them in the window from
            # here alone (an index-only scan), and the full rows of those few (reports/attention.py).
            models.Index(
                fields=["child", "week", "pillar"],
                condition=Q(ratings__gt=models.F("typical")),
                name="pillarweek_atypical",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.week} {self.pillar}: {self.ratings}"


class DuoObservation(models.Model):
    """Two staff members rate one child in the same moment, each on their own: neither sees the
    other's entry of that day on the child's timeline until both have saved one
    (observations/selectors.py `hidden_by_pending_duo`). Planned by the coach from the agreement page."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+", verbose_name=_("child"))
    pillars = ArrayField(
        models.CharField(max_length=20, choices=PILLAR_CHOICES), blank=True, default=list, verbose_name=_("pillars")
    )
    staff_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("first staff member")
    )
    staff_b = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("second staff member")
    )
    planned_date = models.DateField(_("date"))
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("duo-observation")
        verbose_name_plural = _("duo-observations")
        ordering = ["planned_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(staff_a=models.F("staff_b")), name="duo_two_different_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.child} – {self.planned_date:%Y-%m-%d}"

    @property
    def pillar_names(self) -> list[str]:
        return [str(PILLAR_BY_CODE[code].name) for code in self.pillars if code in PILLAR_BY_CODE]


AGREEMENTS_MAX_LENGTH = 4000


class Visit(models.Model):
    """A home visit: the agency's consultant at a childminder's home (a Location of kind CHILDMINDER),
    what they saw of the children there (ordinary observations by the consultant, linked through
    `VisitObservation`) and what they agreed with the childminder. observations/visits.py holds the rules."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="visits", verbose_name=_("location"))
    visited_on = models.DateField(_("date of the visit"))
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("consultant")
    )
    agreements = models.TextField(_("agreements with the childminder"), blank=True, max_length=AGREEMENTS_MAX_LENGTH)
    # One id per rendered form: a double click finds the first save (children/entries.py).
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    observations: models.ManyToManyField[Observation, VisitObservation] = models.ManyToManyField(
        Observation, through="VisitObservation", related_name="visits", verbose_name=_("observations")
    )

    history = HistoricalRecords(excluded_fields=["submission_key"])

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-created_at"]
        indexes = [models.Index(fields=["location", "visited_on"], name="visit_location_date")]

    def __str__(self) -> str:
        return f"{self.location} – {self.visited_on:%Y-%m-%d}"


class VisitObservation(models.Model):
    """An observation made during a home visit: at most one visit per observation."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="+")
    observation = models.OneToOneField(Observation, on_delete=models.CASCADE, related_name="visit_link")

    class Meta:
        verbose_name = _("observation during a home visit")
        verbose_name_plural = _("observations during a home visit")

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.observation_id}"


class VisitPlan(models.Model):
    """The next home visit planned at a childminder's home: one date per home, set at a visit or on
    the visits overview (`Volgend bezoek gepland`)."""

    location = models.OneToOneField(
        Location, on_delete=models.CASCADE, related_name="visit_plan", verbose_name=_("location")
    )
    planned_on = models.DateField(_("next visit planned"))
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("planned by")
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned home visit")
        verbose_name_plural = _("planned home visits")

    def __str__(self) -> str:
        return f"{self.location} – {self.planned_on:%Y-%m-%d}"
