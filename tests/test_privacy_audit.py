"""The audit trail (issue 10): every create, change and delete of children, placements, mentorships,
memberships, users and observations is kept with who, when, before and after, admin bulk actions
included (django-simple-history; the history tables of the administration's records are in privacy)."""

import pytest
from django.urls import reverse

from children.models import Child, Mentorship, Placement
from observations.models import Observation
from staff.models import Membership, Role, User
from tests import factories as f
from tests.observation_factories import entry_data

pytestmark = pytest.mark.django_db


def _child_form(cast, child, **changes):
    placement, mentorship = child.placements.get(), child.mentorships.get()
    data = {
        "organisation": cast.org.pk,
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth.isoformat(),
        "form_of_address": child.form_of_address,
        "parents_language": child.parents_language,
        "placements-TOTAL_FORMS": "1",
        "placements-INITIAL_FORMS": "1",
        "placements-0-id": placement.pk,
        "placements-0-child": child.pk,
        "placements-0-group": placement.group_id,
        "placements-0-start_date": placement.start_date.isoformat(),
        "mentorships-TOTAL_FORMS": "1",
        "mentorships-INITIAL_FORMS": "1",
        "mentorships-0-id": mentorship.pk,
        "mentorships-0-child": child.pk,
        "mentorships-0-mentor": mentorship.mentor_id,
        "mentorships-0-start_date": mentorship.start_date.isoformat(),
    }
    data.update(changes)
    return data


def test_a_change_in_the_admin_is_kept_with_who_when_before_and_after(cast, client_for):
    admin = client_for(cast.admin)
    url = reverse("admin:children_child_change", args=[cast.child_a.pk])
    response = admin.post(
        url, _child_form(cast, cast.child_a, first_name="Semmie", **{"placements-0-end_date": "2099-01-01"})
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    latest, before = cast.child_a.history.order_by("-history_date", "-history_id")[:2]
    assert (latest.history_type, latest.history_user) == ("~", cast.admin)
    delta = latest.diff_against(before)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("first_name", "Sem", "Semmie")]
    placement = Placement.history.filter(child_id=cast.child_a.pk).order_by("-history_date").first()
    assert (placement.history_type, placement.history_user, str(placement.end_date)) == ("~", cast.admin, "2099-01-01")


def test_creates_and_deletes_of_placements_and_mentorships_are_kept(cast, client_for):
    admin = client_for(cast.admin)
    url = reverse("admin:children_child_change", args=[cast.child_a.pk])
    data = _child_form(cast, cast.child_a, **{"mentorships-0-DELETE": "on"})
    data.update(
        {
            "placements-TOTAL_FORMS": "2",
            "placements-1-group": cast.group_b.pk,
            "placements-1-start_date": cast.child_a.placements.get().start_date.isoformat(),
            "placements-1-child": cast.child_a.pk,
        }
    )
    assert admin.post(url, data).status_code == 302
    added = Placement.history.get(child_id=cast.child_a.pk, group_id=cast.group_b.pk)
    assert (added.history_type, added.history_user) == ("+", cast.admin)
    gone = Mentorship.history.get(child_id=cast.child_a.pk, history_type="-")
    assert (gone.history_user, gone.mentor_id) == (cast.admin, cast.staff_a.pk)


def test_an_admin_bulk_delete_is_kept_row_by_row(cast, client_for):
    """Django's bulk action deletes through the collector, which sends a signal per row."""
    leaving = [f.make_user(f"weg{n}@example.test", first_name=f"Weg{n}") for n in range(3)]
    for user in leaving:
        f.add_membership(user, Role.STAFF, group=cast.group_a)
    response = client_for(cast.admin).post(
        reverse("admin:staff_user_changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in leaving], "post": "yes"},
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[u.pk for u in leaving]).exists()
    removed_users = User.history.filter(id__in=[u.pk for u in leaving], history_type="-")
    assert sorted(r.email for r in removed_users) == sorted(u.email for u in leaving)
    assert {r.history_user for r in removed_users} == {cast.admin}
    removed_memberships = Membership.history.filter(user_id__in=[u.pk for u in leaving], history_type="-")
    assert removed_memberships.count() == 3 and {r.history_user for r in removed_memberships} == {cast.admin}


def test_a_new_child_and_membership_are_kept_and_a_login_is_not_a_change(cast, client_for, client):
    child = f.make_child(cast.group_a, "Nieuw")
    assert child.history.get().history_type == "+"
    user = f.make_user("nieuw@example.test")
    membership = f.add_membership(user, Role.STAFF, group=cast.group_a)
    assert membership.history.get().history_type == "+"
    before = User.history.filter(id=user.pk).count()
    response = client.post(reverse("login"), {"username": "nieuw@example.test", "password": f.PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert User.history.filter(id=user.pk).count() == before
    assert "password" not in {field.name for field in User.history.model._meta.get_fields()}


def test_observations_are_kept_with_their_observer(cast, client_for):
    client = client_for(cast.staff_a)
    response = client.post(reverse("observation_new", args=[cast.child_a.pk]), entry_data(cast.child_a))
    assert response.status_code == 302
    observation = Observation.objects.get()
    record = observation.history.get()
    assert (record.history_type, record.history_user) == ("+", cast.staff_a)


def test_every_record_kind_of_the_issue_has_a_history():
    for model in (Child, Placement, Mentorship, Membership, User, Observation):
        assert hasattr(model, "history"), model
