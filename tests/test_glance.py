"""Who needs attention and why, at a glance (issue 22): the children with a recurring attention point
by name on the home page (managers, coaches) and the location page (whoever reads the group), each
with its group, pillar, pole in words and since when, linked to that pillar on the child's summary;
colleagues' entry counts by name only for the roles that read them (ROLE_RULES reads_staff_activity).
Every role through the test client: staff, a mentor, manager, coach, admin, another location."""

import datetime

import pytest
from django.urls import reverse

from children.models import Child
from organisations.calendar import today
from reports.attention import children_with_attention_point
from reports.overview import location_overview
from staff.models import Role
from staff.scope import scope_for
from tests import factories as f
from tests.report_data import give_recurring_comfort_pattern, observe, weeks_ago

pytestmark = pytest.mark.django_db


def location_url(location):
    return reverse("location_detail", args=[location.pk])


def summary_link(child, pillar="comfort_seeking"):
    return f'href="{reverse("child_summary", args=[child.pk])}#pijler-{pillar}"'


@pytest.fixture
def attention(cast):
    """Sem (group A), Tess (group B) and Daan (group C, location 2) each have a recurring attention point
    on seeking comfort over the last six weeks; Olaf of the other organisation too."""
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    give_recurring_comfort_pattern(cast.child_b, [cast.staff_b, cast.manager])
    give_recurring_comfort_pattern(cast.child_c, [cast.coach, cast.manager])
    other = f.make_user("other.staff@example.test", first_name="Oscar")
    f.add_membership(other, Role.STAFF, group=cast.other_group)
    give_recurring_comfort_pattern(cast.other_child, [cast.other_admin, other])
    return cast


def _listed(response) -> set[str]:
    """The children named in the attention lists of a page (each list item has data-child)."""
    html = response.content.decode()
    named = set()
    for child in Child.objects.all():
        if f'class="attention-point" data-child="{child.pk}"' in html:
            named.add(child.first_name)
    return named


def test_the_home_page_names_each_child_with_its_group_pillar_pole_and_since_when(attention, client_for):
    cast = attention
    cast.child_a.tussenvoegsel = "van der"  # the whole name, as Dutch writes it
    cast.child_a.save()
    response = client_for(cast.manager).get(reverse("home"))
    html = response.content.decode()
    (location,) = response.context["managed_locations"]
    rows = location.attention_points
    assert [(r.child_name, r.group.name, r.pillar.code, r.point.direction) for r in rows] == [
        ("Sem van der Testmans", "Groep A", "comfort_seeking", "low"),
        ("Tess Testmans", "Groep B", "comfort_seeking", "low"),
    ]
    first = weeks_ago(6) - datetime.timedelta(days=1)  # the Monday of the first week on that pole
    assert all(r.point.since == first for r in rows)
    item = html[
        html.index(f'data-child="{cast.child_a.pk}"') : html.index(
            "</li>", html.index(f'data-child="{cast.child_a.pk}"')
        )
    ]
    assert summary_link(cast.child_a) in item
    assert cast.child_a.full_name in item and "Groep A" in item
    assert "Zoeken van troost" in item and "zoekt geen troost" in item  # the pillar and its pole in words
    assert f"sinds week {first.isocalendar().week}" in item
    assert "Kinderen met een terugkerend aandachtspunt" in html


def test_the_home_groups_table_keeps_its_attention_column(attention, client_for):
    html = client_for(attention.manager).get(reverse("home")).content.decode()
    assert "Aandachtspunten</th>" in html and '<td class="attention-count" data-label="Aandachtspunten">1</td>' in html


def test_a_location_without_attention_points_says_so(cast, client_for):
    html = client_for(cast.manager).get(location_url(cast.location1)).content.decode()
    assert "Geen kind heeft een terugkerend aandachtspunt in de laatste 12 weken." in html


# Who sees which names: exactly the children they may read (Child.objects.observable_by) with an attention point.
HOME = {  # the names on the home page
    "staff_a": set(),  # staff have their groups on the home page, no location figures
    "staff_b": set(),
    "manager": {"Sem", "Tess"},
    "coach": {"Sem", "Tess", "Daan"},
    "admin": set(),
    "other_admin": set(),
}
LOCATION_1 = {  # the names on the page of location 1 (None: the page is not theirs, 404)
    "staff_a": {"Sem"},
    "staff_b": {"Tess"},
    "manager": {"Sem", "Tess"},
    "coach": {"Sem", "Tess"},
    "admin": set(),  # sets up records, reads no observations
    "other_admin": None,
}


