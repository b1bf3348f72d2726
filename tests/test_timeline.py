"""The child page /kinderen/<id>/: the timeline of observations, its readers and its query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from observations.pillars import PILLAR_BY_CODE
from observations.selectors import TIMELINE_PAGE_SIZE
from observations.services import RatingInput
from tests import factories as f
from tests.observation_factories import days_ago, make_observation

pytestmark = pytest.mark.django_db


def url(child):
    return reverse("child_detail", args=[child.pk])


@pytest.fixture
def logged(cast):
    make_observation(
        cast.child_a,
        cast.staff_a,
        date=days_ago(3),
        situation="meal",
        circumstances=["ill"],
        note="Had weinig trek.",
        ratings=[RatingInput(pillar="reunion", kind="high", strength="slight", note="Huilde lang bij het weerzien.")],
    )
    make_observation(
        cast.child_a,
        cast.staff_a,
        date=days_ago(1),
        situation="outside",
        ratings=[RatingInput(pillar="exploration", kind="typical", note="Rende naar de zandbak en keek om.")],
    )


@pytest.mark.parametrize("who", ["staff_a", "manager", "coach"])
def test_staff_of_the_group_and_readers_of_the_location_see_the_timeline(cast, client, logged, who):
    client.force_login(getattr(cast, who))
    html = client.get(url(cast.child_a)).content.decode()
    assert "Waarnemingen" in html
    assert "door Anna" in html  # observer
    assert "eten en drinken" in html and "buiten" in html  # situation
    assert "ziek of tandjes" in html  # circumstances
    assert "Had weinig trek." in html and "Huilde lang bij het weerzien." in html  # notes
    assert "Reactie bij hereniging" in html and "opvallend: heel boos of ontroostbaar, licht" in html
    assert "Explorerend gedrag" in html and "passend" in html
    assert html.index("Rende naar de zandbak") < html.index("Had weinig trek.")  # newest first


def test_only_staff_of_the_group_get_the_new_observation_button(cast, client, logged):
    new = reverse("observation_new", args=[cast.child_a.pk])
    client.force_login(cast.staff_a)
    assert new in client.get(url(cast.child_a)).content.decode()
    client.force_login(cast.manager)
    assert new not in client.get(url(cast.child_a)).content.decode()


def test_an_admin_sees_the_child_but_not_its_observations(cast, client, logged):
    client.force_login(cast.admin)
    response = client.get(url(cast.child_a))
    assert response.status_code == 200
    assert "Had weinig trek." not in response.content.decode()


@pytest.mark.parametrize("who", ["staff_b", "other_admin"])
def test_outsiders_get_404(cast, client, logged, who):
    client.force_login(getattr(cast, who))
    assert client.get(url(cast.child_a)).status_code == 404


def test_the_coach_reads_only_children_of_coached_locations(cast, client):
    client.force_login(cast.manager)
    assert client.get(url(cast.child_c)).status_code == 404  # location 2 is not the manager's
    client.force_login(cast.coach)
    assert client.get(url(cast.child_c)).status_code == 200
    assert client.get(url(cast.other_child)).status_code == 404


def test_filter_by_pillar(cast, client, logged):
    client.force_login(cast.staff_a)
    html = client.get(url(cast.child_a), {"pijler": "reunion"}).content.decode()
    assert "Huilde lang bij het weerzien." in html
    assert "Rende naar de zandbak" not in html
    html = client.get(url(cast.child_a), {"pijler": "cooperation"}).content.decode()
    assert "Nog geen waarnemingen bij deze pijler." in html
    html = client.get(url(cast.child_a), {"pijler": "<nonsense>"}).content.decode()  # ignored
    assert "Huilde lang" in html and "Rende naar de zandbak" in html


def test_removed_observations_are_not_shown(cast, client, logged):
    from django.utils import timezone

    from observations.models import Observation

    Observation.objects.filter(note="Had weinig trek.").update(removed_at=timezone.now(), removed_by=cast.staff_a)
    client.force_login(cast.staff_a)
    html = client.get(url(cast.child_a)).content.decode()
    assert "Had weinig trek." not in html and "Rende naar de zandbak" in html


def test_the_timeline_is_paginated(cast, client):
    for day in range(TIMELINE_PAGE_SIZE + 5):
        make_observation(cast.child_a, cast.staff_a, date=days_ago(day), note=f"notitie-{day}-einde")
    client.force_login(cast.staff_a)
    first = client.get(url(cast.child_a)).content.decode()
    assert "notitie-0-einde" in first and f"notitie-{TIMELINE_PAGE_SIZE}-einde" not in first
    assert "Pagina 1 van 2" in first
    second = client.get(url(cast.child_a), {"page": 2}).content.decode()
    assert f"notitie-{TIMELINE_PAGE_SIZE}-einde" in second and "notitie-0-einde" not in second


def test_the_pages_links_say_earlier_and_more_recent_and_keep_the_pillar(cast, client):
    """ "Ouder" on a child's page reads as a parent: the links name the observations. The pillar chosen stays."""
    for day in range(TIMELINE_PAGE_SIZE + 5):
        make_observation(
            cast.child_a, cast.staff_a, date=days_ago(day), ratings=[RatingInput(pillar="reunion", kind="typical")]
        )
    client.force_login(cast.staff_a)
    first = client.get(url(cast.child_a), {"pijler": "reunion"}).content.decode()
    assert '<a class="page-link" href="?pijler=reunion&amp;page=2">Eerdere waarnemingen</a>' in first
    assert "Recentere waarnemingen" not in first and ">Ouder<" not in first
    second = client.get(url(cast.child_a), {"pijler": "reunion", "page": 2}).content.decode()
    assert '<a class="page-link" href="?pijler=reunion&amp;page=1">Recentere waarnemingen</a>' in second
    assert "Eerdere waarnemingen" not in second and ">Nieuwer<" not in second


