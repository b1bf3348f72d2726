"""The organisation admin against a determined outsider (issue 9): two attacks, replayed.

1. The admin of Linde set the password of, and deleted memberships of, a user who also
   works for another organisation, and of a platform superuser with a membership in
   Linde, and then logged in as them. Now such users are a 404 in every admin view.
2. The mentor list on a child offered the users of every organisation, and a mentor
   from another organisation was saved. Now the list holds the child's organisation's
   people and the model refuses anyone else.
"""

import datetime

import pytest
from django.contrib.auth import get_user
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from children.models import Child, Mentorship
from organisations.calendar import today
from staff.access import managed_users
from staff.models import Membership, Role, User
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a completely new password 42"


@pytest.fixture
def both(cast):
    """Works in group A of Linde and in the group of Other."""
    user = f.make_user("both@example.test", first_name="Bo")
    f.add_membership(user, Role.STAFF, group=cast.group_a)
    f.add_membership(user, Role.STAFF, group=cast.other_group)
    return user


@pytest.fixture
def platform(cast):
    """A platform superuser who also holds a membership in Linde."""
    user = User.objects.create_superuser("platform@example.test", f.PASSWORD, first_name="Pim")
    f.add_membership(user, Role.COACH, location=cast.location1)
    return user


def user_views(user):
    return {
        "change": reverse("admin:staff_user_change", args=[user.pk]),
        "password": reverse("admin:auth_user_password_change", args=[user.pk]),
        "history": reverse("admin:staff_user_history", args=[user.pk]),
        "delete": reverse("admin:staff_user_delete", args=[user.pk]),
    }


def can_log_in(email, password):
    client = Client()
    client.post(reverse("login"), {"username": email, "password": password})
    return get_user(client).is_authenticated


