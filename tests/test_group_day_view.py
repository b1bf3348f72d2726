"""The group page /groepen/<id>/ as day view: entries this week, last observed, stale marks, queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisations.calendar import today, week_of
from tests import factories as f
from tests.observation_factories import days_ago, make_observation

pytestmark = pytest.mark.django_db


def url(group):
    return reverse("group_detail", args=[group.pk])


def test_staff_see_entries_this_week_last_date_and_a_link_to_the_entry_form(cast, client_for):
    make_observation(cast.child_a, cast.staff_a, date=today())
    make_observation(cast.child_a, cast.staff_a, date=today(), situation="meal")
    earlier_in_week = week_of(today()).start
    if earlier_in_week != today():
        make_observation(cast.child_a, cast.staff_a, date=earlier_in_week)
    make_observation(cast.child_a, cast.staff_a, date=week_of(today()).start - datetime.timedelta(days=1))
    html = client_for(cast.staff_a).get(url(cast.group_a)).content.decode()
    expected = 3 if earlier_in_week != today() else 2
    assert f"{expected} waarnemingen deze week" in html
    assert "laatst waargenomen" in html
    assert reverse("observation_new", args=[cast.child_a.pk]) in html
    assert "dagen niet waargenomen" not in html


def test_a_child_not_observed_for_14_days_is_marked(cast, client_for):
    fresh = f.make_child(cast.group_a, "Zoë")
    make_observation(cast.child_a, cast.staff_a, date=days_ago(14))
    make_observation(fresh, cast.staff_a, date=days_ago(13))
    never = f.make_child(cast.group_a, "Bo")
    html = client_for(cast.staff_a).get(url(cast.group_a)).content.decode()
    # Sem (14 days) is marked with the exact days, Bo (never) with "nog nooit waargenomen" (issue 8: the
    # mark says how many days; before, a never-observed child also read "14 dagen niet waargenomen").
    assert html.count("14 dagen niet waargenomen") == 1
    assert "nog nooit waargenomen" in html
    items = html.split('<li class="list-group-item')
    sem = next(i for i in items if "Sem Testmans" in i)
    zoe = next(i for i in items if "Zoë Testmans" in i)
    bo = next(i for i in items if "Bo Testmans" in i)
    assert " stale" in sem[:20] and " stale" in bo[:20] and " stale" not in zoe[:20]
    assert "badge-stale" in bo and "badge-stale" not in zoe
    assert never.pk


def test_removed_observations_do_not_count(cast, client_for):
    from django.utils import timezone

    observation = make_observation(cast.child_a, cast.staff_a, date=today())
    observation.removed_at = timezone.now()
    observation.save(update_fields=["removed_at"])
    html = client_for(cast.staff_a).get(url(cast.group_a)).content.decode()
    assert "0 waarnemingen deze week" in html and "nog nooit waargenomen" in html


@pytest.mark.parametrize("who", ["manager", "coach"])
def test_readers_see_the_day_view_without_the_entry_form(cast, client, who):
    make_observation(cast.child_a, cast.staff_a, date=today())
    client.force_login(getattr(cast, who))
    html = client.get(url(cast.group_a)).content.decode()
    assert "1 waarneming deze week" in html
    assert reverse("observation_new", args=[cast.child_a.pk]) not in html
    assert reverse("child_detail", args=[cast.child_a.pk]) in html


@pytest.mark.parametrize("who", ["staff_b", "other_admin"])
def test_outsiders_get_404(cast, client, who):
    client.force_login(getattr(cast, who))
    assert client.get(url(cast.group_a)).status_code == 404


def test_an_admin_sees_the_children_but_no_observation_figures(cast, client):
    make_observation(cast.child_a, cast.staff_a, date=today())
    client.force_login(cast.admin)
    html = client.get(url(cast.group_a)).content.decode()
    assert "Sem Testmans" in html and "deze week" not in html


def _queries_for(client, group) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(group)).status_code == 200
    return len(queries)


def test_the_day_view_runs_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries):
    client = client_for(cast.staff_a)
    make_observation(cast.child_a, cast.staff_a, date=today())
    few = _queries_for(client, cast.group_a)
    mentor = f.make_user(first_name="Carla")
    f.add_membership(mentor, "staff", group=cast.group_a)
    for number in range(15):
        child = f.make_child(cast.group_a, f"Kind{number:02d}", mentor=mentor if number % 2 else cast.staff_a)
        for day in range(number % 4):
            make_observation(child, cast.staff_a if day % 2 else mentor, date=days_ago(day * 3))
    many = _queries_for(client, cast.group_a)
    assert few == many
    with django_assert_num_queries(few):
        client.get(url(cast.group_a))


def test_the_mark_counts_the_exact_days_everywhere(cast, client_for):
    """One notion of "last observed": 40 days ago reads "40 dagen", on the day view, the mentor list
    and the group overview, and the location figures count the child as not observed lately."""
    make_observation(cast.child_a, cast.staff_a, date=days_ago(40))
    client = client_for(cast.staff_a)
    for page in (url(cast.group_a), reverse("mentor_children"), reverse("group_overview", args=[cast.group_a.pk])):
        html = client.get(page).content.decode()
        assert "40 dagen niet waargenomen" in html, page
        assert "14 dagen niet waargenomen" not in html, page
    figures = client_for(cast.manager).get(reverse("location_detail", args=[cast.location1.pk])).context["figures"]
    group_a = next(g for g in figures.groups if g.group == cast.group_a)
    assert group_a.observed_recently == 0


def test_thirteen_days_is_not_marked_and_counts_as_observed_lately(cast, client_for):
    make_observation(cast.child_a, cast.staff_a, date=days_ago(13))
    html = client_for(cast.staff_a).get(url(cast.group_a)).content.decode()
    assert "badge-stale" not in html
    figures = client_for(cast.manager).get(reverse("location_detail", args=[cast.location1.pk])).context["figures"]
    assert next(g for g in figures.groups if g.group == cast.group_a).observed_recently == 1
