"""The one notion of "last observed": when a child was last observed and whether that is too long ago.

Every page that marks a child nobody observed lately (the group's day view, the mentor
list, the group overview, the location figures) reads it from here: the date of the
last observation that was not removed, the exact number of days since, and the mark
(OBSERVATION_STALE_DAYS or more, or never).

The date is read per child from the end of the index of live observations by child and date
(`observation_live_child_date`): one index entry per child, however many years of entries the
child has (tests/test_bounded_history.py pins that).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import DateField, OuterRef, Subquery

from observations.models import Observation
from organisations.calendar import days_between


@dataclass(frozen=True)
class LastObserved:
    date: datetime.date | None  # None: never observed
    days_since: int | None  # exact whole days from that date to the day of the page
    is_stale: bool  # never observed, or not for OBSERVATION_STALE_DAYS days or more

    @property
    def is_never(self) -> bool:
        return self.date is None


def last_observed(date: datetime.date | None, *, day: datetime.date) -> LastObserved:
    """Whether a child last observed on `date` (None: never) is marked on `day`."""
    if date is None:
        return LastObserved(None, None, True)
    days = days_between(date, day)
    return LastObserved(date, days, days >= settings.OBSERVATION_STALE_DAYS)


def last_observed_date(child: str = "pk") -> Subquery:
    """An expression for a queryset: the date of the child's last observation that was not removed.
    `child` names the field of the queryset's model that holds the child's id ("pk" on Child,
    "child_id" on Placement). A subquery per child, `ORDER BY date DESC LIMIT 1`, that PostgreSQL
    answers from the last entry of the child in the partial index `observation_live_child_date`."""
    latest = (
        Observation.objects.filter(child_id=OuterRef(child), removed_at__isnull=True)
        .order_by("-date")
        .values("date")[:1]
    )
    return Subquery(latest, output_field=DateField())