def membership_form(prefix, memberships, **new):
    """The POST data of the membership rows on a user's change page."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(memberships) + (1 if new else 0)),
        f"{prefix}-INITIAL_FORMS": str(len(memberships)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, m in enumerate(memberships):
        data.update(
            {
                f"{prefix}-{i}-id": str(m.pk),
                f"{prefix}-{i}-user": str(m.user_id),
                f"{prefix}-{i}-organisation": str(m.organisation_id),
                f"{prefix}-{i}-role": m.role,
                f"{prefix}-{i}-location": str(m.location_id or ""),
                f"{prefix}-{i}-group": str(m.group_id or ""),
                f"{prefix}-{i}-DELETE": "on",
            }
        )
    if new:
        i = len(memberships)
        data.update({f"{prefix}-{i}-{key}": str(value) for key, value in new.items()})
    return data


# --- 1. users of more than one organisation, and platform superusers ------------------------


@pytest.mark.parametrize("who", ["both", "platform"])
def test_admin_gets_404_for_a_user_beyond_their_organisation(cast, client_for, request, who):
    target = request.getfixturevalue(who)
    client = client_for(cast.admin)
    for view, url in user_views(target).items():
        assert client.get(url).status_code == 404, view
        assert client.post(url, {}).status_code == 404, view
    html = client.get(reverse("admin:staff_user_changelist")).content.decode()
    assert target.email not in html and "staff.a@example.test" in html


@pytest.mark.parametrize("who", ["both", "platform"])
def test_admin_cannot_set_their_password_and_log_in_as_them(cast, client_for, request, who):
    target = request.getfixturevalue(who)
    response = client_for(cast.admin).post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.check_password(f.PASSWORD) and not target.check_password(NEW_PASSWORD)
    assert not can_log_in(target.email, NEW_PASSWORD)


@pytest.mark.parametrize("who", ["both", "platform"])
def test_admin_cannot_delete_their_memberships_through_the_inline(cast, client_for, request, who):
    target = request.getfixturevalue(who)
    before = set(target.memberships.values_list("pk", flat=True))
    data = {
        "email": target.email,
        "first_name": target.first_name,
        "last_name": "",
        "is_active": "on",
        **membership_form("memberships", list(target.memberships.all())),
    }
    response = client_for(cast.admin).post(reverse("admin:staff_user_change", args=[target.pk]), data)
    assert response.status_code == 404
    assert set(target.memberships.values_list("pk", flat=True)) == before
    assert User.objects.get(pk=target.pk).is_superuser == (who == "platform")  # untouched


def test_admin_still_manages_their_own_organisations_users(cast, client_for):
    """The control: the same steps on a user of Linde alone work."""
    client = client_for(cast.admin)
    for view, url in user_views(cast.staff_a).items():
        assert client.get(url).status_code == 200, view
    response = client.post(
        reverse("admin:auth_user_password_change", args=[cast.staff_a.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert can_log_in(cast.staff_a.email, NEW_PASSWORD)


def test_admin_of_two_organisations_manages_users_of_both(cast, client_for, both):
    cast.admin.memberships.create(role=Role.ADMIN, organisation=cast.other_org)
    assert client_for(cast.admin).get(user_views(both)["password"]).status_code == 200


def test_managed_users_per_admin(cast, both, platform):
    linde_only = {cast.staff_a, cast.staff_b, cast.manager, cast.coach}
    assert set(managed_users(cast.admin)) == linde_only | {cast.admin}
    assert set(managed_users(cast.other_admin)) == {cast.other_admin}
    assert set(managed_users(cast.staff_a)) == set()
    assert both in managed_users(platform) and platform in managed_users(platform)


def test_admin_changes_their_own_name_but_gains_nothing(cast, client_for):
    """On their own page: name and e-mail yes; no superuser flag, and no membership elsewhere."""
    cast.admin.memberships.create(role=Role.STAFF, organisation=cast.other_org, group=cast.other_group)
    own = list(cast.admin.memberships.filter(organisation=cast.org))
    client = client_for(cast.admin)
    url = reverse("admin:staff_user_change", args=[cast.admin.pk])
    formset = client.get(url).context["inline_admin_formsets"][0].formset
    assert [form.instance for form in formset.initial_forms] == own  # not the membership in Other
    data = {
        "email": cast.admin.email,
        "first_name": "Adaline",
        "last_name": "",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",  # not a field of the form: ignored
        **membership_form("memberships", own),
    }
    for i in range(len(own)):
        data.pop(f"memberships-{i}-DELETE")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cast.admin.refresh_from_db()
    assert cast.admin.first_name == "Adaline" and not cast.admin.is_superuser
    assert cast.admin.memberships.count() == 2


def test_a_forged_row_cannot_reach_a_membership_in_another_organisation(cast, client_for):
    """The admin's own membership in Other is not among the rows; naming its id deletes nothing."""
    elsewhere = cast.admin.memberships.create(role=Role.STAFF, organisation=cast.other_org, group=cast.other_group)
    data = {
        "email": cast.admin.email,
        "first_name": cast.admin.first_name,
        "last_name": "",
        "is_active": "on",
        "is_staff": "on",
        **membership_form("memberships", [elsewhere, *cast.admin.memberships.filter(organisation=cast.org)]),
    }
    data.pop("memberships-1-DELETE")
    response = client_for(cast.admin).post(reverse("admin:staff_user_change", args=[cast.admin.pk]), data)
    # Django does not validate a row marked for deletion; one outside the rows it was given
    # it cannot find, so it saves the rest and deletes nothing.
    assert response.status_code == 302
    assert Membership.objects.filter(pk=elsewhere.pk).exists()
    assert cast.admin.memberships.count() == 2


