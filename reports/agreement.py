"""Agreement between observers: do two staff members who rate the same child see the same?

A pair is two ratings of the same child on the same pillar by two different staff members on the
same day (and in the same moment: both observations name one, and it must be the same). The pairs
come from one SQL query (a self-join of the ratings); the statistics are plain Python:

- exact agreement and agreement within one step of the five-point scale;
- Cohen's kappa with linear weights 1 - |i - j| / (k - 1) over the k = 5 scale values, and its
  large-sample standard error (Fleiss, Cohen & Everitt 1969) for a 95% confidence interval;
- drift: one staff member who, on one pillar, rates the children consistently higher or lower than
  the colleagues who rated them on the same day. Shown to the coach only, as a pillar to talk about.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connections, router

from observations.models import PillarRating
from observations.pillars import PILLARS, SCALE, Pillar
from organisations.models import Location
from staff.models import User

# Below this many pairs a kappa says little (its interval spans most of -1..1): the page says
# "te weinig paren" instead.
MIN_PAIRS_FOR_KAPPA = 10
# Drift: at least this many pairs of one staff member on one pillar, and a mean signed difference
# from the colleagues beyond this many steps of the scale.
DRIFT_MIN_PAIRS = 8
DRIFT_MIN_MEAN_DIFFERENCE = 0.75
Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution

CATEGORIES: tuple[int, ...] = tuple(sorted(SCALE))


@dataclass(frozen=True)
class RatingPair:
    """Two ratings of one child on one pillar on one day, by observer a (the lower user id) and b."""

    child_id: int
    pillar: str
    date: datetime.date
    observer_a: int
    value_a: int
    observer_b: int
    value_b: int


# One row per (child, day, pillar, two observers): the self-join of the live ratings. Should an
# observer have rated the child twice that day, the latest observation of each counts once.
_PAIRS_SQL = """
SELECT DISTINCT ON (oa.child_id, oa.date, ra.pillar, oa.observer_id, ob.observer_id)
       oa.child_id, ra.pillar, oa.date, oa.observer_id, ra.value, ob.observer_id, rb.value
  FROM observations_pillarrating ra
  JOIN observations_observation oa ON oa.id = ra.observation_id
  JOIN organisations_group g ON g.id = oa.group_id
  JOIN observations_observation ob
    ON ob.child_id = oa.child_id AND ob.date = oa.date AND ob.observer_id > oa.observer_id
  JOIN observations_pillarrating rb ON rb.observation_id = ob.id AND rb.pillar = ra.pillar
 WHERE g.location_id = %s
   AND oa.date BETWEEN %s AND %s
   AND oa.removed_at IS NULL AND ob.removed_at IS NULL
   AND (oa.situation = ob.situation OR oa.situation = '' OR ob.situation = '')
 ORDER BY oa.child_id, oa.date, ra.pillar, oa.observer_id, ob.observer_id, oa.created_at DESC, ob.created_at DESC
