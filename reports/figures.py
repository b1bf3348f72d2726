"""Weekly figures per child and pillar, read from the weekly rollup.

`observations.PillarWeek` holds, for every (child, pillar, ISO week) with ratings, the number of
ratings, the ratings per scale value, the atypical ratings on a day with recorded circumstances
(in all and per circumstance) and the observers as ids; PostgreSQL keeps it exact on every write,
edit and removal (observations/migrations/0002_pillar_week_rollup.py). A page reads a row per week
instead of aggregating every rating. Window-level figures (distinct observers over the whole
window, circumstances named on atypical days) come from the same rows: the observers of each week
are ids, so their union over the weeks is exact.

The parents' own view counts beside the observers': a pillar the parents recognised in a conversation
of the window (conversations.Conversation.parents_recognise, read in the same query) is marked on its
figures.

`weekly_figures_for_children` serves a whole group at once (issue 5);
`weekly_figures` is the one-child form the summary and the PDF use.
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connections

from children.models import Child
from conversations.selectors import parents_recognised_rows
from observations.choices import Circumstance
from observations.models import PillarWeek
from observations.pillars import PILLARS, Direction, Pillar, answer_counts
from organisations.calendar import Week, last_weeks


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
class PatternCounts:
    """What the rules read of a pillar over the window: from its weekly figures (`of`), or counted by
    PostgreSQL for many children at once (reports.attention). The rules are `decide`, the one place."""

    rated_weeks: int
    atypical_weeks: int
    observers: int  # distinct observers over the window
    atypical: int
    low: int
    high: int
    atypical_with_circumstances: int
    atypical_observers: int  # distinct observers of the atypical ratings
    # The parents recognised this pillar in a conversation of the window: their own view, beside the observers'
    parents_recognise: bool = False

    @property
    def views(self) -> int:
        """Independent views of the pillar: its distinct observers (whoever observed together with an
        observer is one of them) and the parents' own view when they recognised it."""
        return self.observers + self.parents_recognise

    @property
    def atypical_views(self) -> int:
        """Independent views of the atypical ratings: their observers and the parents' recognition."""
        return self.atypical_observers + self.parents_recognise

    @property
    def seen_by_one_person(self) -> bool:
        """One person saw this pillar and nothing confirmed it yet: not a pattern, and the reports say so."""
        return self.observers == 1 and self.views == 1

    @classmethod
    def of(cls, figures: "PillarFigures") -> "PatternCounts":
        """Counted from the weekly figures, in one pass over the weeks (a 52-week group overview reads
        8 pillars of every child). PillarFigures' properties of the same names read these."""
        rated = atypical_weeks = low = high = with_circumstances = 0
        observers: set[int] = set()
        atypical_observers: set[int] = set()
        for week in figures.weeks:
            if not week.ratings:
                continue
            rated += 1
            observers |= week.observer_ids
            week_low, week_high = week.low_clear + week.low_slight, week.high_clear + week.high_slight
            if week_low or week_high:
                atypical_weeks += 1
                atypical_observers |= week.atypical_observer_ids
                low += week_low
                high += week_high
                with_circumstances += week.atypical_with_circumstances
        return cls(
            rated_weeks=rated,
            atypical_weeks=atypical_weeks,
            observers=len(observers),
            atypical=low + high,
            low=low,
            high=high,
            atypical_with_circumstances=with_circumstances,
            atypical_observers=len(atypical_observers),
            parents_recognise=figures.parents_recognise,
        )


@dataclass(frozen=True)
class PillarFigures:
    """One pillar of one child over the window: a `WeekFigures` for every week, oldest first
    (empty weeks included), and the window-level counts."""

    pillar: Pillar
    weeks: tuple[WeekFigures, ...]
    # the parents recognised this pillar in a conversation of the window (conversations.selectors.parents_recognised)
    parents_recognise: bool = False

    def _sum(self, name: str) -> int:
        return sum(getattr(w, name) for w in self.weeks)

    @property
    def ratings(self) -> int:
        return self._sum("ratings")

    @property
    def typical(self) -> int:
        return self._sum("typical")

    @cached_property
    def counts(self) -> PatternCounts:
        """What the pattern rules read, counted once (reports.patterns.decide)."""
        return PatternCounts.of(self)

    @property
    def low(self) -> int:
        return self.counts.low

    @property
    def high(self) -> int:
        return self.counts.high

    @property
    def atypical(self) -> int:
        return self.counts.atypical

    @property
    def atypical_with_circumstances(self) -> int:
        return self.counts.atypical_with_circumstances

    @property
    def rated_weeks(self) -> int:
        return self.counts.rated_weeks

    @property
    def atypical_weeks(self) -> int:
        return self.counts.atypical_weeks

    @property
    def observer_ids(self) -> frozenset[int]:
        return frozenset().union(*(w.observer_ids for w in self.weeks))

    @property
    def observers(self) -> int:
        """Distinct observers of this pillar over the whole window."""
        return self.counts.observers

    @property
    def atypical_observers(self) -> int:
        return self.counts.atypical_observers

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

    @property
    def answer_counts(self) -> str:
        """'6 passend, 4 checkt niet terug, 0 durft nauwelijks weg': the window's ratings per answer."""
        return answer_counts(self.pillar, self.typical, self.low, self.high)


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


