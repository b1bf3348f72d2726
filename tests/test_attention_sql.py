"""The attention points the location page and the home page count in PostgreSQL (reports/attention.py)
agree with the child summary's patterns (reports/patterns.py pillar_pattern over the weekly figures),
on random observations: random weeks, observers, ratings, circumstances and removed entries."""

import datetime

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observations.models import Observation, PillarRating
from observations.pillars import PILLARS
from organisations.calendar import current_week
from reports.attention import attention_points, children_with_attention_point, pattern_counts
from reports.figures import PatternCounts, weekly_figures_for_children
from reports.patterns import PatternKind, Thresholds, decide, pillar_pattern
from tests import factories as f

pytestmark = pytest.mark.django_db

WEEKS = 8
PILLAR_CODES = [p.code for p in PILLARS[:3]]  # three pillars keep the examples small and dense
ALLOWED = {p.code: p.allowed_values for p in PILLARS}

entry = st.fixed_dictionaries(
    {
        "child": st.integers(0, 2),
        "observer": st.integers(0, 2),
        "days_back": st.integers(0, WEEKS * 7 + 10),  # some fall before the window
        "circumstances": st.sampled_from([[], [], ["slept_badly"], ["ill", "busy_group"]]),
        "removed": st.sampled_from([False, False, False, True]),
        # a value per pillar, or None (not rated); atypical values often, to make patterns
        "values": st.lists(st.sampled_from([None, 0, 0, -1, -2, 1, 2]), min_size=3, max_size=3),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(entry, min_size=0, max_size=60))
def test_counts_and_attention_points_agree_with_the_pattern_rules(cast, entries):
    with transaction.atomic():
        children = [cast.child_a, f.make_child(cast.group_a, "Anna"), f.make_child(cast.group_a, "Bram")]
        observers = [cast.staff_a, cast.manager, cast.coach]
        last_day = current_week().end
        made = []
        for e in entries:
            ratings = [(code, v) for code, v in zip(PILLAR_CODES, e["values"], strict=True) if v is not None]
            ratings = [(code, v if v in ALLOWED[code] else 0) for code, v in ratings]
            observation = Observation(
                child=children[e["child"]],
                group=cast.group_a,
                observer=observers[e["observer"]],
                date=last_day - datetime.timedelta(days=e["days_back"]),
                situation="free_play",
                circumstances=e["circumstances"],
                removed_at=datetime.datetime.now(datetime.UTC) if e["removed"] else None,
            )
            made.append((observation, ratings))
        Observation.objects.bulk_create([o for o, _ in made])
        PillarRating.objects.bulk_create(
            PillarRating(observation=o, pillar=code, value=v) for o, ratings in made for code, v in ratings
        )
        ids = [c.pk for c in children]
        thresholds = Thresholds.from_settings()
        figures = weekly_figures_for_children(ids, WEEKS)
        counted = pattern_counts(ids, WEEKS)
        expected_attention = set()
        expected_points = []
        for child_id, child_figures in figures.items():
            for pillar_figures in child_figures.pillars:
                key = (child_id, pillar_figures.pillar.code)
                if pillar_figures.ratings == 0:
                    assert key not in counted
                    continue
                assert counted[key] == PatternCounts.of(pillar_figures), key
                pattern = pillar_pattern(pillar_figures, thresholds)
                if pattern.kind == PatternKind.RECURRING:
                    expected_attention.add(child_id)
                    # since: the first week of the window with a rating on the pole the pattern leans to
                    on_pole = [
                        w for w in pillar_figures.weeks if (w.low if pattern.dominant_direction == "low" else w.high)
                    ]
                    expected_points.append((child_id, key[1], pattern.dominant_direction, on_pole[0].week.start))
        assert children_with_attention_point(ids, WEEKS) == expected_attention
        found = [(a.child_id, a.pillar.code, a.direction, a.since) for a in attention_points(ids, WEEKS)]
        assert sorted(found) == sorted(expected_points)
        # Counting only the pillars with enough atypical weeks (the partial index) finds what deciding every
        # pillar's full counts finds, also when one atypical week could already recur.
        for t in (thresholds, Thresholds(recurring_min_weeks=1, min_rated_weeks=1)):
            everywhere = {key for key, counts in counted.items() if decide(counts, t).kind == PatternKind.RECURRING}
            assert {(a.child_id, a.pillar.code) for a in attention_points(ids, WEEKS, thresholds=t)} == everywhere
        transaction.set_rollback(True)


counts = st.builds(
    PatternCounts,
    rated_weeks=st.integers(0, 14),
    atypical_weeks=st.integers(0, 14),
    observers=st.integers(0, 4),
    atypical=st.integers(0, 40),
    low=st.integers(0, 40),
    high=st.integers(0, 40),
    atypical_with_circumstances=st.integers(0, 40),
    atypical_observers=st.integers(0, 4),
    parents_recognise=st.booleans(),
)
thresholds = st.builds(
    Thresholds,
    min_rated_weeks=st.integers(0, 6),
    min_views=st.integers(0, 3),
    recurring_min_weeks=st.integers(0, 6),
    recurring_min_views=st.integers(0, 3),
)


@given(c=counts, t=thresholds)
def test_a_pillar_with_fewer_atypical_weeks_than_the_least_is_never_recurring(c, t):
    """What lets attention_points pass over the pillars with few atypical weeks: the rules never call them
    recurring, whatever else their counts say."""
    if c.atypical_weeks < t.fewest_recurring_atypical_weeks:
        assert decide(c, t).kind != PatternKind.RECURRING


def test_a_recurring_pattern_is_found_and_one_query_serves_any_number_of_children(cast, django_assert_num_queries):
    from tests.overview_data import fill_group

    made = fill_group(cast.group_a, [cast.staff_a, cast.manager], children=6, weeks=12)
    ids = [c.pk for c in made]
    with django_assert_num_queries(1):
        found = children_with_attention_point(ids, 12)
    assert found == {made[0].pk, made[3].pk}  # every third child: comfort seeking too little
    with django_assert_num_queries(0):
        assert children_with_attention_point([], 12) == set()


def test_an_attention_point_names_its_pillar_pole_and_since_when(cast):
    from tests.report_data import give_recurring_comfort_pattern, weeks_ago

    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager], weeks=5)  # the last five weeks
    (point,) = attention_points([cast.child_a.pk, cast.child_b.pk], 12)
    assert (point.child_id, point.pillar.code, point.direction) == (cast.child_a.pk, "comfort_seeking", "low")
    assert point.since == weeks_ago(5) - datetime.timedelta(days=1)  # the Monday of that week
    assert point.since_week == point.since.isocalendar().week
    with translation.override("nl"):
        assert (point.symbol, point.pole) == ("↓", "zoekt geen troost")
