"""Which children have a recurring attention point, for many children at once (location page, home page).

A page that only counts children with an attention point needs no week strips: PostgreSQL counts
what the pattern rules read (`reports.patterns.PatternCounts`) per child and pillar over the whole
window, in ONE query over the observations of those children in the window (index on child and
date, then each observation's ratings by its key), and `reports.patterns.decide` applies the rules
to each row in Python: the same rules, in the same place, as the child summary and the group
overview (tests/test_attention_sql.py compares both ways on random data).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection

from reports.figures import window
from reports.patterns import PatternCounts, PatternKind, Thresholds, decide

# Per (child, pillar): the window-level counts of PatternCounts, in its field order. A week is its
# Monday: date_trunc('week') of a date is the ISO week's Monday, as in reports/figures.py.
COUNTS_SQL = """
SELECT o.child_id, r.pillar,
       COUNT(DISTINCT date_trunc('week', o.date)) AS rated_weeks,
       COUNT(DISTINCT date_trunc('week', o.date)) FILTER (WHERE r.value <> 0) AS atypical_weeks,
       COUNT(DISTINCT o.observer_id) AS observers,
       COUNT(*) FILTER (WHERE r.value <> 0) AS atypical,
       COUNT(*) FILTER (WHERE r.value < 0) AS low,
       COUNT(*) FILTER (WHERE r.value > 0) AS high,
       COUNT(*) FILTER (WHERE r.value <> 0 AND o.circumstances <> '{}') AS atypical_with_circumstances,
       COUNT(DISTINCT o.observer_id) FILTER (WHERE r.value <> 0) AS atypical_observers
FROM observations_observation o
JOIN observations_pillarrating r ON r.observation_id = o.id
WHERE o.child_id = ANY(%s) AND o.removed_at IS NULL AND o.date >= %s AND o.date <= %s
GROUP BY o.child_id, r.pillar
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
