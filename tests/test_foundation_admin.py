"""The Django admin works for an organisation admin and is scoped like the views."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_admin_sees_only_their_organisation(cast, client_for):
    client = client_for(cast.admin)
    html = client.get(reverse("admin:children_child_changelist")).content.decode()
    assert "Sem" in html and "Daan" in html and "Olaf" not in html
    assert client.get(reverse("admin:children_child_change", args=[cast.child_a.pk])).status_code == 200
    # Another organisation's child: the admin redirects away with "does not exist", never shows it.
    response = client.get(reverse("admin:children_child_change", args=[cast.other_child.pk]), follow=True)
    assert "Olaf" not in response.content.decode()
    html = client.get(reverse("admin:organisations_location_changelist")).content.decode()
    assert "Locatie Een" in html and "Elders" not in html
    html = client.get(reverse("admin:staff_user_changelist")).content.decode()
    assert "staff.a@example.test" in html and "other.admin@example.test" not in html


def test_other_organisations_admin_sees_none_of_ours(cast, client_for):
    client = client_for(cast.other_admin)
    html = client.get(reverse("admin:children_child_changelist")).content.decode()
    assert "Olaf" in html and "Sem" not in html


def test_foreign_key_choices_are_scoped(cast, client_for):
    html = client_for(cast.admin).get(reverse("admin:children_child_change", args=[cast.child_a.pk])).content.decode()
    assert "Groep C" in html and "Groep Elders" not in html


def test_staff_manager_and_coach_cannot_use_the_admin(cast, client_for):
    for user in (cast.staff_a, cast.manager, cast.coach):
        user.is_staff = True  # even with the Django flag, no admin membership means no admin
        user.save(update_fields=["is_staff"])
        response = client_for(user).get(reverse("admin:children_child_changelist"))
        assert response.status_code == 403, user


def test_admin_can_add_a_child_with_placement(cast, client_for):
    client = client_for(cast.admin)
    response = client.post(
        reverse("admin:children_child_add"),
        {
            "organisation": cast.org.pk,
            "first_name": "Nova",
            "last_name": "Bos",
            "date_of_birth": "2025-03-01",
            "form_of_address": "name",
            "parents_language": "nl",
            "placements-TOTAL_FORMS": "1",
            "placements-INITIAL_FORMS": "0",
            "placements-0-group": cast.group_a.pk,
            "placements-0-start_date": "2025-09-01",
            "mentorships-TOTAL_FORMS": "0",
            "mentorships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert cast.org.children.filter(first_name="Nova", placements__group=cast.group_a).exists()


def test_admin_cannot_put_a_child_in_another_organisation(cast, client_for):
    client = client_for(cast.admin)
    response = client.post(
        reverse("admin:children_child_add"),
        {
            "organisation": cast.other_org.pk,
            "first_name": "Nova",
            "last_name": "Bos",
            "date_of_birth": "2025-03-01",
            "placements-TOTAL_FORMS": "0",
            "placements-INITIAL_FORMS": "0",
            "mentorships-TOTAL_FORMS": "0",
            "mentorships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200  # the form comes back with an error
    assert not cast.other_org.children.filter(first_name="Nova").exists()
