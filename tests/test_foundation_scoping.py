"""Scoped access, once: every role against in-scope and out-of-scope objects."""

import datetime

import pytest
from django.urls import reverse

from children.models import Child, Placement
from organisations.calendar import today
from staff.access import visible_groups, visible_locations

pytestmark = pytest.mark.django_db


def ids(queryset):
    return set(queryset.values_list("id", flat=True))


def test_querysets_per_role(cast):
    c = cast
    expected_children = {
        "staff_a": {c.child_a.id},
        "staff_b": {c.child_b.id},
        "manager": {c.child_a.id, c.child_b.id},
        "coach": {c.child_a.id, c.child_b.id, c.child_c.id},
        "admin": {c.child_a.id, c.child_b.id, c.child_c.id},
        "other_admin": {c.other_child.id},
    }
    expected_groups = {
        "staff_a": {c.group_a.id},
        "staff_b": {c.group_b.id},
        "manager": {c.group_a.id, c.group_b.id},
        "coach": {c.group_a.id, c.group_b.id, c.group_c.id},
        "admin": {c.group_a.id, c.group_b.id, c.group_c.id},
        "other_admin": {c.other_group.id},
    }
    expected_locations = {
        "staff_a": {c.location1.id},
        "staff_b": {c.location1.id},
        "manager": {c.location1.id},
        "coach": {c.location1.id, c.location2.id},
        "admin": {c.location1.id, c.location2.id},
        "other_admin": {c.other_location.id},
    }
    for name, user in c.everyone.items():
        assert ids(Child.objects.visible_to(user)) == expected_children[name], name
        assert ids(visible_groups(user)) == expected_groups[name], name
        assert ids(visible_locations(user)) == expected_locations[name], name


def test_observation_readers_and_loggers(cast):
    c = cast
    assert ids(Child.objects.observable_by(c.staff_a)) == {c.child_a.id}
    assert ids(Child.objects.observable_by(c.coach)) == {c.child_a.id, c.child_b.id, c.child_c.id}
    # Admins set up records; they do not read observations.
    assert ids(Child.objects.observable_by(c.admin)) == set()
    assert ids(Child.objects.loggable_by(c.staff_a)) == {c.child_a.id}
    assert ids(Child.objects.loggable_by(c.manager)) == set()
    assert ids(Child.objects.loggable_by(c.coach)) == set()


def test_a_child_who_left_is_no_longer_visible_to_staff(cast):
    Placement.objects.filter(child=cast.child_a).update(end_date=today() - datetime.timedelta(days=1))
    assert not Child.objects.visible_to(cast.staff_a).filter(pk=cast.child_a.pk).exists()
    # The organisation admin still manages the record (retention, parent's export).
    assert Child.objects.visible_to(cast.admin).filter(pk=cast.child_a.pk).exists()


def test_anonymous_user_sees_nothing_and_is_sent_to_login(cast, client):
    assert not Child.objects.visible_to(None).exists()
    response = client.get(reverse("child_detail", args=[cast.child_a.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


PAGES = ["location_detail", "group_detail", "child_detail"]


def objects_for(cast):
    return {
        "location_detail": (cast.location1, cast.location2, cast.other_location),
        "group_detail": (cast.group_a, cast.group_b, cast.other_group),
        "child_detail": (cast.child_a, cast.child_b, cast.other_child),
    }


@pytest.mark.parametrize("page", PAGES)
def test_pages_answer_200_in_scope_and_404_out_of_scope(cast, client_for, page):
    own, neighbour, foreign = objects_for(cast)[page]
    staff = client_for(cast.staff_a)
    assert staff.get(reverse(page, args=[own.pk])).status_code == 200
    # Location 2 for staff A is another location; group B / child B another group in the same location.
    expected_neighbour = 200 if page == "location_detail" and neighbour == cast.location1 else 404
    assert staff.get(reverse(page, args=[neighbour.pk])).status_code == expected_neighbour
    assert staff.get(reverse(page, args=[foreign.pk])).status_code == 404
    for name in ("manager", "coach", "admin"):
        client = client_for(getattr(cast, name))
        assert client.get(reverse(page, args=[own.pk])).status_code == 200, name
        assert client.get(reverse(page, args=[foreign.pk])).status_code == 404, name
    other = client_for(cast.other_admin)
    assert other.get(reverse(page, args=[own.pk])).status_code == 404
    assert other.get(reverse(page, args=[foreign.pk])).status_code == 200


def test_out_of_scope_child_page_does_not_leak_the_name(cast, client_for):
    response = client_for(cast.staff_a).get(reverse("child_detail", args=[cast.child_b.pk]))
    assert response.status_code == 404
    assert cast.child_b.first_name not in response.content.decode()


def test_missing_ids_answer_404(cast, client_for):
    client = client_for(cast.admin)
    for page in PAGES:
        assert client.get(reverse(page, args=[999999])).status_code == 404
