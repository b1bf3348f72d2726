"""The statistics of reports/agreement.py, without the database: weighted kappa against scikit-learn,
its confidence interval against a hand-computed example, the pair statistics and drift."""

import datetime
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score  # type: ignore[import-untyped]

from observations.pillars import PILLARS
from reports.agreement import (
    MIN_PAIRS_FOR_KAPPA,
    RatingPair,
    agreement_per_pillar,
    drifts,
    linear_weight,
    weighted_kappa,
)

SCALE = [-2, -1, 0, 1, 2]
pair_lists = st.lists(st.tuples(st.sampled_from(SCALE), st.sampled_from(SCALE)), min_size=1, max_size=60)


@settings(max_examples=300, deadline=None)
@given(pair_lists)
def test_weighted_kappa_equals_scikit_learn(pairs):
    a, b = [x for x, _ in pairs], [y for _, y in pairs]
    kappa = weighted_kappa(pairs)
    if kappa is None:  # both raters used one and the same value throughout: 0/0 in scikit-learn too
        assert len(set(a) | set(b)) == 1
        return
    expected = cohen_kappa_score(a, b, weights="linear", labels=SCALE)
    assert kappa.value == pytest.approx(expected, abs=1e-9)


def test_linear_weights_run_from_one_to_zero_over_five_categories():
    assert [linear_weight(0, j) for j in range(5)] == [1.0, 0.75, 0.5, 0.25, 0.0]


def test_the_interval_matches_the_hand_computed_example():
    """Ten pairs on two neighbouring values: (0,0) x4, (1,1) x3, (0,1) x2, (1,0) x1.
    Proportions p = [[.4, .2], [.1, .3]], weights [[1, .75], [.75, 1]], rows .6/.4, columns .5/.5.
    po = .7 + .75 * .3 = .925; pe = .5 + .75 * .5 = .875; kappa = .05 / .125 = 0.4.
    Weighted margins: rows .875 and .875, columns .9 and .85. Fleiss, Cohen & Everitt (1969):
    var = (sum p_ij [w_ij (1 - pe) - (w_i. + w_.j)(1 - po)]^2 - (po pe - 2 pe + po)^2) / (n (1 - pe)^4)
        = (4.41015625e-4 - 2.44140625e-4) / (10 * 2.44140625e-4) = 0.08064; se = 0.2839718."""
    pairs = [(0, 0)] * 4 + [(1, 1)] * 3 + [(0, 1)] * 2 + [(1, 0)]
    kappa = weighted_kappa(pairs)
    assert kappa is not None
    assert kappa.value == pytest.approx(0.4)
    assert kappa.standard_error == pytest.approx(math.sqrt(0.08064))
    assert kappa.low == pytest.approx(0.4 - 1.959964 * 0.2839718, abs=1e-6)
    assert kappa.high == pytest.approx(0.4 + 1.959964 * 0.2839718, abs=1e-6)


def test_perfect_agreement_over_several_values_has_kappa_one_and_no_spread():
    kappa = weighted_kappa([(-1, -1), (0, 0), (2, 2), (0, 0)])
    assert kappa is not None
    assert kappa.value == pytest.approx(1.0)
    assert kappa.standard_error == pytest.approx(0.0, abs=1e-9)


def pair(pillar, a, b, *, child=1, observer_a=1, observer_b=2, day=1):
    return RatingPair(child, pillar, datetime.date(2026, 3, day), observer_a, a, observer_b, b)


def test_pair_statistics_and_too_few_pairs():
    code = PILLARS[0].code
    few = [pair(code, 0, 0), pair(code, 0, 1), pair(code, -2, 1)]
    first = agreement_per_pillar(few)[0]
    assert (first.pairs, first.exact, first.within_one, first.kappa) == (3, 1 / 3, 2 / 3, None)
    assert first.too_few_pairs
    enough = [pair(code, v % 3 - 1, v % 3 - 1, day=v + 1) for v in range(MIN_PAIRS_FOR_KAPPA)]
    assert agreement_per_pillar(enough)[0].kappa is not None
    assert [p.pairs for p in agreement_per_pillar(enough)[1:]] == [0] * (len(PILLARS) - 1)


def test_drift_needs_eight_pairs_beyond_three_quarters_of_a_step():
    code = PILLARS[1].code
    higher = [pair(code, 1, 0, child=c, observer_b=2 + c % 2) for c in range(8)]
    (drift,) = [d for d in drifts(higher) if d.observer_id == 1]
    assert drift.pillar.code == code and drift.colleague_ids == {2, 3}
    assert not [d for d in drifts(higher[:7]) if d.observer_id == 1]  # seven pairs: not enough
    mild = higher[:6] + [pair(code, 0, 0, child=20), pair(code, 0, 0, child=21)]  # mean 0.75: not beyond
    assert not drifts(mild)