"""


def rating_pairs(location: Location, start: datetime.date, end: datetime.date) -> list[RatingPair]:
    """Every pair of ratings of the children observed in `location` (the group of the first
    observation) dated `start` to `end`. One query."""
    with connections[router.db_for_read(PillarRating)].cursor() as cursor:  # a replica if the page may
        cursor.execute(_PAIRS_SQL, [location.pk, start, end])
        return [RatingPair(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Kappa:
    value: float
    standard_error: float

    @property
    def low(self) -> float:
        return max(-1.0, self.value - Z_95 * self.standard_error)

    @property
    def high(self) -> float:
        return min(1.0, self.value + Z_95 * self.standard_error)


def linear_weight(i: int, j: int, k: int = len(CATEGORIES)) -> float:
    """The agreement weight of categories i and j (their positions): 1 on the diagonal, 0 at the far ends."""
    return 1 - abs(i - j) / (k - 1)


def _proportions(pairs: Sequence[tuple[int, int]]) -> list[list[float]]:
    """The k x k table of pair proportions, rows rater a, columns rater b."""
    index = {value: position for position, value in enumerate(CATEGORIES)}
    k, n = len(CATEGORIES), len(pairs)
    table = [[0.0] * k for _ in range(k)]
    for a, b in pairs:
        table[index[a]][index[b]] += 1 / n
    return table


def weighted_kappa(pairs: Sequence[tuple[int, int]]) -> Kappa | None:
    """Linearly weighted Cohen's kappa of (a, b) values on the scale, with the large-sample standard
    error of Fleiss, Cohen & Everitt (1969). None when it is undefined: no pairs, or chance alone
    already explains full agreement (both raters used one and the same value throughout)."""
    if not pairs:
        return None
    p = _proportions(pairs)
    k = len(CATEGORIES)
    rows = [sum(p[i]) for i in range(k)]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    w = [[linear_weight(i, j) for j in range(k)] for i in range(k)]
    observed = sum(w[i][j] * p[i][j] for i in range(k) for j in range(k))
    expected = sum(w[i][j] * rows[i] * cols[j] for i in range(k) for j in range(k))
    if math.isclose(expected, 1.0):
        return None
    kappa = (observed - expected) / (1 - expected)
    row_weight = [sum(cols[j] * w[i][j] for j in range(k)) for i in range(k)]
    col_weight = [sum(rows[i] * w[i][j] for i in range(k)) for j in range(k)]
    spread = sum(
        p[i][j] * (w[i][j] * (1 - expected) - (row_weight[i] + col_weight[j]) * (1 - observed)) ** 2
        for i in range(k)
        for j in range(k)
    )
    variance = (spread - (observed * expected - 2 * expected + observed) ** 2) / (len(pairs) * (1 - expected) ** 4)
    return Kappa(kappa, math.sqrt(max(variance, 0.0)))


@dataclass(frozen=True)
class PillarAgreement:
    pillar: Pillar
    pairs: int
    exact: float | None  # share of pairs with the same value, None without pairs
    within_one: float | None  # share of pairs at most one step apart
    kappa: Kappa | None  # None below MIN_PAIRS_FOR_KAPPA pairs or when undefined

    @property
    def too_few_pairs(self) -> bool:
        return self.pairs < MIN_PAIRS_FOR_KAPPA


def pillar_agreement(pillar: Pillar, values: Sequence[tuple[int, int]]) -> PillarAgreement:
    n = len(values)
    if not n:
        return PillarAgreement(pillar, 0, None, None, None)
    exact = sum(a == b for a, b in values) / n
    within_one = sum(abs(a - b) <= 1 for a, b in values) / n
    kappa = weighted_kappa(values) if n >= MIN_PAIRS_FOR_KAPPA else None
    return PillarAgreement(pillar, n, exact, within_one, kappa)


def agreement_per_pillar(pairs: Iterable[RatingPair]) -> list[PillarAgreement]:
    """Every pillar in its order, with its pair counts and statistics."""
    values: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pair in pairs:
        values[pair.pillar].append((pair.value_a, pair.value_b))
    return [pillar_agreement(pillar, values[pillar.code]) for pillar in PILLARS]


@dataclass(frozen=True)
class Drift:
    """On `pillar`, `observer_id` rates the same children consistently higher or lower than the
    colleagues who rated them the same day. Not a score: a pillar to talk about together."""

    pillar: Pillar
    observer_id: int
    colleague_ids: frozenset[int]


def signed_differences(pairs: Iterable[RatingPair]) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """Per (observer, pillar): (own value minus the colleague's, colleague id) for each pair."""
    differences: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    for p in pairs:
        differences[(p.observer_a, p.pillar)].append((p.value_a - p.value_b, p.observer_b))
        differences[(p.observer_b, p.pillar)].append((p.value_b - p.value_a, p.observer_a))
    return differences


def drifts(pairs: Iterable[RatingPair]) -> list[Drift]:
    """The (observer, pillar) combinations with at least DRIFT_MIN_PAIRS pairs whose mean signed
    difference from the colleagues lies beyond DRIFT_MIN_MEAN_DIFFERENCE steps, in pillar order."""
    order = {pillar.code: n for n, pillar in enumerate(PILLARS)}
    by_code = {pillar.code: pillar for pillar in PILLARS}
    found = []
    for (observer_id, code), rows in signed_differences(pairs).items():
        mean = sum(d for d, _ in rows) / len(rows)
        if len(rows) >= DRIFT_MIN_PAIRS and abs(mean) > DRIFT_MIN_MEAN_DIFFERENCE and code in by_code:
            found.append(Drift(by_code[code], observer_id, frozenset(c for _, c in rows)))
    return sorted(found, key=lambda d: (order[d.pillar.code], d.observer_id))


@dataclass(frozen=True)
class DriftSuggestion:
    """A pillar to talk about, and with whom: the observer and the colleagues they were paired with.
    No figure, no direction: a conversation starter, not a score."""

    pillar: Pillar
    names: tuple[str, ...]


@dataclass(frozen=True)
class LocationAgreement:
    location: Location
    weeks: int
    period_start: datetime.date
    period_end: datetime.date
    pillars: tuple[PillarAgreement, ...]
    suggestions: tuple[DriftSuggestion, ...]  # empty unless asked for (the coach)

    @property
    def pair_count(self) -> int:
        return sum(p.pairs for p in self.pillars)


def _suggestions(found: list[Drift]) -> tuple[DriftSuggestion, ...]:
    ids = {d.observer_id for d in found} | {c for d in found for c in d.colleague_ids}
    names = {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}
    return tuple(
        DriftSuggestion(d.pillar, (names[d.observer_id], *sorted(names[c] for c in d.colleague_ids))) for d in found
    )


def location_agreement(
    location: Location, weeks: int, *, day: datetime.date, with_drift: bool = False
) -> LocationAgreement:
    """The agreement of the observers of `location` over the `weeks` weeks up to `day`: one query for
    the pairs (and one for the names in the drift suggestions, when asked for)."""
    start = day - datetime.timedelta(weeks=weeks) + datetime.timedelta(days=1)
    pairs = rating_pairs(location, start, day)
    return LocationAgreement(
        location=location,
        weeks=weeks,
        period_start=start,
        period_end=day,
        pillars=tuple(agreement_per_pillar(pairs)),
        suggestions=_suggestions(drifts(pairs)) if with_drift else (),
    )