def test_admin_cannot_make_a_staff_member_superuser(cast, client_for):
    data = {
        "email": cast.staff_a.email,
        "first_name": "Anna",
        "last_name": "",
        "is_active": "on",
        "is_superuser": "on",
        **membership_form("memberships", list(cast.staff_a.memberships.all())),
    }
    data.pop("memberships-0-DELETE")
    response = client_for(cast.admin).post(reverse("admin:staff_user_change", args=[cast.staff_a.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cast.staff_a.refresh_from_db()
    assert not cast.staff_a.is_superuser


def new_user(email, **membership):
    return {
        "email": email,
        "first_name": "Nieuw",
        "last_name": "Lid",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **membership_form("memberships", [], **membership),
    }


def test_admin_adds_a_user_with_a_membership_in_their_organisation(cast, client_for):
    data = new_user("nieuw@example.test", organisation=cast.org.pk, role=Role.STAFF, group=cast.group_a.pk)
    response = client_for(cast.admin).post(reverse("admin:staff_user_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="nieuw@example.test")
    assert client_for(cast.admin).get(response["Location"]).status_code == 200
    assert list(user.memberships.values_list("organisation", flat=True)) == [cast.org.pk]


@pytest.mark.parametrize(
    "membership",
    [
        {"organisation": "other_org", "role": Role.STAFF, "group": "other_group"},  # an organisation not theirs
        {"organisation": "org", "role": Role.STAFF, "group": "other_group"},  # a group of another organisation
        {},  # none at all: the user would drop out of the admin's sight
    ],
    ids=["other organisation", "other organisation's group", "no membership"],
)
def test_admin_cannot_add_a_user_outside_their_organisation(cast, client_for, membership):
    fields = {key: getattr(cast, value) if key != "role" else value for key, value in membership.items()}
    data = new_user("buiten@example.test", **{key: getattr(v, "pk", v) for key, v in fields.items()})
    response = client_for(cast.admin).post(reverse("admin:staff_user_add"), data)
    assert response.status_code == 200
    assert not User.objects.filter(email="buiten@example.test").exists()


def test_membership_refuses_a_place_of_another_organisation(cast):
    with pytest.raises(ValidationError) as error:
        Membership(user=cast.staff_a, organisation=cast.org, role=Role.STAFF, group=cast.other_group).full_clean()
    assert "group" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Membership(
            user=cast.manager, organisation=cast.org, role=Role.MANAGER, location=cast.other_location
        ).full_clean()
    assert "location" in error.value.message_dict


def test_admin_of_another_organisation_sees_nothing_of_ours(cast, client_for):
    """An admin of Other who works in group A of Linde: the administration follows the admin role only."""
    cast.other_admin.memberships.create(role=Role.STAFF, organisation=cast.org, group=cast.group_a)
    client = client_for(cast.other_admin)
    for url in (
        reverse("admin:children_child_change", args=[cast.child_a.pk]),
        reverse("admin:organisations_group_change", args=[cast.group_a.pk]),
        reverse("admin:organisations_location_change", args=[cast.location1.pk]),
        reverse("admin:staff_user_change", args=[cast.staff_a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    html = client.get(reverse("admin:organisations_group_changelist")).content.decode()
    assert "Groep Elders" in html and "Groep A" not in html and "Locatie Een" not in html


def test_group_list_filter_names_only_the_admins_locations(cast, client_for):
    html = client_for(cast.admin).get(reverse("admin:organisations_group_changelist")).content.decode()
    assert "Locatie Een" in html and "Elders" not in html


def test_user_search_for_a_mentor_finds_only_managed_users(cast, client_for, both, platform):
    response = client_for(cast.admin).get(
        reverse("admin:autocomplete"),
        {"app_label": "children", "model_name": "mentorship", "field_name": "mentor", "term": ""},
    )
    found = {int(row["id"]) for row in response.json()["results"]}
    assert cast.staff_a.pk in found
    assert not found & {both.pk, platform.pk, cast.other_admin.pk}


# --- 2. mentors across organisations -----------------------------------------------------------


def mentor_choices(client, child):
    response = client.get(reverse("admin:children_child_change", args=[child.pk]))
    assert response.status_code == 200
    formset = next(s.formset for s in response.context["inline_admin_formsets"] if s.formset.model is Mentorship)
    return set(formset.empty_form.fields["mentor"].queryset), response.content.decode()


@pytest.mark.parametrize("who", ["admin", "platform"])
def test_mentor_choices_are_the_childs_organisations_people(cast, client_for, both, platform, who):
    user = platform if who == "platform" else cast.admin
    choices, html = mentor_choices(client_for(user), cast.child_a)
    assert choices == {cast.staff_a, cast.staff_b, cast.manager, cast.coach, cast.admin, both, platform}
    assert "Otto" not in html  # the admin of Other, in no dropdown


def test_admin_of_two_organisations_gets_the_childs_organisation_only(cast, client_for):
    cast.admin.memberships.create(role=Role.ADMIN, organisation=cast.other_org)
    choices, _ = mentor_choices(client_for(cast.admin), cast.child_a)
    assert cast.other_admin not in choices and cast.staff_a in choices


def child_form(child, *, mentor, organisation=None, group=None):
    """The POST data of a child's change (or add) page with one mentorship row."""
    mentorship = child.mentorships.first() if child.pk else None
    placement = child.placements.first() if child.pk else None
    data = {
        "organisation": str((organisation or child.organisation).pk),
        "first_name": child.first_name,
        "last_name": child.last_name,
        "date_of_birth": child.date_of_birth.isoformat(),
        "form_of_address": child.form_of_address,
        "parents_language": child.parents_language,
        "placements-TOTAL_FORMS": "1",
        "placements-INITIAL_FORMS": "1" if placement else "0",
        "placements-0-group": str(placement.group_id if placement else group.pk),
        "placements-0-start_date": (placement.start_date if placement else today()).isoformat(),
        "mentorships-TOTAL_FORMS": "1",
        "mentorships-INITIAL_FORMS": "1" if mentorship else "0",
        "mentorships-0-mentor": str(mentor.pk),
        "mentorships-0-start_date": today().isoformat(),
    }
    if placement:
        data.update({"placements-0-id": str(placement.pk), "placements-0-child": str(child.pk)})
    if mentorship:
        data.update({"mentorships-0-id": str(mentorship.pk), "mentorships-0-child": str(child.pk)})
    return data


def test_a_mentor_from_another_organisation_is_refused(cast, client_for):
    client = client_for(cast.admin)
    before = list(Mentorship.objects.values_list("pk", "child", "mentor", "start_date"))
    url = reverse("admin:children_child_change", args=[cast.child_a.pk])
    response = client.post(url, child_form(cast.child_a, mentor=cast.other_admin))
    assert response.status_code == 200  # the form comes back with an error
    assert list(Mentorship.objects.values_list("pk", "child", "mentor", "start_date")) == before
    # The control: a mentor of Linde is saved through the same form.
    assert client.post(url, child_form(cast.child_a, mentor=cast.staff_b)).status_code == 302
    assert cast.child_a.mentorships.get().mentor == cast.staff_b


def test_a_new_child_with_a_mentor_of_another_organisation_is_refused(cast, client_for):
    """An admin of both organisations is offered the people of both on the add page; the model
    holds the mentor (and the group) to the child's organisation."""
    cast.admin.memberships.create(role=Role.ADMIN, organisation=cast.other_org)
    client = client_for(cast.admin)
    nova = Child(first_name="Nova", last_name="Bos", date_of_birth=today() - datetime.timedelta(days=400))
    for mentor, group in ((cast.other_admin, cast.group_a), (cast.staff_a, cast.other_group)):
        data = child_form(nova, mentor=mentor, organisation=cast.org, group=group)
        assert client.post(reverse("admin:children_child_add"), data).status_code == 200
        assert not Child.objects.filter(first_name="Nova").exists()
    data = child_form(nova, mentor=cast.staff_a, organisation=cast.org, group=cast.group_a)
    assert client.post(reverse("admin:children_child_add"), data).status_code == 302
    assert Child.objects.get(first_name="Nova").mentorships.get().mentor == cast.staff_a


def test_mentorship_model_refuses_a_mentor_of_another_organisation(cast):
    mentorship = Mentorship(child=cast.child_c, mentor=cast.other_admin, start_date=today())
    with pytest.raises(ValidationError) as error:
        mentorship.full_clean()
    assert "mentor" in error.value.message_dict
    Mentorship(child=cast.child_c, mentor=cast.coach, start_date=today()).full_clean()  # works in Linde
