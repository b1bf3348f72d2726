"""Each page renders for the roles that may use it, in Dutch."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from children.models import Placement
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_dutch(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="nl">' in html
    assert "Inloggen" in html and "E-mailadres" in html and "Wachtwoord" in html


def test_login_with_email_and_wrong_password_gets_a_dutch_message(cast, client):
    response = client.post(reverse("login"), {"username": "staff.a@example.test", "password": "fout"})
    assert response.status_code == 200
    assert "horen niet bij elkaar" in response.content.decode()
    response = client.post(reverse("login"), {"username": "STAFF.A@example.test", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")


def test_repeated_failures_lock_the_login(cast, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "staff.a@example.test", "password": "fout"})
    response = client.post(reverse("login"), {"username": "staff.a@example.test", "password": PASSWORD})
    assert response.status_code == 429
    assert "Te veel pogingen" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(cast, client_for):
    client = client_for(cast.staff_a)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(cast, client_for):
    client = client_for(cast.staff_a)
    assert "Wachtwoord wijzigen" in client.get(reverse("password_change")).content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "een-nieuw-lang-wachtwoord",
            "new_password2": "een-nieuw-lang-wachtwoord",
        },
    )
    assert response.status_code == 302
    cast.staff_a.refresh_from_db()
    assert cast.staff_a.check_password("een-nieuw-lang-wachtwoord")


def test_home_takes_each_role_to_its_work(cast, client_for):
    html = client_for(cast.staff_a).get(reverse("home")).content.decode()
    assert "Mijn groepen" in html and reverse("group_detail", args=[cast.group_a.pk]) in html
    assert reverse("group_detail", args=[cast.group_b.pk]) not in html

    html = client_for(cast.manager).get(reverse("home")).content.decode()
    assert "Mijn locaties" in html and reverse("location_detail", args=[cast.location1.pk]) in html
    assert reverse("location_detail", args=[cast.location2.pk]) not in html

    html = client_for(cast.coach).get(reverse("home")).content.decode()
    assert "Locaties die ik coach" in html
    assert reverse("location_detail", args=[cast.location1.pk]) in html
    assert reverse("location_detail", args=[cast.location2.pk]) in html

    html = client_for(cast.admin).get(reverse("home")).content.decode()
    assert reverse("admin:index") in html


def test_navigation_shows_administration_only_to_admins(cast, client_for):
    assert reverse("admin:index") not in client_for(cast.staff_a).get(reverse("home")).content.decode()
    assert reverse("admin:index") not in client_for(cast.manager).get(reverse("home")).content.decode()


def test_location_page_lists_its_groups_with_children_today(cast, client_for):
    html = client_for(cast.manager).get(reverse("location_detail", args=[cast.location1.pk])).content.decode()
    assert "Groep A" in html and "Groep B" in html and "Groep C" not in html


def test_group_page_lists_children_with_age_and_mentor(cast, client_for):
    html = client_for(cast.staff_a).get(reverse("group_detail", args=[cast.group_a.pk])).content.decode()
    assert cast.child_a.full_name in html
    assert cast.child_a.age_label() in html  # e.g. "1 jaar en 10 maanden"
    assert "jaar" in html
    assert cast.staff_a.display_name in html
    assert cast.child_b.full_name not in html


def test_child_page_shows_facts_and_placements(cast, client_for):
    html = client_for(cast.coach).get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
    assert cast.child_a.full_name in html
    assert "Plaatsingen" in html and "Groep A" in html


def test_the_child_pages_placements_name_group_and_location_the_latest_start_first(cast, client_for):
    """The placements table reads one line a placement (group, location, from, until: "–" while open)."""
    current = Placement.objects.get(child=cast.child_a)
    Placement.objects.create(
        child=cast.child_a,
        group=cast.group_c,
        start_date=current.start_date - datetime.timedelta(days=200),
        end_date=current.start_date - datetime.timedelta(days=1),
    )
    html = client_for(cast.coach).get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
    table = html.split('id="placements-title"', 1)[1]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", table)
    with translation.override("nl"):
        ended = Placement.objects.get(child=cast.child_a, group=cast.group_c)
        assert rows == [
            ("Groep A", "Locatie Een", date_format(current.start_date, "DATE_FORMAT"), "–"),
            (
                "Groep C",
                "Locatie Twee",
                date_format(ended.start_date, "DATE_FORMAT"),
                date_format(ended.end_date, "DATE_FORMAT"),
            ),
        ]


def test_english_is_available(cast, client_for):
    client = client_for(cast.staff_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert "My groups" in html and '<html lang="en">' in html
