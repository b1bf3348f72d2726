"""Which children have a recurring attention point, for many children at once (location page, home page).

A page that only counts children with an attention point needs no week strips: PostgreSQL adds up
what the pattern rules read (`reports.figures.PatternCounts`) per child and pillar over the whole
window, in ONE query over the weekly rollup (observations.PillarWeek: the ratings of a child on a
pillar in a week, counted once, when they were written), and `reports.patterns.decide` applies the
rules to each row in Python: the same rules, in the same place, as the child summary and the group
overview (tests/test_attention_sql.py compares both ways on random data). The same query gives, per
child and pillar, the first week with a rating on each pole: since when an attention point shows
(`attention_points`, the named list of the home and location pages). The parents' recognition of a
pillar in a conversation of the window comes in the same query (conversations.selectors).

`attention_points` counts only the pillars that can recur at all: those with at least
`Thresholds.fewest_recurring_atypical_weeks` atypical weeks in the window, which PostgreSQL finds in a
partial index of the rollup's atypical weeks. So a coach's home with 1,000 children reads a few thousand
index entries and the weeks of a few hundred pillars, not 12 weeks x 8 pillars of every child; the
window is applied when the page is read, so nothing kept goes stale as the weeks pass.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router

from conversations.selectors import parents_recognised_rows
from observations.models import PillarWeek
from observations.pillars import DIRECTION_SYMBOLS, PILLARS, Direction, Pillar
from reports.figures import PatternCounts, window
from reports.patterns import PatternKind, Thresholds, decide

# Per (child, pillar): the window-level counts of PatternCounts, in its field order. A rollup row
# exists only for a week with ratings; the distinct observers of the window are those of the union
# of its weeks' observer ids (observations_array_concat: observations/migrations/0003). Then the first
# week with a rating on each pole (NULL when none). WINDOW_COUNTS is that list, over one (child,
# pillar)'s rollup rows; COUNTS_SQL groups every pillar of the children, CANDIDATES_SQL only the few.
WINDOW_COUNTS = """count(*) AS rated_weeks,
       count(*) FILTER (WHERE ratings > typical) AS atypical_weeks,
       cardinality(ARRAY(SELECT DISTINCT unnest(observations_array_concat(observer_ids)))) AS observers,
       sum(ratings - typical)::int AS atypical,
       sum(low_clear + low_slight)::int AS low,
       sum(high_clear + high_slight)::int AS high,
       sum(atypical_with_circumstances)::int AS atypical_with_circumstances,
       cardinality(ARRAY(SELECT DISTINCT unnest(observations_array_concat(atypical_observer_ids))))
           AS atypical_observers,
       min(week) FILTER (WHERE low_clear + low_slight > 0) AS first_low_week,
       min(week) FILTER (WHERE high_clear + high_slight > 0) AS first_high_week"""
COUNTS_SQL = f"""
SELECT child_id, pillar,
       {WINDOW_COUNTS}
FROM observations_pillarweek
WHERE child_id = ANY(%s) AND week >= %s AND week <= %s
GROUP BY child_id, pillar
"""
# The same counts for the pillars of these children with at least %s atypical weeks in the window only:
# which they are, PostgreSQL reads from the partial index of atypical weeks alone (observations.PillarWeek
# `pillarweek_atypical`, about one rollup row in ten), then the full weeks of each of those few (LATERAL:
# the planner cannot guess how few they are, and would read the whole window of the rollup otherwise).
# A pillar with fewer is never a recurring attention point (Thresholds.fewest_recurring_atypical_weeks),
# so `attention_points` counts nothing else: the rows it reads and decides stay a fraction of the children's.
CANDIDATES_SQL = f"""
WITH candidates AS (
    SELECT child_id, pillar FROM observations_pillarweek
    WHERE child_id = ANY(%s) AND week >= %s AND week <= %s AND ratings > typical
    GROUP BY child_id, pillar
    HAVING count(*) >= %s
)
SELECT c.child_id, c.pillar, w.*
FROM candidates c CROSS JOIN LATERAL (
    SELECT {WINDOW_COUNTS}
    FROM observations_pillarweek
    WHERE child_id = c.child_id AND pillar = c.pillar AND week >= %s AND week <= %s
) AS w
"""
# the columns of PatternCounts the query counts (the parents' recognition comes from their conversations)
COUNT_FIELDS = len(dataclasses.fields(PatternCounts)) - 1
# In the same query, a row (child, pillar, RECOGNISED, ...) for every pillar the parents recognised in a
# conversation of the window (conversations.selectors.parents_recognised_rows).
RECOGNISED = -1
RECOGNISED_COLUMNS = "-1, 0, 0, 0, 0, 0, 0, 0, NULL::date, NULL::date"
PILLARS_BY_CODE = {p.code: p for p in PILLARS}


@dataclass(frozen=True)
class PillarAttention:
    """One recurring attention point: a child's pillar, the pole most of its atypical ratings took, and
    the Monday of the first week in the window with a rating on that pole ("since")."""

    child_id: int
    pillar: Pillar
    direction: str  # Direction.LOW / HIGH
    since: datetime.date

    @property
    def pole(self) -> str:
        """The pole in the pillar's own words ("zoekt geen troost")."""
        return str(self.pillar.pole_name(self.direction))

    @property
    def symbol(self) -> str:
        return DIRECTION_SYMBOLS[Direction(self.direction)]

    @property
    def since_week(self) -> int:
        return self.since.isocalendar().week


