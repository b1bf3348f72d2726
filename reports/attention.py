"""Which children have a recurring attention point, for many children at once (location page, home page).

A page that only counts children with an attention point needs no week strips: PostgreSQL adds up
what the pattern rules read (`reports.figures.PatternCounts`) per child and pillar over the whole
window, in ONE query over the weekly rollup (observations.PillarWeek: the ratings of a child on a
pillar in a week, counted once, when they were written), and `reports.patterns.decide` applies the
rules to each row in Python: the same rules, in the same place, as the child summary and the group
overview (tests/test_attention_sql.py compares both ways on random data).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection

from reports.figures import PatternCounts, window
from reports.patterns import PatternKind, Thresholds, decide

# Per (child, pillar): the window-level counts of PatternCounts, in its field order. A rollup row
# exists only for a week with ratings; the distinct observers of the window are those of the union
# of its weeks' observer ids (observations_array_concat: observations/migrations/0003).
COUNTS_SQL = """
SELECT child_id, pillar,
       count(*) AS rated_weeks,
       count(*) FILTER (WHERE ratings > typical) AS atypical_weeks,
       cardinality(ARRAY(SELECT DISTINCT unnest(observations_array_concat(observer_ids)))) AS observers,
       sum(ratings - typical)::int AS atypical,
       sum(low_clear + low_slight)::int AS low,
       sum(high_clear + high_slight)::int AS high,
       sum(atypical_with_circumstances)::int AS atypical_with_circumstances,
       cardinality(ARRAY(SELECT DISTINCT unnest(observations_array_concat(atypical_observer_ids))))
           AS atypical_observers
FROM observations_pillarweek
WHERE child_id = ANY(%s) AND week >= %s AND week <= %s
GROUP BY child_id, pillar
"""


def pattern_counts(
    children_ids: Iterable[int], weeks: int, *, until: datetime.date | None = None
) -> dict[tuple[int, str], PatternCounts]:
    """{(child id, pillar code): counts} over the `weeks` ISO weeks ending with the week of `until`, for
    every pillar that has ratings in the window. One query."""
    ids = sorted(set(children_ids))
    if not ids:
        return {}
    span = window(weeks, until)
    with connection.cursor() as cursor:
        cursor.execute(COUNTS_SQL, [ids, span[0].start, span[-1].end])
        rows = cursor.fetchall()
    return {(child_id, pillar): PatternCounts(*counts) for child_id, pillar, *counts in rows}


def children_with_attention_point(
    children_ids: Iterable[int],
    weeks: int,
    *,
    until: datetime.date | None = None,
    thresholds: Thresholds | None = None,
) -> set[int]:
    """The children with a recurring attention point on any pillar over the window. One query."""
    t = thresholds or Thresholds.from_settings()
    return {
        child_id
        for (child_id, _pillar), counts in pattern_counts(children_ids, weeks, until=until).items()
        if decide(counts, t).kind == PatternKind.RECURRING
    }
