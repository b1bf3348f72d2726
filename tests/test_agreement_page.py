"""The agreement page (issue 20): who opens it, what the pairs query counts, drift for the coach only,
planning a duo-observation, and hiding the colleague's entry until both saved theirs."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from observations.models import DuoObservation
from observations.services import RatingInput
from reports.agreement import rating_pairs
from staff.models import Role
from tests import factories as f
from tests.observation_factories import make_observation

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 20)  # a Friday
DRIFT_SENTENCE = "lijken jullie anders te kijken; bespreek eens samen een voorbeeld."


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(datetime.datetime(2026, 3, 20, 12, 0), tick=False):
        yield


@pytest.fixture
def colleague(cast):
    """A second staff member of group A, who observes the same children as staff A."""
    user = f.make_user("staff.a2@example.test", first_name="Ilse")
    f.add_membership(user, Role.STAFF, group=cast.group_a)
    return user


def low(pillar="comfort_seeking"):
    return [RatingInput(pillar=pillar, kind="low", strength="slight")]


def typical(pillar="comfort_seeking"):
    return [RatingInput(pillar=pillar, kind="typical")]


def page_url(cast, weeks=12):
    return f"{reverse('location_agreement', args=[cast.location1.pk])}?weken={weeks}"


def drifting_pairs(cast, colleague, days=8):
    """On `days` days, staff A rates comfort seeking a step lower than the colleague, same moment."""
    for n in range(days):
        day = DAY - datetime.timedelta(days=n)
        make_observation(cast.child_a, cast.staff_a, date=day, ratings=low())
        make_observation(cast.child_a, colleague, date=day, ratings=typical())


def test_pairs_are_same_child_pillar_day_and_moment_by_two_observers(cast, colleague):
    make_observation(cast.child_a, cast.staff_a, date=DAY, ratings=low())
    make_observation(cast.child_a, colleague, date=DAY, ratings=typical())
    make_observation(cast.child_a, colleague, date=DAY - datetime.timedelta(days=1), ratings=typical())  # alone
    make_observation(cast.child_a, cast.staff_a, date=DAY, situation="meal", ratings=typical())  # another moment
    make_observation(cast.child_a, colleague, date=DAY, situation="meal", ratings=typical("positive_affect"))
    pairs = rating_pairs(cast.location1, DAY - datetime.timedelta(days=30), DAY)
    assert [(p.pillar, p.value_a, p.value_b, p.date) for p in pairs] == [("comfort_seeking", -1, 0, DAY)]
    assert rating_pairs(cast.location2, DAY - datetime.timedelta(days=30), DAY) == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("coach", 200), ("manager", 200), ("staff_a", 404), ("admin", 404), ("other_admin", 404)],
)
def test_the_coach_and_the_manager_of_the_location_open_it(cast, client_for, who, status):
    assert client_for(getattr(cast, who)).get(page_url(cast)).status_code == status


def test_a_manager_of_another_location_gets_a_404(cast, client_for):
    manager_2 = f.make_user("manager2@example.test")
    f.add_membership(manager_2, Role.MANAGER, location=cast.location2)
    assert client_for(manager_2).get(page_url(cast)).status_code == 404


def test_the_page_counts_pairs_and_says_too_few_pairs(cast, colleague, client_for):
    drifting_pairs(cast, colleague, days=3)
    html = client_for(cast.manager).get(page_url(cast)).content.decode()
    row = html.split('data-pillar="comfort_seeking"')[1].split("</tr>")[0]
    assert '<td class="text-end">3</td>' in row
    assert "te weinig paren" in row
    assert "Onder 10 paren" in html


def test_drift_is_shown_to_the_coach_only(cast, colleague, client_for):
    drifting_pairs(cast, colleague)
    coach_page = client_for(cast.coach).get(page_url(cast)).content.decode()
    assert DRIFT_SENTENCE in coach_page
    manager_page = client_for(cast.manager).get(page_url(cast)).content.decode()
    assert DRIFT_SENTENCE not in manager_page
    assert 'id="drift"' not in manager_page


def test_seven_pairs_are_no_drift(cast, colleague, client_for):
    drifting_pairs(cast, colleague, days=7)
    assert DRIFT_SENTENCE not in client_for(cast.coach).get(page_url(cast)).content.decode()


def test_the_coach_plans_a_duo_observation(cast, colleague, client_for):
    url = reverse("duo_observation_new", args=[cast.location1.pk])
    data = {
        "child": cast.child_a.pk,
        "staff_a": cast.staff_a.pk,
        "staff_b": colleague.pk,
        "planned_date": DAY.isoformat(),
        "pillars": ["comfort_seeking"],
    }
    assert client_for(cast.manager).post(url, data).status_code == 404
    response = client_for(cast.coach).post(url, data)
    assert response.status_code == 302
    duo = DuoObservation.objects.get()
    assert (duo.child, duo.staff_a, duo.staff_b, duo.planned_by, duo.pillars) == (
        cast.child_a,
        cast.staff_a,
        colleague,
        cast.coach,
        ["comfort_seeking"],
    )


def test_a_duo_of_one_person_or_in_the_past_is_refused_in_dutch(cast, client_for):
    url = reverse("duo_observation_new", args=[cast.location1.pk])
    data = {
        "child": cast.child_a.pk,
        "staff_a": cast.staff_a.pk,
        "staff_b": cast.staff_a.pk,
        "planned_date": (DAY - datetime.timedelta(days=1)).isoformat(),
    }
    response = client_for(cast.coach).post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Kies twee verschillende medewerkers." in html
    assert "Plan een duo-observatie voor vandaag of een latere dag." in html
    assert not DuoObservation.objects.exists()


def test_duo_partners_do_not_see_each_others_entry_until_both_saved(cast, colleague, client_for):
    DuoObservation.objects.create(
        child=cast.child_a, staff_a=cast.staff_a, staff_b=colleague, planned_date=DAY, planned_by=cast.coach
    )
    theirs = make_observation(cast.child_a, colleague, date=DAY, note="Zocht troost bij de deur")
    child_url = reverse("child_detail", args=[cast.child_a.pk])
    client = client_for(cast.staff_a)
    assert "Zocht troost bij de deur" not in client.get(child_url).content.decode()
    assert client.get(reverse("observation_detail", args=[theirs.pk])).status_code == 404
    assert "Zocht troost bij de deur" in client_for(cast.coach).get(child_url).content.decode()  # not in the duo
    home = client_for(cast.staff_a).get(reverse("home")).content.decode()
    assert "Duo-observatie op 20 maart 2026: jij en Ilse" in home
    entry_form = client_for(cast.staff_a).get(reverse("observation_new", args=[cast.child_a.pk])).content.decode()
    assert "Duo-observatie op 20 maart 2026: jij en Ilse" in entry_form
    make_observation(cast.child_a, cast.staff_a, date=DAY, note="Mijn eigen blik")
    assert "Duo-observatie" not in client_for(cast.staff_a).get(reverse("home")).content.decode()
    html = client_for(cast.staff_a).get(child_url).content.decode()
    assert "Zocht troost bij de deur" in html and "Mijn eigen blik" in html


def test_the_colleagues_entry_of_another_day_stays_visible(cast, colleague, client_for):
    DuoObservation.objects.create(
        child=cast.child_a, staff_a=cast.staff_a, staff_b=colleague, planned_date=DAY, planned_by=cast.coach
    )
    make_observation(cast.child_a, colleague, date=DAY - datetime.timedelta(days=1), note="Gisteren gezien")
    html = client_for(cast.staff_a).get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
    assert "Gisteren gezien" in html


DIFFER = "De waarnemers achter dit beeld lijken verschillend naar deze pijler te kijken"


@pytest.mark.parametrize(("weeks_with_pairs", "said"), [(8, True), (7, False)])
def test_the_team_summary_says_when_the_observers_behind_a_pattern_differ(
    cast, colleague, client_for, weeks_with_pairs, said
):
    """Staff A sees "too little" comfort seeking where the colleague beside them sees typical, once a week."""
    for n in range(weeks_with_pairs):
        day = DAY - datetime.timedelta(weeks=n)
        make_observation(cast.child_a, cast.staff_a, date=day, ratings=low())
        make_observation(cast.child_a, colleague, date=day, ratings=typical())
    url = f"{reverse('child_summary', args=[cast.child_a.pk])}?weken=12"
    html = client_for(cast.manager).get(url).content.decode()
    section = html.split('id="pijler-comfort_seeking"')[1].split('class="pillar-row')[0]
    assert (DIFFER in section) is said
    assert "Ilse" not in section and "Anna" not in section  # no person named
