"""Bounded by design (issue 26): the home shows whole locations up to HOME_GROUPS_PER_PAGE groups at a time and
names every location, so that a regional manager's home costs what a home of that many groups costs."""

import re

import pytest
from django.urls import reverse

from reports.overview import HOME_GROUPS_PER_PAGE, locations_page
from staff.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

GROUPS_EACH = 10  # two such locations fit a page of HOME_GROUPS_PER_PAGE (24), a third does not


def _regional_manager(locations: int, groups_each: int = GROUPS_EACH):
    org = f.make_organisation("Regio")
    manager = f.make_user("regio@example.test", first_name="Rik")
    places = []
    for n in range(locations):
        location = f.make_location(org, f"Locatie {n:02d}")
        for g in range(groups_each):
            f.make_child(f.make_group(location, f"Groep {n:02d}-{g}"), f"Kind{n:02d}{g}")
        f.add_membership(manager, Role.MANAGER, location=location)
        places.append(location)
    return manager, places


def _card_names(html: str) -> list[str]:
    return re.findall(r'<h3 class="h6 mb-0" id="location-\d+"><a href="[^"]+">([^<]+)</a>', html)


def test_a_regional_manager_sees_whole_locations_a_page_at_a_time_and_every_one_by_name(client_for):
    manager, places = _regional_manager(5)
    client = client_for(manager)
    first = client.get(reverse("home")).content.decode()
    assert _card_names(first) == ["Locatie 00", "Locatie 01"]
    assert "Pagina 1 van 3" in first and 'href="?locaties=2">Volgende</a>' in first and "Vorige" not in first
    assert "Al mijn locaties" in first
    for location in places:  # every location by name, with a link to its figures per group
        assert f'<a href="{reverse("location_detail", args=[location.pk])}">{location.name}</a>' in first

    second = client.get(reverse("home"), {"locaties": 2})
    assert _card_names(second.content.decode()) == ["Locatie 02", "Locatie 03"]
    groups = [gf for lf in second.context["managed_locations"] for gf in lf.groups]
    assert len(groups) == 2 * GROUPS_EACH <= HOME_GROUPS_PER_PAGE
    assert all(gf.children_today == 1 for gf in groups)  # the figures of the groups on the page
    html = second.content.decode()
    assert 'href="?locaties=1">Vorige</a>' in html and 'href="?locaties=3">Volgende</a>' in html
    assert _card_names(client.get(reverse("home"), {"locaties": 3}).content.decode()) == ["Locatie 04"]


@pytest.mark.parametrize(("asked", "shown"), [("x", 1), ("0", 1), ("-2", 1), ("99", 3), ("", 1)])
def test_a_page_number_that_is_not_one_gives_the_nearest_page(client_for, asked, shown):
    manager, _ = _regional_manager(5)
    response = client_for(manager).get(reverse("home"), {"locaties": asked})
    assert response.status_code == 200
    assert f"Pagina {shown} van 3" in response.content.decode()


def test_the_home_runs_the_same_queries_for_more_locations(client_for, django_assert_max_num_queries):
    """The page's work is that of one page: more locations add pages, not queries or groups."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    manager, _ = _regional_manager(3)
    client = client_for(manager)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("home"))
    org = manager.memberships.first().organisation
    for n in range(3, 9):
        location = f.make_location(org, f"Locatie {n:02d}")
        for g in range(GROUPS_EACH):
            f.make_child(f.make_group(location, f"Groep {n:02d}-{g}"))
        f.add_membership(manager, Role.MANAGER, location=location)
    with django_assert_max_num_queries(len(three)):
        response = client.get(reverse("home"))
    assert sum(len(lf.groups) for lf in response.context["managed_locations"]) == 2 * GROUPS_EACH
    assert "Pagina 1 van 5" in response.content.decode()


def test_a_location_larger_than_a_page_has_a_page_to_itself(client_for):
    manager, places = _regional_manager(1, groups_each=HOME_GROUPS_PER_PAGE + 6)
    small = f.make_location(places[0].organisation, "Locatie Klein")
    f.make_group(small, "Groep Klein")
    f.add_membership(manager, Role.MANAGER, location=small)
    page = locations_page(places + [small], manager, 1)
    assert (page.count, page.locations) == (2, places)
    assert locations_page(places + [small], manager, 2).locations == [small]
    assert locations_page([small] + places, manager, 1).locations == [small]  # the big one does not join


def test_one_location_has_no_pages(cast, client_for):
    html = client_for(cast.manager).get(reverse("home")).content.decode()
    assert _card_names(html) == ["Locatie Een"]
    assert "Pagina 1 van" not in html and "Al mijn locaties" not in html


def test_the_coached_pages_keep_the_managed_page_and_the_other_way_round(client_for):
    manager, places = _regional_manager(3)
    org = places[0].organisation
    for n in range(3):
        location = f.make_location(org, f"Coachlocatie {n}")
        for g in range(GROUPS_EACH):
            f.make_group(location, f"Coachgroep {n}-{g}")
        f.add_membership(manager, Role.COACH, location=location)
    html = client_for(manager).get(reverse("home"), {"locaties": 2}).content.decode()
    assert _card_names(html) == ["Locatie 02", "Coachlocatie 0", "Coachlocatie 1"]
    assert 'href="?locaties=2&amp;begeleid=2">Volgende</a>' in html  # the coached section's next page
    assert 'href="?locaties=1">Vorige</a>' in html
    assert "Alle locaties die ik coach" in html and "Al mijn locaties" in html


def test_the_names_are_those_of_the_persons_own_locations(client_for):
    manager, places = _regional_manager(3)
    elsewhere = f.make_location(f.make_organisation("Elders"), "Locatie Elders")
    f.make_group(elsewhere, "Groep Elders")
    outsider = f.make_location(places[0].organisation, "Locatie Zonder Mij")
    f.make_group(outsider, "Groep Zonder Mij")
    html = client_for(manager).get(reverse("home")).content.decode()
    assert "Locatie 02" in html
    assert "Locatie Elders" not in html and "Locatie Zonder Mij" not in html