@pytest.mark.parametrize(
    ("asked", "shown"), [("9", 2), ("0", 2), ("-1", 2), ("twee", 1), ("", 1), ("99999999999999999999", 2)]
)
def test_a_page_past_the_last_or_no_number_shows_the_last_or_the_first(cast, client, asked, shown):
    """The page and the number of observations come in one query (a window count); a link past the
    last page (an old one) still shows the last page, and a page that is no number the first, as
    Django's `Paginator.get_page` picks them."""
    for day in range(TIMELINE_PAGE_SIZE + 5):
        make_observation(cast.child_a, cast.staff_a, date=days_ago(day), note=f"notitie-{day}-einde")
    client.force_login(cast.staff_a)
    page = client.get(url(cast.child_a), {"page": asked}).content.decode()
    assert f"Pagina {shown} van 2" in page
    last = f"notitie-{TIMELINE_PAGE_SIZE + 4}-einde"
    assert ("notitie-0-einde" in page) == (shown == 1) and (last in page) == (shown == 2)


def _queries_for_timeline(client, child) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(child)).status_code == 200
    return len(queries)


def test_the_timeline_runs_a_fixed_number_of_queries(cast, client, django_assert_num_queries):
    other_staff = f.make_user(first_name="Carla")
    f.add_membership(other_staff, "staff", group=cast.group_a)
    client.force_login(cast.staff_a)
    make_observation(cast.child_a, cast.staff_a, date=days_ago(1))
    few = _queries_for_timeline(client, cast.child_a)
    for day in range(2, 40):
        make_observation(
            cast.child_a,
            other_staff if day % 2 else cast.staff_a,
            date=days_ago(day),
            circumstances=["busy_group"],
            ratings=[
                RatingInput(pillar="comfort_seeking", kind="low", strength="slight", note="x"),
                RatingInput(pillar="reunion", kind="typical"),
                RatingInput(pillar="strangers", kind="high", strength="clear"),
            ],
        )
    many = _queries_for_timeline(client, cast.child_a)
    assert few == many
    with django_assert_num_queries(many):
        client.get(url(cast.child_a), {"pijler": "reunion", "page": 2})


def _card(page: str, pk: int) -> str:
    """The card of observation `pk` after its heading, without the author's id (the timeline's card is
    named by its date and author, its link stretched over the card; the observation's own page has a
    plain h2)."""
    card = page.split(f'id="waarneming-{pk}"', 1)[1].split("</article>", 1)[0]
    return card.split("</h", 1)[1].split(">", 1)[1].replace(f' id="waarneming-{pk}-door"', "")


def test_the_timeline_card_reads_as_the_observations_own_page(cast, client):
    """The timeline reads its cards as rows of values and the observation's page from the model: both
    show the same moment, observer, circumstances, ratings in pillar order (with their notes) and note."""
    observation = make_observation(
        cast.child_a,
        cast.staff_a,
        date=days_ago(3),
        situation="drop_off",
        circumstances=["slept_badly", "busy_group"],
        note="Regel een\nregel twee",
        ratings=[
            RatingInput(pillar="strangers", kind="typical"),
            RatingInput(pillar="positive_affect", kind="low", strength="clear", note="Keek weg bij het zingen."),
        ],
    )
    client.force_login(cast.staff_a)
    timeline = client.get(url(cast.child_a)).content.decode()
    own_page = client.get(reverse("observation_detail", args=[observation.pk])).content.decode()
    card = _card(timeline, observation.pk)
    assert card == _card(own_page, observation.pk)
    for shown in ("Anna", "slecht geslapen", "drukke groep", "Keek weg bij het zingen.", "Regel een<br>regel twee"):
        assert shown in card, shown
    with translation.override("nl"):
        first, last = (str(PILLAR_BY_CODE[code].name) for code in ("positive_affect", "strangers"))
    assert card.index(first) < card.index(last)  # pillar order, not the order saved
