"""The one notion of "last observed": when a child was last observed and whether that is too long ago.

Every page that marks a child nobody observed lately (the group's day view, the mentor
list, the group overview, the location figures) reads it from here: the date of the
last observation that was not removed, the exact number of days since, and the mark
(OBSERVATION_STALE_DAYS or more, or never).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, Q

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


def last_observed_date(to_child: str = "") -> Max:
    """An aggregate for a queryset: the date of the child's last observation that was not removed.
    `to_child` reaches the child from the queryset's model ('' on Child, 'child__' on Placement)."""
    observations = f"{to_child}observations"
    return Max(f"{observations}__date", filter=Q(**{f"{observations}__removed_at__isnull": True}))
