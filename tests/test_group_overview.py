"""The group overview: scoping per role, the matrix agrees with the child summary cell by cell,
sorting and filtering, stale children, fixed queries at two sizes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children.models import Child
from organisations.calendar import today
from reports.overview import group_overview
from reports.patterns import PatternKind
from reports.summary import child_summary
from tests import factories as f
from tests.overview_data import fill_group
from tests.report_data import give_recurring_comfort_pattern, observe, weeks_ago

pytestmark = pytest.mark.django_db


def url(group, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("group_overview", args=[group.pk]) + (f"?{query}" if query else "")


EXPECTED = {  # group A (location 1), group C (location 2), the other organisation's group
    "staff_a": (200, 404, 404),
    "staff_b": (404, 404, 404),
    "manager": (200, 404, 404),
    "coach": (200, 200, 404),
    "admin": (404, 404, 404),
    "other_admin": (404, 404, 404),
}


@pytest.mark.parametrize("role", EXPECTED)
def test_it_checks_access_for_every_role(cast, client_for, role):
    client = client_for(getattr(cast, role))
    groups = (cast.group_a, cast.group_c, cast.other_group)
    for group, expected in zip(groups, EXPECTED[role], strict=True):
        assert client.get(url(group)).status_code == expected, (role, group)


def test_a_superuser_reads_no_observations_either(cast, client_for):
    root = f.make_user("root@example.test", is_superuser=True, is_staff=True)
    assert client_for(root).get(url(cast.group_a)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(cast, client):
    response = client.get(url(cast.group_a))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]


def test_unknown_group_is_404(cast, client_for):
    assert client_for(cast.manager).get("/groepen/999999/overzicht/").status_code == 404


def _build_group(cast):
    observers = [cast.staff_a, cast.manager]
    give_recurring_comfort_pattern(cast.child_a, observers)
    sleepy = f.make_child(cast.group_a, "Sophie", mentor=cast.staff_a)
    for n in range(1, 7):  # reunion too much, only on days after sleeping badly
        observe(sleepy, observers[n % 2], weeks_ago(n), {"reunion": 2}, circumstances=["slept_badly"])
        observe(sleepy, observers[(n + 1) % 2], weeks_ago(n, 3), {"reunion": 0})
    fill_group(cast.group_a, observers, children=5, weeks=14)
    f.make_child(cast.group_a, "Finn")  # never observed
    return observers


@pytest.mark.parametrize("weeks", [4, 12, 26])
def test_the_matrix_agrees_with_the_child_summary_for_every_child_and_pillar(cast, weeks):
    _build_group(cast)
    overview = group_overview(cast.group_a, weeks)
    assert len(overview.rows) == 8
    for row in overview.rows:
        summary = child_summary(row.child, weeks)
        assert len(row.pillars) == len(summary.pillars) == 8
        for cell, expected in zip(row.pillars, summary.pillars, strict=True):
            assert cell.pillar == expected.pillar
            assert cell.pattern == expected.pattern, (row.child, cell.pillar.code)
            assert cell.figures == expected.figures
            assert cell.strip == expected.strip
            assert cell.style == expected.style
        assert row.entries == summary.observation_count
        assert row.mentor == summary.mentor
        assert len(summary.recurring) == row.attention_points


def test_the_page_shows_the_patterns_the_summary_shows(cast, client_for):
    _build_group(cast)
    html = client_for(cast.manager).get(url(cast.group_a)).content.decode()
    for child in Child.objects.placed_on(today(), groups=[cast.group_a]):
        summary = child_summary(child)
        for p in summary.pillars:
            marker = f'data-pillar="{p.pillar.code}" data-pattern="{p.pattern.kind}"'
            assert marker in html
        assert reverse("child_summary", args=[child.pk]) in html
    # the caution stands above the matrix
    assert html.index("geen diagnose") < html.index('id="matrix"')
    assert "terugkerend aandachtspunt" in html and "wisselend" in html and "nog te weinig gezien" in html
    # A standing-out cell names the pole it leans to by the pillar's own words.
    sophie = Child.objects.get(first_name="Sophie")
    assert '<span aria-hidden="true">↓</span> zoekt geen troost</span>' in _cell(html, cast.child_a, "comfort_seeking")
    assert '<span aria-hidden="true">↑</span> heel boos of ontroostbaar</span>' in _cell(html, sophie, "reunion")
    assert "matrix-pole" not in _cell(html, cast.child_a, "strangers")  # not enough seen: no pole


def _cell(html: str, child: Child, pillar: str) -> str:
    """The matrix cell of one child and pillar."""
    row = html.index(f'data-child="{child.pk}"')
    start = html.index(f'data-pillar="{pillar}"', row)
    return html[start : html.index("</td>", start)]


def test_the_recurring_attention_point_shows_in_its_cell(cast):
    _build_group(cast)
    row = next(r for r in group_overview(cast.group_a).rows if r.child == cast.child_a)
    assert row.pillar("comfort_seeking").pattern.kind == PatternKind.RECURRING
    assert row.attention_points == 1


def names(response):
    return [row.child.first_name for row in response.context["overview"].rows]


def test_sorting_by_name_attention_points_and_last_observed(cast, client_for):
    observers = [cast.staff_a, cast.manager]
    give_recurring_comfort_pattern(cast.child_a, observers)  # Sem: 1 attention point, last observed 1 week ago
    zoe = f.make_child(cast.group_a, "Zoe")
    for n in range(1, 7):  # two attention points
        observe(zoe, observers[n % 2], weeks_ago(n), {"comfort_seeking": -2, "reunion": 2})
    anna = f.make_child(cast.group_a, "Anna")
    observe(anna, cast.staff_a, today(), {"reunion": 0})  # observed today
    f.make_child(cast.group_a, "Bram")  # never observed
    client = client_for(cast.manager)
    assert names(client.get(url(cast.group_a))) == ["Anna", "Bram", "Sem", "Zoe"]
    assert names(client.get(url(cast.group_a, sort="naam"))) == ["Anna", "Bram", "Sem", "Zoe"]
    assert names(client.get(url(cast.group_a, sort="aandachtspunten"))) == ["Zoe", "Sem", "Anna", "Bram"]
    # longest ago first: never observed, then Sem and Zoe (both last seen a week ago, by name), then Anna
    assert names(client.get(url(cast.group_a, sort="laatst"))) == ["Bram", "Sem", "Zoe", "Anna"]
    assert names(client.get(url(cast.group_a, sort="onzin"))) == ["Anna", "Bram", "Sem", "Zoe"]


def test_filtering_to_children_with_attention_points(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    f.make_child(cast.group_a, "Anna")
    client = client_for(cast.manager)
    response = client.get(url(cast.group_a, filter="aandachtspunten"))
    assert names(response) == ["Sem"]
    assert "1 van de 2 kinderen heeft een terugkerend aandachtspunt." in response.content.decode()
    combined = client.get(url(cast.group_a, filter="aandachtspunten", sort="laatst"))
    assert names(combined) == ["Sem"]
    empty = client.get(url(cast.group_b, filter="aandachtspunten"))
    assert empty.status_code == 200 and names(empty) == []


def test_children_not_observed_for_14_days_stand_out(cast, client_for):
    observe(cast.child_a, cast.staff_a, today() - datetime.timedelta(days=14), {"reunion": 0})
    fresh = f.make_child(cast.group_a, "Anna")
    observe(fresh, cast.staff_a, today() - datetime.timedelta(days=13), {"reunion": 0})
    response = client_for(cast.staff_a).get(url(cast.group_a))
    rows = {r.child.first_name: r for r in response.context["overview"].rows}
    assert rows["Sem"].is_stale and not rows["Anna"].is_stale
    html = response.content.decode()
    assert html.count("stale-row") == 1 and "14 dagen niet waargenomen" in html


def test_only_children_placed_today_are_shown(cast, client_for):
    from children.models import Placement

    gone = f.make_child(cast.group_a, "Weg")
    Placement.objects.filter(child=gone).update(end_date=today() - datetime.timedelta(days=1))
    response = client_for(cast.manager).get(url(cast.group_a))
    assert names(response) == ["Sem"]


@pytest.mark.parametrize("raw", ["abc", "0", "3", "53", "-1"])
def test_bad_weeks_fall_back_to_the_default_with_a_notice(cast, client_for, raw):
    response = client_for(cast.manager).get(url(cast.group_a, weken=raw))
    assert response.status_code == 200
    assert response.context["overview"].weeks == 12
    assert "Het aantal weken" in response.content.decode()


def test_weeks_choose_the_window(cast, client_for):
    response = client_for(cast.manager).get(url(cast.group_a, weken=26))
    overview = response.context["overview"]
    assert overview.weeks == 26 and len(overview.window) == 26
    assert len(overview.rows[0].pillars[0].strip) == 26


def _queries(client, group, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(group, **params))
    assert response.status_code == 200
    return len(queries)


def test_the_overview_data_runs_three_queries_at_any_size(cast, django_assert_num_queries):
    with django_assert_num_queries(3):
        group_overview(cast.group_a, 12)
    fill_group(cast.group_a, [cast.staff_a, cast.manager], children=15, weeks=12)
    with django_assert_num_queries(3):
        overview = group_overview(cast.group_a, 12)
    assert len(overview.rows) == 16


def test_the_page_runs_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries):
    client = client_for(cast.manager)
    small = _queries(client, cast.group_a)
    fill_group(cast.group_a, [cast.staff_a, cast.manager], children=15, weeks=14, per_week=3)
    large = _queries(client, cast.group_a)
    assert small == large
    with django_assert_num_queries(small):
        response = client.get(url(cast.group_a, weken=52, sort="laatst", filter="aandachtspunten"))
    assert response.context["overview"].rows


def test_names_are_escaped(cast, client_for):
    f.make_child(cast.group_a, "<script>alert(1)</script>")
    html = client_for(cast.manager).get(url(cast.group_a)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
