"""Weekly figures equal hand-computed ones, in one query."""

import datetime

import pytest

from organisations.calendar import current_week, today
from reports.figures import weekly_figures, weekly_figures_for_children
from tests.report_data import observe

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixture(cast):
    this = current_week().start
    last = this - datetime.timedelta(weeks=1)
    child, a, b = cast.child_a, cast.staff_a, cast.staff_b
    observe(child, a, last, {"comfort_seeking": -1, "reunion": 0}, ["slept_badly"])
    observe(child, b, last + datetime.timedelta(days=1), {"comfort_seeking": -2, "reunion": 2})
    observe(child, a, this, {"comfort_seeking": 0}, ["busy_group"])
    observe(child, b, this - datetime.timedelta(weeks=3), {"comfort_seeking": 1})
    observe(child, a, last, {"comfort_seeking": -2}, removed=True)  # removed: not counted
    observe(child, a, this - datetime.timedelta(weeks=12), {"comfort_seeking": -2})  # before a 12-week window
    observe(child, a, last - datetime.timedelta(days=1), {"exploration": 0})  # Sunday: the week before `last`
    observe(cast.child_b, b, last, {"comfort_seeking": -2})  # another child
    return cast


def test_weekly_figures_equal_hand_computed_ones(fixture, django_assert_num_queries):
    with django_assert_num_queries(1):
        figures = weekly_figures(fixture.child_a, weeks=12)
    assert len(figures.weeks) == 12
    assert figures.weeks[-1] == current_week()
    assert figures.end >= today()

    comfort = figures.pillar("comfort_seeking")
    assert len(comfort.weeks) == 12
    this, last, before, three_ago = comfort.weeks[-1], comfort.weeks[-2], comfort.weeks[-3], comfort.weeks[-4]
    assert (last.ratings, last.observers, last.low_clear, last.low_slight, last.typical) == (2, 2, 1, 1, 0)
    assert (last.high_slight, last.high_clear, last.atypical_with_circumstances) == (0, 0, 1)
    assert last.circumstances_on_atypical == {"slept_badly": 1}
    assert (this.ratings, this.observers, this.typical, this.atypical, this.atypical_with_circumstances) == (
        1,
        1,
        1,
        0,
        0,
    )
    assert this.circumstances_on_atypical == {}
    assert before.is_empty
    assert (three_ago.ratings, three_ago.high_slight, three_ago.observers) == (1, 1, 1)
    assert (comfort.ratings, comfort.rated_weeks, comfort.atypical_weeks, comfort.observers) == (4, 3, 2, 2)
    assert (comfort.low, comfort.high, comfort.typical, comfort.atypical_observers) == (2, 1, 1, 2)
    assert comfort.observer_ids == {fixture.staff_a.pk, fixture.staff_b.pk}

    reunion = figures.pillar("reunion").weeks[-2]
    assert (reunion.ratings, reunion.typical, reunion.high_clear, reunion.atypical_with_circumstances) == (2, 1, 1, 0)

    exploration = figures.pillar("exploration")
    assert exploration.weeks[-3].ratings == 1 and exploration.weeks[-2].ratings == 0

    assert all(w.is_empty for w in figures.pillar("strangers").weeks)


def test_a_wider_window_takes_in_older_weeks(fixture):
    assert weekly_figures(fixture.child_a, weeks=13).pillar("comfort_seeking").ratings == 5


def test_several_children_in_one_query(fixture, django_assert_num_queries):
    ids = [fixture.child_a.pk, fixture.child_b.pk, fixture.child_c.pk]
    with django_assert_num_queries(1):
        by_child = weekly_figures_for_children(ids, weeks=4)
    assert set(by_child) == set(ids)
    assert by_child[fixture.child_b.pk].pillar("comfort_seeking").weeks[-2].low_clear == 1
    assert by_child[fixture.child_a.pk].pillar("comfort_seeking").ratings == 4
    assert by_child[fixture.child_c.pk].pillar("comfort_seeking").ratings == 0