@pytest.mark.parametrize("role", HOME)
def test_the_names_follow_what_each_role_may_read(attention, client_for, role):
    cast = attention
    user = getattr(cast, role)
    client = client_for(user)
    assert _listed(client.get(reverse("home"))) == HOME[role]
    response = client.get(location_url(cast.location1))
    if LOCATION_1[role] is None:
        assert response.status_code == 404
    else:
        assert _listed(response) == LOCATION_1[role]
        readable = (
            Child.objects.observable_by(user)
            .filter(placements__group__location=cast.location1)
            .values_list("pk", flat=True)
        )
        expected = children_with_attention_point(readable, 12)
        assert {c.first_name for c in Child.objects.filter(pk__in=expected)} == LOCATION_1[role]
    assert "Olaf" not in client.get(reverse("home")).content.decode()


def test_a_mentor_sees_the_names_of_their_group_only(attention, client_for):
    cast = attention
    mentor = f.make_user("mentor@example.test", first_name="Mees")
    f.add_membership(mentor, Role.STAFF, group=cast.group_a)
    f.make_child(cast.group_a, "Pim", mentor=mentor)
    response = client_for(mentor).get(location_url(cast.location1))
    assert _listed(response) == {"Sem"}
    assert summary_link(cast.child_a) in response.content.decode()


def test_the_other_location_of_a_coach(attention, client_for):
    response = client_for(attention.coach).get(location_url(attention.location2))
    assert _listed(response) == {"Daan"}
    assert summary_link(attention.child_c) in response.content.decode()


# --- Colleagues' entry counts by name: managers and coaches only ------------------------------


@pytest.fixture
def entries(cast):
    """Group A: Anna (staff_a) 3 entries, her colleague Kees 2; group B: Bart 1."""
    kees = f.make_user("kees@example.test", first_name="Kees", last_name="Collega")
    f.add_membership(kees, Role.STAFF, group=cast.group_a)
    for days in range(3):
        observe(cast.child_a, cast.staff_a, today() - datetime.timedelta(days=days), {"reunion": 0})
    for days in range(2):
        observe(cast.child_a, kees, today() - datetime.timedelta(days=days), {"reunion": 0})
    observe(cast.child_b, cast.staff_b, today(), {"reunion": 0})
    return cast


@pytest.mark.parametrize("role", ["manager", "coach"])
def test_managers_and_coaches_read_the_counts_by_name(entries, client_for, role):
    response = client_for(getattr(entries, role)).get(location_url(entries.location1))
    html = response.content.decode()
    assert "Anna: 3" in html and "Kees Collega: 2" in html and "Bart: 1" in html
    groups = {g.group.name: g for g in response.context["figures"].groups}
    assert groups["Groep A"].names_staff and groups["Groep A"].entries == 5


@pytest.mark.parametrize("role", ["staff_a", "mentor"])
def test_staff_see_their_own_count_and_the_group_total_without_names(entries, client_for, role):
    cast = entries
    user = cast.staff_a  # staff_a is Sem's mentor
    if role == "mentor":
        user = f.make_user("mentor@example.test", first_name="Mees")
        f.add_membership(user, Role.STAFF, group=cast.group_a)
        f.make_child(cast.group_a, "Pim", mentor=user)
        observe(cast.child_a, user, today(), {"reunion": 0})
    response = client_for(user).get(location_url(cast.location1))
    html = response.content.decode()
    (group_a,) = response.context["figures"].groups
    assert not group_a.names_staff and group_a.staff_activity == []
    own, total = (3, 5) if role == "staff_a" else (1, 6)
    assert (group_a.own_entries, group_a.entries) == (own, total)
    assert "Kees" not in html and "Collega" not in html
    assert "Waarnemingen per medewerker" not in html and "per medewerker" not in html
    assert f"<dt>Van jou</dt><dd>{own}</dd>" in html and f"<dt>De hele groep</dt><dd>{total}</dd>" in html


def test_an_admin_reads_no_counts(entries, client_for):
    html = client_for(entries.admin).get(location_url(entries.location1)).content.decode()
    assert "Kees" not in html and "Anna" not in html and "Van jou" not in html


def test_another_location_shows_nothing_of_this_one(entries, client_for):
    cast = entries
    assert client_for(cast.staff_b).get(location_url(cast.location2)).status_code == 404
    assert client_for(cast.other_admin).get(location_url(cast.location1)).status_code == 404
    # staff of group B on location 1: their own group's total, nothing of group A
    response = client_for(cast.staff_b).get(location_url(cast.location1))
    (group_b,) = response.context["figures"].groups
    assert (group_b.group, group_b.own_entries, group_b.entries) == (cast.group_b, 1, 1)
    html = response.content.decode()
    assert "Kees" not in html and "Anna" not in html


def test_the_rule_is_data_in_role_rules():
    from staff.models import ROLE_RULES

    assert {str(role) for role, rule in ROLE_RULES.items() if rule.reads_staff_activity} == {
        "manager",
        "coach",
        "consultant",
    }


def test_staff_read_their_location_in_four_queries(entries, django_assert_num_queries):
    scope_for(entries.staff_a)  # the memberships, read once per request
    with django_assert_num_queries(4):  # no staff names to read: the staff query is left out
        location_overview(entries.location1, entries.staff_a)
