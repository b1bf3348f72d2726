"""Today and ISO weeks in the site's time zone (Europe/Amsterdam): the one place for date arithmetic.

It sits on the bottom floor so that every app above can use it.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone


def today() -> datetime.date:
    """Today's date in the site's time zone (Europe/Amsterdam)."""
    return timezone.localdate()


def day_of(moment: datetime.datetime) -> datetime.date:
    """The date of a moment in the site's time zone."""
    return timezone.localdate(moment)


def numeric_date(day: datetime.date | None) -> str:
    """A date as Dutch forms and files write it, 29-11-2026 ("" for none): in messages, CSV files
    and exports alike."""
    return f"{day:%d-%m-%Y}" if day else ""


def numeric_moment(moment: datetime.datetime | None) -> str:
    """A moment in the site's time zone as 29-11-2026 14:05 ("" for none)."""
    return f"{timezone.localtime(moment):%d-%m-%Y %H:%M}" if moment else ""


def days_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole days from `earlier` to `later` (0 on the same day)."""
    return (later - earlier).days


@dataclass(frozen=True)
class Week:
    start: datetime.date  # Monday

    @property
    def end(self) -> datetime.date:  # Sunday
        return self.start + datetime.timedelta(days=6)

    @property
    def year(self) -> int:
        return self.start.isocalendar().year

    @property
    def number(self) -> int:
        return self.start.isocalendar().week

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


class WeekWindowMixin:
    """For objects with a `window` (a tuple of Weeks, oldest first): the period it spans."""

    window: tuple[Week, ...]

    @property
    def period_start(self) -> datetime.date:
        return self.window[0].start

    @property
    def period_end(self) -> datetime.date:
        return self.window[-1].end

    @property
    def first_week(self) -> Week:
        return self.window[0]

    @property
    def last_week(self) -> Week:
        return self.window[-1]


def week_of(day: datetime.date) -> Week:
    return Week(day - datetime.timedelta(days=day.weekday()))


def current_week() -> Week:
    return week_of(today())


def last_weeks(count: int, until: datetime.date | None = None) -> list[Week]:
    """The `count` ISO weeks ending with the week of `until` (default today), oldest first."""
    last = week_of(until or today())
    return [Week(last.start - datetime.timedelta(weeks=back)) for back in range(count - 1, -1, -1)]
