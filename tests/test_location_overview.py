"""The location page and the home page's location cards: scoping per role, the figures per
group, fixed queries at two sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import Placement
from organisations.calendar import today
from reports.overview import location_overview
from reports.patterns import PatternKind
from reports.summary import child_summary
from staff.models import Role
from staff.scope import scope_for
from tests import factories as f
from tests.overview_data import fill_group
from tests.report_data import give_recurring_comfort_pattern, observe, weeks_ago

pytestmark = pytest.mark.django_db


def url(location):
    return reverse("location_detail", args=[location.pk])


EXPECTED = {  # location 1, location 2, the other organisation's location
    "staff_a": (200, 404, 404),
    "staff_b": (200, 404, 404),
    "manager": (200, 404, 404),
    "coach": (200, 200, 404),
    "admin": (200, 200, 404),
    "other_admin": (404, 404, 200),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_it_checks_access_for_every_role(cast, client_for, role):
    client = client_for(getattr(cast, role))
    for location, expected in zip((cast.location1, cast.location2, cast.other_location), EXPECTED[role], strict=True):
        assert client.get(url(location)).status_code == expected, (role, location)


def _groups(response):
    return {gf.group.name: gf for gf in response.context["figures"].groups}


def test_figures_only_for_groups_the_user_may_read(cast, client_for):
    staff = _groups(client_for(cast.staff_a).get(url(cast.location1)))
    assert list(staff) == ["Groep A"] and staff["Groep A"].readable
    manager = _groups(client_for(cast.manager).get(url(cast.location1)))
    assert list(manager) == ["Groep A", "Groep B"] and all(g.readable for g in manager.values())
    admin_response = client_for(cast.admin).get(url(cast.location1))
    admin = _groups(admin_response)
    assert list(admin) == ["Groep A", "Groep B"] and not any(g.readable for g in admin.values())
    assert admin["Groep A"].children_today == 1  # record facts, no observation figures
    html = admin_response.content.decode()
    assert reverse("group_overview", args=[cast.group_a.pk]) not in html
    assert "aandachtspunt" not in html


def test_the_figures_per_group(cast, client_for):
    observers = [cast.staff_a, cast.manager]
    give_recurring_comfort_pattern(cast.child_a, observers)  # last observed a week ago, attention point
    recent = f.make_child(cast.group_a, "Anna")
    observe(recent, cast.staff_a, today() - datetime.timedelta(days=13), {"reunion": 0})
    old = f.make_child(cast.group_a, "Bram")
    observe(old, cast.staff_a, today() - datetime.timedelta(days=14), {"reunion": 0})  # not in the last 14 days
    f.make_child(cast.group_a, "Cas")  # never observed
    gone = f.make_child(cast.group_a, "Weg")
    observe(gone, cast.staff_a, today(), {"reunion": 0})
    Placement.objects.filter(child=gone).update(end_date=today() - datetime.timedelta(days=1))
    quiet = f.make_user("quiet@example.test", first_name="Quinten", last_name="Stil")
    f.add_membership(quiet, Role.STAFF, group=cast.group_a)

    response = client_for(cast.manager).get(url(cast.location1))
    a = _groups(response)["Groep A"]
    assert a.children_today == 4
    assert (a.observed_recently, a.observed_percent) == (2, 50)
    assert a.with_attention_point == 1
    # entries over the last 4 weeks: observations made in group A in the last 28 days, per observer
    activity = {s.name: s.entries for s in a.staff_activity}
    assert activity["Quinten Stil"] == 0
    html = response.content.decode()
    assert "50%" in html and "Quinten Stil: 0" in html
    assert reverse("group_overview", args=[cast.group_a.pk]) in html
    b = _groups(response)["Groep B"]
    assert (b.children_today, b.observed_recently, b.with_attention_point) == (1, 0, 0)


def test_entries_per_staff_member_over_the_last_four_weeks(cast, client_for):
    for days in (0, 1, 27, 28, 60):  # 28 and 60 days ago fall outside the last four weeks
        observe(cast.child_b, cast.staff_b, today() - datetime.timedelta(days=days), {"reunion": 0})
    observe(cast.child_b, cast.staff_b, today(), {"reunion": 0}, removed=True)  # removed entries do not count
    observe(cast.child_b, cast.manager, today() - datetime.timedelta(days=3), {"reunion": 0})
    observe(cast.child_a, cast.staff_a, today(), {"reunion": 0})  # group A
    figures = location_overview(cast.location1, cast.manager)
    b = next(g for g in figures.groups if g.group == cast.group_b)
    assert [(s.name, s.entries) for s in b.staff_activity] == [("Bart", 3), ("Mira", 1)]
    assert b.entries == 4
    assert b.observed_recently == 1


def test_the_attention_count_agrees_with_the_child_summaries(cast):
    fill_group(cast.group_a, [cast.staff_a, cast.manager], children=7, weeks=12)
    figures = location_overview(cast.location1, cast.manager)
    a = next(g for g in figures.groups if g.group == cast.group_a)
    from children.models import Child

    expected = sum(
        1
        for child in Child.objects.placed_on(today(), groups=[cast.group_a])
        if any(p.pattern.kind == PatternKind.RECURRING for p in child_summary(child).pillars)
    )
    assert a.with_attention_point == expected > 0


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


def test_the_location_data_runs_five_queries_at_any_size(cast, django_assert_num_queries):
    scope_for(cast.manager)  # the user's memberships, read once per request
    with django_assert_num_queries(5):
        location_overview(cast.location1, cast.manager)
    fill_group(cast.group_a, [cast.staff_a, cast.manager], children=12, weeks=12)
    fill_group(cast.group_b, [cast.staff_b, cast.manager], children=8, weeks=20, prefix="B")
    with django_assert_num_queries(5):
        location_overview(cast.location1, cast.manager)


@pytest.mark.parametrize("role", ["manager", "coach", "staff_a"])
def test_the_pages_run_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries, role):
    client = client_for(getattr(cast, role))
    small_location = _queries(client, url(cast.location1))
    small_home = _queries(client, reverse("home"))
    fill_group(cast.group_a, [cast.staff_a, cast.manager], children=12, weeks=14)
    fill_group(cast.group_b, [cast.staff_b, cast.manager], children=8, weeks=20, prefix="B")
    f.make_group(cast.location1, "Groep D")
    assert _queries(client, url(cast.location1)) == small_location
    assert _queries(client, reverse("home")) == small_home
    with django_assert_num_queries(small_location):
        client.get(url(cast.location1))


def test_a_manager_of_several_locations_sees_them_side_by_side(cast, client_for):
    f.add_membership(cast.manager, Role.MANAGER, location=cast.location2)
    give_recurring_comfort_pattern(cast.child_c, [cast.coach, cast.manager])
    response = client_for(cast.manager).get(reverse("home"))
    managed = response.context["managed_locations"]
    assert [lf.location for lf in managed] == [cast.location1, cast.location2]
    assert [lf.observed_recently for lf in managed] == [0, 1]
    recent = sum(1 for n in range(1, 7) if weeks_ago(n) >= today() - datetime.timedelta(days=27))
    assert [lf.groups[0].entries for lf in managed] == [0, recent]  # entries in the last four weeks
    html = response.content.decode()
    assert "location-cards" in html and "Locatie Een" in html and "Locatie Twee" in html
    assert reverse("group_overview", args=[cast.group_c.pk]) in html


def test_the_home_page_of_a_coach_shows_the_coached_locations(cast, client_for):
    response = client_for(cast.coach).get(reverse("home"))
    assert [lf.location for lf in response.context["coached_locations"]] == [cast.location1, cast.location2]
    assert client_for(cast.staff_a).get(reverse("home")).context["managed_locations"] == []