# A row of the parents' recognition beside the rollup's: the child, the pillar, then no week and no counts.
RECOGNISED = -1  # in the `ratings` column: this row is the parents' recognition, not a week
_RECOGNISED_COLUMNS = "NULL::date, -1, 0, 0, 0, 0, 0, 0, '{}'::bigint[], '{}'::bigint[], '{}'::jsonb"


def _rollup_rows(children_ids: list[int], start: datetime.date, end: datetime.date) -> list[tuple[Any, ...]]:
    """The weekly rollup rows of these children in the window (observations.PillarWeek, kept exact by
    PostgreSQL), in the order of ROLLUP_COLUMNS, run straight on the cursor: the same SQL as the
    queryset, without Django's per-value converters (a 52-week group overview reads thousands). In the
    same query, a row (child, pillar, None, RECOGNISED, ...) for every pillar the parents recognised in a
    conversation of the window (conversations.selectors.parents_recognised_rows)."""
    queryset = PillarWeek.objects.filter(child_id__in=children_ids, week__gte=start, week__lte=end).values_list(
        *ROLLUP_COLUMNS
    )
    sql, params = queryset.query.sql_with_params()
    recognised_sql, recognised_params = parents_recognised_rows(children_ids, start, end).query.sql_with_params()
    sql = f"{sql} UNION ALL SELECT r.*, {_RECOGNISED_COLUMNS} FROM ({recognised_sql}) AS r"
    with connections[queryset.db].cursor() as cursor:  # the replica on a read-only page (attachment_site/replica.py)
        cursor.execute(sql, (*params, *recognised_params))
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


ROLLUP_COLUMNS = (
    "child_id",
    "pillar",
    "week",
    "ratings",
    "low_clear",
    "low_slight",
    "typical",
    "high_slight",
    "high_clear",
    "atypical_with_circumstances",
    "observer_ids",
    "atypical_observer_ids",
    "circumstances_on_atypical",
)


def _circumstance_counts(value: str | dict[str, int]) -> dict[str, int]:
    """The rollup's {code: count}; the cursor hands JSON over as text (Django's psycopg setup)."""
    counts = json.loads(value) if isinstance(value, str) else value
    return {code: counts[code] for code in Circumstance.values if counts.get(code)}


def weekly_figures_for_children(
    children_ids: Iterable[int], weeks: int = 12, *, until: datetime.date | None = None
) -> dict[int, ChildFigures]:
    """Weekly figures for several children in ONE query: {child_id: ChildFigures}.

    Every child asked for gets an entry, with all eight pillars and every week of
    the window (empty weeks have zero ratings)."""
    ids = sorted(set(children_ids))
    span = window(weeks, until)
    found: dict[tuple[int, str, datetime.date], WeekFigures] = {}
    recognised: set[tuple[int, str]] = set()
    by_start = {w.start: w for w in span}
    empty = {w.start: WeekFigures(week=w) for w in span}  # one empty week shared by every pillar (immutable)
    if ids:
        for (
            child_id,
            pillar,
            monday,
            ratings,
            low_clear,
            low_slight,
            typical,
            high_slight,
            high_clear,
            with_circumstances,
            observer_ids,
            atypical_observer_ids,
            circumstances,
        ) in _rollup_rows(ids, span[0].start, span[-1].end):
            if ratings == RECOGNISED:
                recognised.add((child_id, pillar))
                continue
            found[(child_id, pillar, monday)] = WeekFigures(
                week=by_start[monday],
                ratings=ratings,
                observers=len(observer_ids),
                low_clear=low_clear,
                low_slight=low_slight,
                typical=typical,
                high_slight=high_slight,
                high_clear=high_clear,
                atypical_with_circumstances=with_circumstances,
                observer_ids=frozenset(observer_ids),
                atypical_observer_ids=frozenset(atypical_observer_ids) if atypical_observer_ids else frozenset(),
                # most weeks are all typical: nothing atypical to break down
                circumstances_on_atypical=_circumstance_counts(circumstances) if with_circumstances else {},
            )
    return {
        child_id: ChildFigures(
            child_id=child_id,
            weeks=span,
            pillars=tuple(
                PillarFigures(
                    pillar=pillar,
                    weeks=tuple(found.get((child_id, pillar.code, w.start)) or empty[w.start] for w in span),
                    parents_recognise=(child_id, pillar.code) in recognised,
                )
                for pillar in PILLARS
            ),
        )
        for child_id in ids
    }


def weekly_figures(child: Child, weeks: int = 12, *, until: datetime.date | None = None) -> ChildFigures:
    """Weekly figures of one child (one query)."""
    return weekly_figures_for_children([child.pk], weeks, until=until)[child.pk]
