"""The pattern rules, table-driven: every edge and every threshold exactly."""

import datetime
from collections import Counter

import pytest
from django.test import override_settings

from observations.pillars import PILLAR_BY_CODE
from organisations.calendar import Week
from reports.figures import PillarFigures, WeekFigures
from reports.patterns import PatternKind, Thresholds, pillar_pattern

MONDAY = datetime.date(2026, 1, 5)
WINDOW = 12
SLEPT = ("slept_badly",)
BUSY = ("busy_group",)


def rating(value, observer=1, circumstances=()):
    return (value, observer, tuple(circumstances))


def figures(*weeks, pillar="comfort_seeking") -> PillarFigures:
    """Build figures by hand: one list of ratings per week (oldest first), padded with empty weeks."""
    padded = list(weeks) + [[]] * (WINDOW - len(weeks))
    built = []
    for index, ratings in enumerate(padded):
        values = Counter(v for v, _, _ in ratings)
        circ = Counter(c for v, _, cs in ratings if v for c in cs)
        built.append(
            WeekFigures(
                week=Week(MONDAY + datetime.timedelta(weeks=index)),
                ratings=len(ratings),
                observers=len({o for _, o, _ in ratings}),
                low_clear=values[-2],
                low_slight=values[-1],
                typical=values[0],
                high_slight=values[1],
                high_clear=values[2],
                atypical_with_circumstances=sum(1 for v, _, cs in ratings if v and cs),
                observer_ids=frozenset(o for _, o, _ in ratings),
                atypical_observer_ids=frozenset(o for v, o, _ in ratings if v),
                circumstances_on_atypical=dict(circ),
            )
        )
    return PillarFigures(pillar=PILLAR_BY_CODE[pillar], weeks=tuple(built))


T = typical = [rating(0, 1), rating(0, 2)]  # a typical week, two observers


def low(observer=1, circumstances=()):
    return [rating(-1, observer, circumstances)]


def high(observer=1, circumstances=()):
    return [rating(2, observer, circumstances)]


CASES = [
    # (id, weeks, expected kind, expected direction, expected mostly_with_circumstances)
    ("no ratings", [], PatternKind.NOT_ENOUGH, None, False),
    ("one observer only", [[rating(-1, 1)]] * 8, PatternKind.NOT_ENOUGH, "low", False),
    ("two weeks only", [T, T], PatternKind.NOT_ENOUGH, None, False),
    ("exactly 3 weeks and 2 observers, typical", [T, T, T], PatternKind.TYPICAL, None, False),
    ("atypical in 1 of 5 weeks (<1/4)", [T, T, T, T, low(2) + T], PatternKind.TYPICAL, "low", False),
    ("atypical in exactly 1 of 4 weeks (=1/4)", [T, T, T, low(2) + T], PatternKind.MIXED, "low", False),
    (
        "all atypical days with circumstances",
        [low(1, SLEPT), low(2, SLEPT), low(1, SLEPT), low(2, SLEPT)],
        PatternKind.MIXED,
        "low",
        True,
    ),
    (
        "exactly half on circumstance days",
        [low(1, SLEPT), low(2, SLEPT), low(1), low(2)],
        PatternKind.MIXED,
        "low",
        True,
    ),
    (
        "just under half on circumstance days",
        [low(1, SLEPT), low(2, SLEPT), low(1), low(2), low(1)],
        PatternKind.RECURRING,
        "low",
        False,
    ),
    ("directions disagree", [low(1), high(2), low(2), high(1)], PatternKind.MIXED, None, False),
    (
        "exactly 2/3 in one direction",
        [low(1), low(2), high(1), low(2), high(1), low(1)],
        PatternKind.RECURRING,
        "low",
        False,
    ),
    ("3 of 5 in one direction (<2/3)", [low(1), low(2), high(1), low(2), high(1)], PatternKind.MIXED, None, False),
    (
        "exactly 3 atypical weeks, exactly half the rated weeks",
        [low(1), T, high(2) + [rating(2, 1)], T, high(1), T],
        PatternKind.RECURRING,
        "high",
        False,
    ),
    ("3 atypical of 7 rated weeks (<1/2)", [low(1), T, low(2), T, low(1), T, T], PatternKind.MIXED, "low", False),
    ("2 atypical weeks of 4 (half, but <3 weeks)", [low(1), T, low(2), T], PatternKind.MIXED, "low", False),
    ("atypical seen by one observer only", [low(1) + T, low(1) + T, low(1) + T, T], PatternKind.MIXED, "low", False),
    (
        "empty weeks in between count as not rated",
        [low(1), [], low(2), [], low(1)],
        PatternKind.RECURRING,
        "low",
        False,
    ),
]


@pytest.mark.parametrize(
    ("weeks", "kind", "direction", "mostly_with"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_pattern_rules(weeks, kind, direction, mostly_with):
    pattern = pillar_pattern(figures(*weeks), Thresholds())
    assert pattern.kind == kind
    assert pattern.dominant_direction == direction
    assert pattern.mostly_with_circumstances is mostly_with
    assert pattern.reasons


def test_circumstances_are_named_most_frequent_first():
    weeks = [low(1, SLEPT), low(2, SLEPT + BUSY), low(1, SLEPT), low(2)]
    pattern = pillar_pattern(figures(*weeks), Thresholds())
    assert pattern.kind == PatternKind.MIXED
    assert pattern.circumstances == ("slept_badly", "busy_group")


def test_thresholds_come_from_settings():
    weeks = [[rating(-1, 1)]] * 4
    assert pillar_pattern(figures(*weeks)).kind == PatternKind.NOT_ENOUGH
    with override_settings(PATTERN_MIN_OBSERVERS=1, PATTERN_RECURRING_MIN_OBSERVERS=1):
        assert pillar_pattern(figures(*weeks)).kind == PatternKind.RECURRING


def test_defaults_match_the_settings():
    assert Thresholds.from_settings() == Thresholds()
