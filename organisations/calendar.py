"""Today and ISO weeks in the site's time zone (Europe/Amsterdam): the one place for date arithmetic.

It sits on the bottom floor so that every app above can use it.
"""

import calendar
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


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months (negative: back); a day the month lacks becomes its last day
    (31 May 2026 - 3 months = 28 February 2026; 29 February 2024 + 12 months = 28 February 2025)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def months_cutoff(on: datetime.date, months: int) -> datetime.date:
    """The first day that lies no more than `months` months before `on`: every earlier day lies more
    than `months` months before it (moved on by `months` months, it falls before `on`).

    Not simply `add_months(on, -months)`: going back clamps to the end of a shorter month, and
    12 months before 29 February 2028 would read 28 February 2027, whose anniversary (28 February
    2028) has passed by the 29th; so has 30 September's three months on 31 December."""
    cutoff = add_months(on, -months)
    while add_months(cutoff, months) < on:  # at most three days past a clamped end of month
        cutoff += datetime.timedelta(days=1)
    return cutoff


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
