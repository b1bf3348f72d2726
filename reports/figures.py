"""Weekly figures per child and pillar, computed in the database.

One aggregate query returns, for every (child, pillar, ISO week) in the window,
the number of ratings, the observers, the ratings per scale value and the
atypical ratings that fell on a day with recorded circumstances. Window-level
figures (distinct observers over the whole window, circumstances named on
atypical days) come from the same rows: the observers of each week are
aggregated as an array of ids, so their union over the weeks is exact.

`weekly_figures_for_children` serves a whole group at once (issue 5);
`weekly_figures` is the one-child form the summary and the PDF use.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, QuerySet

from children.models import Child
from observations.choices import Circumstance
from observations.models import PillarRating
from observations.pillars import PILLARS, Direction, Pillar
from organisations.calendar import Week, last_weeks

ATYPICAL = ~Q(value=0)
ON_CIRCUMSTANCE_DAY = ~Q(observation__circumstances=[])


@dataclass(frozen=True)
class WeekFigures:
    """One pillar of one child in one ISO week."""

    week: Week
    ratings: int = 0
    observers: int = 0
    low_clear: int = 0  # value -2
    low_slight: int = 0  # value -1
    typical: int = 0  # value 0
    high_slight: int = 0  # value 1
    high_clear: int = 0  # value 2
    atypical_with_circumstances: int = 0
    observer_ids: frozenset[int] = frozenset()
    atypical_observer_ids: frozenset[int] = frozenset()
    # atypical ratings per circumstance code recorded that day
    circumstances_on_atypical: dict[str, int] = field(default_factory=dict)

    @property
    def low(self) -> int:
        return self.low_clear + self.low_slight

    @property
    def high(self) -> int:
        return self.high_clear + self.high_slight

    @property
    def atypical(self) -> int:
        return self.low + self.high

    @property
    def is_empty(self) -> bool:
        return self.ratings == 0


@dataclass(frozen=True)
class PillarFigures:
    """One pillar of one child over the window: a `WeekFigures` for every week, oldest first
    (empty weeks included), and the window-level counts."""

    pillar: Pillar
    weeks: tuple[WeekFigures, ...]

    def _sum(self, name: str) -> int:
        return sum(getattr(w, name) for w in self.weeks)

    @property
    def ratings(self) -> int:
        return self._sum("ratings")

    @property
    def typical(self) -> int:
        return self._sum("typical")

    @property
    def low(self) -> int:
        return self._sum("low")

    @property
    def high(self) -> int:
        return self._sum("high")

    @property
    def atypical(self) -> int:
        return self._sum("atypical")

    @property
    def atypical_with_circumstances(self) -> int:
        return self._sum("atypical_with_circumstances")

    @property
    def rated_weeks(self) -> int:
        return sum(1 for w in self.weeks if w.ratings)

    @property
    def atypical_weeks(self) -> int:
        return sum(1 for w in self.weeks if w.atypical)

    @property
    def observer_ids(self) -> frozenset[int]:
        return frozenset().union(*(w.observer_ids for w in self.weeks))

    @property
    def observers(self) -> int:
        """Distinct observers of this pillar over the whole window."""
        return len(self.observer_ids)

    @property
    def atypical_observers(self) -> int:
        return len(frozenset().union(*(w.atypical_observer_ids for w in self.weeks)))

    @property
    def circumstances_on_atypical(self) -> dict[str, int]:
        """Atypical ratings per circumstance recorded that day, most frequent first."""
        totals: dict[str, int] = defaultdict(int)
        for w in self.weeks:
            for code, count in w.circumstances_on_atypical.items():
                totals[code] += count
        return dict(sorted(((c, n) for c, n in totals.items() if n), key=lambda item: (-item[1], item[0])))

    def direction_count(self, direction: str) -> int:
        return self.low if direction == Direction.LOW else self.high


@dataclass(frozen=True)
class ChildFigures:
    """All eight pillars of one child over a window of weeks."""

    child_id: int
    weeks: tuple[Week, ...]
    pillars: tuple[PillarFigures, ...]

    @property
    def start(self) -> datetime.date:
        return self.weeks[0].start

    @property
    def end(self) -> datetime.date:
        return self.weeks[-1].end

    def pillar(self, code: str) -> PillarFigures:
        return next(p for p in self.pillars if p.pillar.code == code)


def window(weeks: int, until: datetime.date | None = None) -> tuple[Week, ...]:
    """The `weeks` ISO weeks ending with the week of `until` (default today), oldest first."""
    return tuple(last_weeks(weeks, until))


def _circumstance_key(code: str) -> str:
    return f"circ_{code}"


def _aggregate_rows(
    children_ids: list[int], start: datetime.date, end: datetime.date
) -> QuerySet[PillarRating, dict[str, Any]]:
    """The one aggregate query: a row per (child, pillar, week) that has ratings."""
    circumstance_counts = {
        _circumstance_key(code): Count("id", filter=ATYPICAL & Q(observation__circumstances__contains=[code]))
        for code in Circumstance.values
    }
    return (
        PillarRating.objects.filter(
            observation__child_id__in=children_ids,
            observation__removed_at__isnull=True,
            observation__date__gte=start,
            observation__date__lte=end,
        )
        # The week as its place in the window (0 = the first week), counted by PostgreSQL: plain dates
        # and `start` a Monday, so no time zone is involved, and no date is sent back to parse.
        .annotate(
            week_index=Func(
                F("observation__date"),
                template=f"((%(expressions)s - DATE '{start.isoformat()}') / 7)",
                output_field=IntegerField(),
            )
        )
        .values("observation__child_id", "pillar", "week_index")
        .annotate(
            ratings=Count("id"),
            observers=Count("observation__observer_id", distinct=True),
            low_clear=Count("id", filter=Q(value=-2)),
            low_slight=Count("id", filter=Q(value=-1)),
            typical=Count("id", filter=Q(value=0)),
            high_slight=Count("id", filter=Q(value=1)),
            high_clear=Count("id", filter=Q(value=2)),
            atypical_with_circumstances=Count("id", filter=ATYPICAL & ON_CIRCUMSTANCE_DAY),
            observer_ids=ArrayAgg("observation__observer_id", distinct=True),
            atypical_observer_ids=ArrayAgg("observation__observer_id", distinct=True, filter=ATYPICAL, default=[]),
            **circumstance_counts,
        )
        .order_by()
    )


def _rows(queryset: QuerySet[PillarRating, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The rows of a values() queryset run straight on the cursor: the same SQL, without Django's
    per-value converters (a 52-week group overview has thousands of rows of twenty values)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        for values in cursor.fetchall():
            yield dict(zip(names, values, strict=True))


def weekly_figures_for_children(
    children_ids: Iterable[int], weeks: int = 12, *, until: datetime.date | None = None
) -> dict[int, ChildFigures]:
    """Weekly figures for several children in ONE query: {child_id: ChildFigures}.

    Every child asked for gets an entry, with all eight pillars and every week of
    the window (empty weeks have zero ratings)."""
    ids = sorted(set(children_ids))
    span = window(weeks, until)
    found: dict[tuple[int, str, datetime.date], WeekFigures] = {}
    keys = [(code, _circumstance_key(code)) for code in Circumstance.values]  # once, not per row
    empty = {w.start: WeekFigures(week=w) for w in span}  # one empty week shared by every pillar (immutable)
    if ids:
        for row in _rows(_aggregate_rows(ids, span[0].start, span[-1].end)):
            week = span[row["week_index"]]
            typical = row["typical"]
            atypical = row["ratings"] - typical
            found[(row["observation__child_id"], row["pillar"], week.start)] = WeekFigures(
                week=week,
                ratings=row["ratings"],
                observers=row["observers"],
                low_clear=row["low_clear"],
                low_slight=row["low_slight"],
                typical=typical,
                high_slight=row["high_slight"],
                high_clear=row["high_clear"],
                atypical_with_circumstances=row["atypical_with_circumstances"],
                observer_ids=frozenset(row["observer_ids"] or ()),
                # most weeks are all typical: nothing atypical to break down
                atypical_observer_ids=frozenset(i for i in row["atypical_observer_ids"] or () if i is not None)
                if atypical
                else frozenset(),
                circumstances_on_atypical={code: row[key] for code, key in keys if row[key]}
                if row["atypical_with_circumstances"]
                else {},
            )
    return {
        child_id: ChildFigures(
            child_id=child_id,
            weeks=span,
            pillars=tuple(
                PillarFigures(
                    pillar=pillar,
                    weeks=tuple(found.get((child_id, pillar.code, w.start)) or empty[w.start] for w in span),
                )
                for pillar in PILLARS
            ),
        )
        for child_id in ids
    }


def weekly_figures(child: Child, weeks: int = 12, *, until: datetime.date | None = None) -> ChildFigures:
    """Weekly figures of one child (one query)."""
    return weekly_figures_for_children([child.pk], weeks, until=until)[child.pk]