def _rows(
    children_ids: Iterable[int], weeks: int, until: datetime.date | None, *, atypical_weeks: int = 0
) -> list[tuple[Any, ...]]:
    """(child id, pillar code, PatternCounts, first low week, first high week) per row of COUNTS_SQL; with
    `atypical_weeks`, only for the pillars with at least that many atypical weeks (CANDIDATES_SQL)."""
    ids = sorted(set(children_ids))
    if not ids:
        return []
    span = window(weeks, until)
    start, end = span[0].start, span[-1].end
    recognised_sql, recognised_params = parents_recognised_rows(ids, start, end).query.sql_with_params()
    params: list[Any]
    if atypical_weeks > 0:
        counts_sql, params = CANDIDATES_SQL, [ids, start, end, atypical_weeks, start, end]
    else:
        counts_sql, params = COUNTS_SQL, [ids, start, end]
    sql = f"{counts_sql} UNION ALL SELECT r.*, {RECOGNISED_COLUMNS} FROM ({recognised_sql}) AS r"
    with connections[router.db_for_read(PillarWeek)].cursor() as cursor:  # a replica if the page may
        cursor.execute(sql, [*params, *recognised_params])
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    recognised = {(child_id, pillar) for child_id, pillar, rated_weeks, *_ in rows if rated_weeks == RECOGNISED}
    return [
        (
            child_id,
            pillar,
            PatternCounts(*counts[:COUNT_FIELDS], parents_recognise=(child_id, pillar) in recognised),  # type: ignore[misc]
            *counts[COUNT_FIELDS:],
        )
        for child_id, pillar, *counts in rows
        if counts[0] != RECOGNISED
    ]


def pattern_counts(
    children_ids: Iterable[int], weeks: int, *, until: datetime.date | None = None
) -> dict[tuple[int, str], PatternCounts]:
    """{(child id, pillar code): counts} over the `weeks` ISO weeks ending with the week of `until`, for
    every pillar that has ratings in the window. One query."""
    return {(child_id, pillar): counts for child_id, pillar, counts, *_ in _rows(children_ids, weeks, until)}


def attention_points(
    children_ids: Iterable[int],
    weeks: int,
    *,
    until: datetime.date | None = None,
    thresholds: Thresholds | None = None,
) -> list[PillarAttention]:
    """Every recurring attention point of these children over the window, with its pole and since
    when, in the order of the children's ids and then of PILLARS. One query, which counts only the
    pillars with enough atypical weeks to recur (CANDIDATES_SQL); `decide` rules on each."""
    t = thresholds or Thresholds.from_settings()
    found = []
    rows = _rows(children_ids, weeks, until, atypical_weeks=t.fewest_recurring_atypical_weeks)
    for child_id, code, counts, first_low, first_high in rows:
        pillar = PILLARS_BY_CODE.get(code)
        decision = decide(counts, t)
        if pillar is None or decision.kind != PatternKind.RECURRING or decision.direction is None:
            continue
        since = first_low if decision.direction == Direction.LOW else first_high
        found.append(PillarAttention(child_id, pillar, decision.direction, since))
    order = {p.code: n for n, p in enumerate(PILLARS)}
    return sorted(found, key=lambda a: (a.child_id, order[a.pillar.code]))


def children_with_attention_point(
    children_ids: Iterable[int],
    weeks: int,
    *,
    until: datetime.date | None = None,
    thresholds: Thresholds | None = None,
) -> set[int]:
    """The children with a recurring attention point on any pillar over the window. One query."""
    return {a.child_id for a in attention_points(children_ids, weeks, until=until, thresholds=thresholds)}
