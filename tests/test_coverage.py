"""Coverage on the group page: children without an entry this week, pillars a child never had
rated in the window (from the reports' weekly figures), shown only to readers of the group."""

import datetime

import pytest
from django.urls import reverse

from observations.pillars import PILLARS
from observations.selectors import group_day_view
from organisations.calendar import current_week, today
from reports.overview import group_coverage
from tests import factories as f
from tests.report_data import observe

pytestmark = pytest.mark.django_db

ALL_BUT_TWO = {p.code: 0 for p in PILLARS if p.code not in ("reunion", "strangers")}


def url(group):
    return reverse("group_detail", args=[group.pk])


def test_children_without_an_entry_this_week(cast):
    anna = f.make_child(cast.group_a, "Anna")
    observe(anna, cast.staff_a, today(), {"reunion": 0})
    last_week = current_week().start - datetime.timedelta(days=1)
    observe(cast.child_a, cast.staff_a, last_week, {"reunion": 0})
    coverage = group_coverage(group_day_view(cast.group_a))
    assert [c.first_name for c in coverage.no_entry_this_week] == ["Sem"]


def test_pillars_never_rated_in_the_window(cast):
    observe(cast.child_a, cast.staff_a, today(), ALL_BUT_TWO)
    anna = f.make_child(cast.group_a, "Anna")
    observe(anna, cast.staff_a, today(), {p.code: 0 for p in PILLARS})
    old = f.make_child(cast.group_a, "Oud")
    observe(old, cast.staff_a, today() - datetime.timedelta(weeks=20), {p.code: 0 for p in PILLARS})
    coverage = group_coverage(group_day_view(cast.group_a), 12)
    gaps = {child.first_name: [p.code for p in pillars] for child, pillars in coverage.never_rated}
    assert gaps == {"Sem": ["reunion", "strangers"], "Oud": [p.code for p in PILLARS]}


def test_removed_observations_do_not_count(cast):
    observe(cast.child_a, cast.staff_a, today(), {p.code: 0 for p in PILLARS}, removed=True)
    coverage = group_coverage(group_day_view(cast.group_a))
    assert [c.first_name for c in coverage.no_entry_this_week] == ["Sem"]
    assert len(coverage.never_rated[0][1]) == 8


def test_the_group_page_shows_the_coverage_to_readers(cast, client_for):
    observe(cast.child_a, cast.staff_a, today(), ALL_BUT_TWO)
    f.make_child(cast.group_a, "Anna")
    for user in (cast.staff_a, cast.manager, cast.coach):
        html = client_for(user).get(url(cast.group_a)).content.decode()
        assert "Spreiding van de waarnemingen" in html
        assert "Deze week nog geen waarneming" in html
        no_entry = html[html.index("coverage-no-entry") : html.index("Niet beoordeeld in de laatste 12 weken")]
        assert "Anna Testmans" in no_entry and "Sem Testmans" not in no_entry
        assert "<strong>Sem Testmans</strong>: Reactie bij hereniging, Reactie op vreemden" in html
        assert reverse("group_overview", args=[cast.group_a.pk]) in html


def test_an_admin_sees_no_coverage(cast, client_for):
    response = client_for(cast.admin).get(url(cast.group_a))
    assert response.status_code == 200
    assert response.context["coverage"] is None
    assert "Spreiding van de waarnemingen" not in response.content.decode()


def test_everyone_covered(cast, client_for):
    observe(cast.child_a, cast.staff_a, today(), {p.code: 0 for p in PILLARS})
    html = client_for(cast.staff_a).get(url(cast.group_a)).content.decode()
    assert "Elk kind heeft deze week een waarneming." in html
    assert "Elke pijler van elk kind is beoordeeld in de laatste 12 weken." in html


def test_coverage_adds_one_query(cast, django_assert_num_queries):
    for n in range(10):
        f.make_child(cast.group_a, f"K{n}")
    children = group_day_view(cast.group_a)
    with django_assert_num_queries(1):
        group_coverage(children)
