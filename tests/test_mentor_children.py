"""/mijn-mentorkinderen/: a staff member's mentor children with the last observed date."""

import pytest
from django.urls import reverse

from tests import factories as f
from tests.observation_factories import days_ago, make_observation

pytestmark = pytest.mark.django_db

URL = reverse("mentor_children")


def test_staff_see_their_mentor_children_with_last_observed_date(cast, client_for):
    make_observation(cast.child_a, cast.staff_a, date=days_ago(2))
    f.make_child(cast.group_a, "Zoë")  # no mentor: not listed
    html = client_for(cast.staff_a).get(URL).content.decode()
    assert "Mijn mentorkinderen" in html
    assert "Sem Testmans" in html and "Zoë" not in html
    assert "laatst waargenomen" in html
    assert reverse("child_detail", args=[cast.child_a.pk]) in html


def test_a_never_observed_mentor_child_is_marked(cast, client_for):
    html = client_for(cast.staff_b).get(URL).content.decode()
    # The mark is the shared one (pages/_not_observed_badge.html): "nog nooit waargenomen" for a child
    # never observed, the exact number of days otherwise (it said "lang niet waargenomen" before issue 8).
    assert "Tess Testmans" in html and "nog nooit waargenomen" in html and "badge-stale" in html
    assert "Sem Testmans" not in html


@pytest.mark.parametrize("who", ["manager", "coach", "admin", "other_admin"])
def test_others_have_an_empty_list(cast, client, who):
    client.force_login(getattr(cast, who))
    html = client.get(URL).content.decode()
    assert "Je bent geen mentor van een kind" in html
    assert "Sem Testmans" not in html and "Tess Testmans" not in html


def test_the_nav_link_is_for_staff(cast, client):
    client.force_login(cast.staff_a)
    assert URL in client.get(reverse("home")).content.decode()
    client.force_login(cast.manager)
    assert URL not in client.get(reverse("home")).content.decode()


def test_the_list_runs_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries):
    client = client_for(cast.staff_a)
    client.get(URL)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for number in range(8):
        child = f.make_child(cast.group_a, f"Kind{number}", mentor=cast.staff_a)
        make_observation(child, cast.staff_a, date=days_ago(number))
    with django_assert_num_queries(len(few)):
        client.get(URL)
