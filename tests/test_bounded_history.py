"""Bounded by design: no page that lists children reads a child's whole history.

The home pages (staff, manager, coach), the group's day view, the group overview, the location page and
the mentor list read the same rows whether the children have one year of entries or five: every query
they run is answered within a window of dates or from an index (observations/recency.py: "last
observed" is one index entry per child). PostgreSQL's own account (EXPLAIN ANALYZE, tests/plans.py) of
each query's rows read is compared, query by query, before and after four older years are added: it
may not grow.
Sequential scans are switched off while explaining: on a test database's few rows the planner would
read whole tables anyway, which says nothing about a large one; a query that can only be answered by
reading the whole table still does so, and still grows.
"""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from observations.models import Observation, PillarRating
from staff.models import User
from tests.conftest import build_cast
from tests.plans import is_select, rows_read

pytestmark = pytest.mark.django_db

DAY = datetime.datetime(2027, 3, 10, 10, 0, tzinfo=datetime.UTC)  # a Wednesday
YEAR_WEEKS = 52


@pytest.fixture
def history_cast(db):
    with time_machine.travel(DAY, tick=False):
        yield build_cast()


def _add_entries(cast, weeks: range, *, removed_every: int = 0) -> None:
    """Two entries a week for each child of the cast, `weeks` weeks back from DAY (0: this week, on the
    day and on Monday), each with two ratings; every `removed_every`-th entry removed."""
    today = DAY.date()
    children = [(cast.child_a, cast.group_a), (cast.child_b, cast.group_b), (cast.child_c, cast.group_c)]
    observations: list[Observation] = []
    for child, group in children:
        for week in weeks:
            for offset in (0, 2):
                observations.append(
                    Observation(
                        child=child,
                        group=group,
                        observer=cast.staff_a,
                        date=today - datetime.timedelta(days=7 * week + offset),
                        situation="free_play",
                        removed_at=DAY if removed_every and len(observations) % removed_every == 0 else None,
                    )
                )
    made = Observation.objects.bulk_create(observations)
    PillarRating.objects.bulk_create(
        PillarRating(observation=o, pillar=pillar, value=value)
        for o in made
        for pillar, value in (("comfort_seeking", -1), ("reunion", 0))
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE observations_observation, observations_pillarrating, observations_pillarweek")


def _pages(cast) -> list[tuple[User, str]]:
    return [
        (cast.coach, "/"),
        (cast.manager, "/"),
        (cast.staff_a, "/"),
        (cast.staff_a, f"/groepen/{cast.group_a.pk}/"),
        (cast.manager, f"/groepen/{cast.group_a.pk}/overzicht/?weken=12"),
        (cast.manager, f"/groepen/{cast.group_a.pk}/overzicht/?weken=52&sort=laatst"),
        (cast.coach, f"/locaties/{cast.location1.pk}/"),
        (cast.staff_a, "/mijn-mentorkinderen/"),
    ]


def _rows_read_by_pages(client, cast) -> dict[tuple[str, str, int], int]:
    """{(who, url, n-th query): rows read} for every SELECT the pages run."""
    read = {}
    for user, url in _pages(cast):
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        selects = [q["sql"] for q in captured.captured_queries if is_select(q["sql"])]
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            try:
                for n, sql in enumerate(selects):
                    read[(user.email, url, n)] = rows_read(cursor, sql)
            finally:
                cursor.execute("RESET enable_seqscan")
    return read


def test_the_pages_read_the_same_rows_for_one_year_of_history_as_for_five(history_cast, client):
    with time_machine.travel(DAY, tick=False):
        _add_entries(history_cast, range(YEAR_WEEKS))
        one_year = _rows_read_by_pages(client, history_cast)
        # Four older years, some of their entries removed.
        _add_entries(history_cast, range(YEAR_WEEKS, 5 * YEAR_WEEKS), removed_every=7)
        five_years = _rows_read_by_pages(client, history_cast)

    assert one_year.keys() == five_years.keys()  # the same queries
    # Never more; sometimes fewer, when the planner picks a narrower index once the table is larger.
    grown = {key: (one_year[key], five_years[key]) for key in one_year if five_years[key] > one_year[key]}
    assert not grown, f"rows read grew with the years of history (one year, five years): {grown}"
    assert sum(one_year.values()) > 0


def test_last_observed_leaves_out_a_removed_last_entry(history_cast, client):
    """The index "last observed" reads holds live entries only: a removed newer entry does not count."""
    with time_machine.travel(DAY, tick=False):
        _add_entries(history_cast, range(3))  # the last entries of the cast's children: today and Monday
        Observation.objects.filter(child=history_cast.child_a, date=DAY.date()).update(removed_at=DAY)
        client.force_login(history_cast.staff_a)
        rows = {row.child.pk: row for row in client.get(f"/groepen/{history_cast.group_a.pk}/").context["rows"]}
    assert rows[history_cast.child_a.pk].last.date == DAY.date() - datetime.timedelta(days=2)
    assert rows[history_cast.child_a.pk].week_count == 1  # Monday's entry; today's was removed
