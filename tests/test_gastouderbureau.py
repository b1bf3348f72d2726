"""A gastouderbureau (childminder agency): its kind, the gastouder and bemiddelingsmedewerker roles
(ROLE_RULES), one gastouder and at most six children at a childminder's home, a child with two
gastouders, and the same scoping as in centres: a gastouder sees their own children, a
bemiddelingsmedewerker the children of the gastouders they support, nobody the other gastouders'."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from children.models import Child, Placement, most_children_at_once
from organisations.calendar import today
from organisations.models import Group, Location, Organisation
from staff.access import visible_groups, visible_locations
from staff.models import ROLE_RULES, Membership, Role, ScopeLevel, roles_in
from tests import factories as f
from tests.observation_factories import make_observation
from tests.test_admin_hardening import membership_form

pytestmark = pytest.mark.django_db


def ids(queryset):
    return set(queryset.values_list("id", flat=True))


# --- the role rules ------------------------------------------------------------------------------


def test_the_roles_of_each_kind_of_organisation():
    assert set(roles_in(Organisation.Kind.CENTRE)) == {Role.STAFF, Role.MANAGER, Role.COACH, Role.ADMIN}
    assert set(roles_in(Organisation.Kind.AGENCY)) == {Role.GASTOUDER, Role.CONSULTANT, Role.MANAGER, Role.ADMIN}
    gastouder, consultant, coach = ROLE_RULES[Role.GASTOUDER], ROLE_RULES[Role.CONSULTANT], ROLE_RULES[Role.COACH]
    assert (gastouder.level, gastouder.logs_observations, gastouder.needs_second_factor) == (
        ScopeLevel.GROUP,
        True,
        False,
    )
    # The coach's rights over the children, at each home they support; a home has one observer, so no
    # agreement page and no duo-observations there.
    assert consultant.level == ScopeLevel.LOCATION and consultant.needs_second_factor
    for capability in ("reads_observations", "reads_conversations", "records_conversations", "logs_observations"):
        assert getattr(consultant, capability) == getattr(coach, capability), capability
    assert not consultant.reads_agreement and not consultant.coaches_observers


def test_the_dutch_names_of_the_roles_and_kinds():
    from django.utils import translation

    with translation.override("nl"):
        assert str(Role.GASTOUDER.label) == "gastouder"
        assert str(Role.CONSULTANT.label) == "consulent"
        assert str(Organisation.Kind.AGENCY.label) == "gastouderbureau"
        assert str(Organisation.Kind.CENTRE.label) == "kinderopvangorganisatie"


# --- validation ----------------------------------------------------------------------------------


def _membership(user, role, **place):
    organisation = place.pop("organisation", None)
    if organisation is None:
        organisation = (place["group"].location if "group" in place else place["location"]).organisation
    return Membership(user=user, role=role, organisation=organisation, **place)


def test_gastouder_and_consultant_only_in_a_gastouderbureau(cast, nest):
    user = f.make_user()
    with pytest.raises(ValidationError) as gastouder:
        _membership(user, Role.GASTOUDER, group=cast.group_a).clean()
    assert "role" in gastouder.value.message_dict
    with pytest.raises(ValidationError) as consultant:
        _membership(user, Role.CONSULTANT, location=cast.location1).clean()
    assert "role" in consultant.value.message_dict
    # ... and the centre's roles stay in centres; manager and admin exist in both
    with pytest.raises(ValidationError):
        _membership(user, Role.STAFF, group=nest.group_z).clean()
    with pytest.raises(ValidationError):
        _membership(user, Role.COACH, location=nest.home_z).clean()
    _membership(user, Role.MANAGER, location=nest.home_z).clean()
    _membership(user, Role.ADMIN, organisation=nest.org).clean()
    _membership(user, Role.STAFF, group=cast.group_a).clean()
    _membership(user, Role.COACH, location=cast.location1).clean()
    _membership(user, Role.CONSULTANT, location=nest.home_z).clean()


def test_a_childminders_home_has_one_gastouder(nest):
    second = _membership(f.make_user(), Role.GASTOUDER, group=nest.group_x)
    with pytest.raises(ValidationError) as refused:
        second.clean()
    assert refused.value.message_dict["group"] == ["Dit gastouderadres heeft al een gastouder."]
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    # the gastouder's own row validates (itself excluded)
    Membership.objects.get(user=nest.gastouder_x).clean()


def test_a_gastouderbureau_has_only_childminders_homes_each_with_one_group(nest):
    with pytest.raises(ValidationError):
        Location(organisation=nest.org, name="Kantoor", kind=Location.Kind.CENTRE).clean()
    with pytest.raises(ValidationError):
        Group(location=nest.home_x, name="Tweede groep").clean()
    nest.group_x.clean()  # the one group itself is fine
    # a consultant's and a gastouder's place is a childminder's home (a centre-kind location slipped past
    # the location's own check is refused)
    office = Location.objects.create(organisation=nest.org, name="Kantoor", kind=Location.Kind.CENTRE)
    with pytest.raises(ValidationError) as refused:
        _membership(f.make_user(), Role.CONSULTANT, location=office).clean()
    assert list(refused.value.message_dict) == ["location"]
    with pytest.raises(ValidationError) as refused:
        _membership(f.make_user(), Role.GASTOUDER, group=f.make_group(office)).clean()
    assert list(refused.value.message_dict) == ["group"]


def _placement(child, group, start, end=None):
    return Placement(child=child, group=group, start_date=start, end_date=end)


def test_at_most_six_children_at_once_at_a_childminders_home(nest):
    start = today() - datetime.timedelta(days=30)
    # X has child_x and child_xy; four more make six
    for n in range(4):
        f.make_child(nest.group_x, f"Extra{n}", placed_from=start)
    assert Placement.objects.running_on(today()).filter(group=nest.group_x).count() == 6
    seventh = Child.objects.create(
        organisation=nest.org, first_name="Zeven", last_name="Testmans", date_of_birth=today() - datetime.timedelta(400)
    )
    with pytest.raises(ValidationError) as refused:
        _placement(seventh, nest.group_x, today()).full_clean()
    assert "hoogstens 6 kinderen tegelijk" in str(refused.value)
    # once one of the six leaves, the seventh fits from the next day on (not before)
    leaving = Placement.objects.get(child__first_name="Extra0")
    leaving.end_date = today() + datetime.timedelta(days=9)
    leaving.save()
    _placement(seventh, nest.group_x, today() + datetime.timedelta(days=10)).full_clean()
    with pytest.raises(ValidationError):
        _placement(seventh, nest.group_x, today() + datetime.timedelta(days=9)).full_clean()
    # a centre's group has no such limit
    centre_group = f.make_group(f.make_location(f.make_organisation()))
    children = [f.make_child(centre_group, f"Centre{n}") for n in range(7)]
    placement = children[-1].placements.get()
    placement.full_clean()


def test_most_children_at_once_counts_each_day_of_the_period():
    day = datetime.date(2026, 3, 1)
    later = datetime.date(2026, 6, 1)
    rows = [
        ("a", day, None),
        ("b", day, datetime.date(2026, 3, 31)),
        ("c", datetime.date(2026, 4, 1), None),  # comes after b left: two at once, not three
        ("c", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),  # long before
    ]
    assert most_children_at_once(day, None, rows) == 2
    assert most_children_at_once(later, None, [*rows, ("d", later, None)]) == 3
    assert most_children_at_once(datetime.date(2024, 1, 1), datetime.date(2024, 2, 1), rows) == 0


def test_a_child_can_be_with_two_gastouders_on_different_days(nest):
    running = Placement.objects.running_on(today()).filter(child=nest.child_xy)
    assert set(running.values_list("group_id", flat=True)) == {nest.group_x.pk, nest.group_y.pk}
    for placement in running:
        placement.full_clean()
    # both gastouders see and log the child
    assert Child.objects.loggable_by(nest.gastouder_x).filter(pk=nest.child_xy.pk).exists()
    assert Child.objects.loggable_by(nest.gastouder_y).filter(pk=nest.child_xy.pk).exists()
    # a third at once is refused, as everywhere
    with pytest.raises(ValidationError):
        _placement(nest.child_xy, nest.group_z, today()).full_clean()


# --- scoping -------------------------------------------------------------------------------------


def test_querysets_per_bureau_role(cast, nest):
    n = nest
    everyone = {n.child_x.pk, n.child_y.pk, n.child_z.pk, n.child_xy.pk}
    expected = {
        # who: (visible, observable, loggable, conversations readable, groups, locations)
        "gastouder_x": (
            {n.child_x.pk, n.child_xy.pk},
            {n.child_x.pk, n.child_xy.pk},
            {n.child_x.pk, n.child_xy.pk},
            {n.child_x.pk, n.child_xy.pk},  # the mentor of both
            {n.group_x.pk},
            {n.home_x.pk},
        ),
        "gastouder_z": ({n.child_z.pk}, {n.child_z.pk}, {n.child_z.pk}, {n.child_z.pk}, {n.group_z.pk}, {n.home_z.pk}),
        "consultant": (
            {n.child_x.pk, n.child_y.pk, n.child_xy.pk},
            {n.child_x.pk, n.child_y.pk, n.child_xy.pk},
            set(),
            {n.child_x.pk, n.child_y.pk, n.child_xy.pk},
            {n.group_x.pk, n.group_y.pk},
            {n.home_x.pk, n.home_y.pk},
        ),
        "manager": (
            everyone,
            everyone,
            set(),
            everyone,
            {n.group_x.pk, n.group_y.pk, n.group_z.pk},
            {n.home_x.pk, n.home_y.pk, n.home_z.pk},
        ),
    }
    for name, (visible, observable, loggable, conversations, groups, locations) in expected.items():
        user = getattr(n, name)
        assert ids(Child.objects.visible_to(user)) == visible, name
        assert ids(Child.objects.observable_by(user)) == observable, name
        assert ids(Child.objects.loggable_by(user)) == loggable, name
        assert ids(Child.objects.conversations_readable_by(user)) == conversations, name
        assert ids(visible_groups(user)) == groups, name
        assert ids(visible_locations(user)) == locations, name
    assert ids(Child.objects.conversations_recordable_by(n.consultant)) == {n.child_x.pk, n.child_y.pk, n.child_xy.pk}
    # the centre's people see nothing of the bureau, and the other way round
    for user in (cast.staff_a, cast.manager, cast.coach, cast.admin):
        assert not Child.objects.visible_to(user).filter(organisation=n.org).exists()
    assert not Child.objects.visible_to(n.consultant).filter(organisation=cast.org).exists()


def _status(client, name, obj):
    return client.get(reverse(name, args=[obj.pk])).status_code


@pytest.mark.parametrize("page", ["child_detail", "child_summary", "observation_new", "conversation_new"])
def test_child_pages_for_the_gastouder_and_the_consultant(nest, client_for, page):
    n = nest
    loggers_only = page == "observation_new"
    gastouder = client_for(n.gastouder_x)
    assert _status(gastouder, page, n.child_x) == 200
    assert _status(gastouder, page, n.child_xy) == 200
    assert _status(gastouder, page, n.child_y) == 404  # another gastouder's child
    assert _status(gastouder, page, n.child_z) == 404
    consultant = client_for(n.consultant)
    assert _status(consultant, page, n.child_x) == (404 if loggers_only else 200)
    assert _status(consultant, page, n.child_y) == (404 if loggers_only else 200)
    assert _status(consultant, page, n.child_z) == 404  # a gastouder they do not support


def test_place_pages_for_the_gastouder_and_the_consultant(nest, client_for):
    n = nest
    gastouder, consultant = client_for(n.gastouder_x), None
    assert _status(gastouder, "group_detail", n.group_x) == 200
    assert _status(gastouder, "group_overview", n.group_x) == 200
    assert _status(gastouder, "group_detail", n.group_y) == 404
    assert _status(gastouder, "location_detail", n.home_y) == 404
    consultant = client_for(n.consultant)
    for name, own, other in (
        ("location_detail", n.home_x, n.home_z),
        ("group_detail", n.group_y, n.group_z),
        ("group_overview", n.group_y, n.group_z),
    ):
        assert _status(consultant, name, own) == 200, name
        assert _status(consultant, name, other) == 404, name
    # no agreement page at a home with one observer
    assert _status(consultant, "location_agreement", n.home_x) == 404


def test_the_gastouder_logs_and_the_consultant_reads_but_not_the_other_gastouders(nest, client_for):
    n = nest
    observation = make_observation(n.child_x, n.gastouder_x)
    assert _status(client_for(n.consultant), "observation_detail", observation) == 200
    assert _status(client_for(n.gastouder_y), "observation_detail", observation) == 404
    assert _status(client_for(n.gastouder_z), "observation_detail", observation) == 404
    assert _status(client_for(n.gastouder_x), "observation_detail", observation) == 200


# --- the administration --------------------------------------------------------------------------


def _role_choices(client, user):
    response = client.get(reverse("admin:staff_user_change", args=[user.pk]))
    assert response.status_code == 200
    return [
        value for value, _label in response.context["inline_admin_formsets"][0].formset.form.base_fields["role"].choices
    ]


def test_the_admin_offers_the_roles_of_its_organisations_kind(cast, nest, client_for):
    assert _role_choices(client_for(nest.admin), nest.gastouder_x) == [
        "",
        "manager",
        "admin",
        "gastouder",
        "consultant",
    ]
    assert _role_choices(client_for(cast.admin), cast.staff_a) == ["", "staff", "manager", "coach", "admin"]


def test_the_kind_of_an_organisation_is_set_by_the_platform(nest, client_for):
    response = client_for(nest.admin).get(reverse("admin:organisations_organisation_change", args=[nest.org.pk]))
    assert response.status_code == 200
    assert "kind" not in response.context["adminform"].form.fields
    assert "gastouderbureau" in response.content.decode()


def test_the_admin_refuses_a_second_gastouder_at_a_home(nest, client_for):
    data = {
        "email": nest.consultant.email,
        "first_name": nest.consultant.first_name,
        "last_name": "",
        "is_active": "on",
        **membership_form(
            "memberships",
            list(nest.consultant.memberships.order_by("pk")),
            organisation=nest.org.pk,
            role=Role.GASTOUDER,
            group=nest.group_y.pk,
        ),
    }
    for key in [key for key in data if key.endswith("-DELETE")]:
        data.pop(key)
    response = client_for(nest.admin).post(reverse("admin:staff_user_change", args=[nest.consultant.pk]), data)
    assert response.status_code == 200
    assert "Dit gastouderadres heeft al een gastouder." in response.content.decode()
    assert not Membership.objects.filter(user=nest.consultant, role=Role.GASTOUDER).exists()


def test_the_footer_speaks_of_childcare_not_of_staff_at_a_childminders_home(nest, client_for):
    """The caution under every page fits a gastouder as well as a kindercentrum: no "medewerkers" where the
    gastouder is the only one who observes."""
    html = client_for(nest.gastouder_x).get(reverse("group_detail", args=[nest.group_x.pk])).content.decode()
    assert "Waarnemingen uit de opvang, geen diagnose." in html
    assert "medewerker" not in html.lower()
