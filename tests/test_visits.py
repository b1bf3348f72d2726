"""Home visits (huisbezoeken): the agency's consultant visits each childminder's home at least once a
year, observes the children there with the ordinary entry form and writes down the agreements with the
childminder; the visits overview flags a home without a visit in the last 12 months, names the children
with a recurring attention point and plans the next visit. Who may: ROLE_RULES `records_visits`."""

import datetime
import uuid

import pytest
import time_machine
from django.urls import reverse

from access_log.models import AccessLog
from observations.models import Observation, Visit, VisitObservation, VisitPlan
from observations.visits import is_yearly_visit_missing, visit_create
from organisations.calendar import today
from organisations.models import Location
from staff.access import user_access, visit_locations
from staff.models import ROLE_RULES, Role
from tests import factories as f
from tests.observation_factories import entry_data
from tests.report_data import give_recurring_comfort_pattern

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(cast):
    """A childminder's home of Linde, "Gastouder Anja Visser" with its one group, visited by the coach;
    Lotte is placed there."""
    location = f.make_location(cast.org, "Gastouder Anja Visser", kind=Location.Kind.CHILDMINDER)
    group = f.make_group(location, "Bij Anja")
    f.add_membership(cast.coach, Role.COACH, location=location)
    child = f.make_child(group, "Lotte")
    return type("Home", (), {"location": location, "group": group, "child": child})


def _visit(home, consultant, *, on=None, agreements="") -> Visit:
    visit, _ = visit_create(
        location=home.location, consultant=consultant, visited_on=on or today(), agreements=agreements
    )
    return visit


# --- the role table and the scope ------------------------------------------------------------------


def test_the_coach_records_visits_and_the_other_roles_do_not():
    assert ROLE_RULES[Role.COACH].records_visits
    assert not any(ROLE_RULES[r].records_visits for r in (Role.STAFF, Role.MANAGER, Role.ADMIN))


def test_only_a_childminders_home_where_the_role_records_visits_is_visited(cast, home):
    assert list(visit_locations(cast.coach)) == [home.location]  # not the coach's two centres
    assert not visit_locations(cast.manager).exists() and not visit_locations(cast.staff_a).exists()
    assert user_access(cast.coach).records_visits_at(home.location)
    assert not user_access(cast.coach).records_visits_at(cast.location1)
    f.add_membership(cast.manager, Role.MANAGER, location=home.location)
    assert not visit_locations(cast.manager).exists()  # a manager there does not record visits


# --- recording a visit -----------------------------------------------------------------------------


def test_the_coach_records_a_home_visit_with_the_agreements_and_the_next_visit(cast, home, client_for):
    client = client_for(cast.coach)
    url = reverse("visit_new", args=[home.location.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Afspraken met de gastouder" in page.content.decode()
    next_visit = today() + datetime.timedelta(days=180)
    data = {
        "submission_key": str(uuid.uuid4()),
        "visited_on": today().isoformat(),
        "agreements": "Anja noteert wanneer Lotte troost zoekt.",
        "next_visit_on": next_visit.isoformat(),
    }
    response = client.post(url, data)
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visit_detail", args=[visit.pk])
    assert (visit.location, visit.consultant, visit.visited_on) == (home.location, cast.coach, today())
    assert visit.agreements == "Anja noteert wanneer Lotte troost zoekt."
    assert VisitPlan.objects.get(location=home.location).planned_on == next_visit
    assert client.post(url, data).status_code == 302 and Visit.objects.count() == 1  # a double click: one visit
    (record,) = visit.history.all()
    assert record.history_user == cast.coach  # who recorded it, from the request


def test_a_visit_in_the_future_is_refused_and_nothing_is_saved(cast, home, client_for):
    response = client_for(cast.coach).post(
        reverse("visit_new", args=[home.location.pk]),
        {"submission_key": str(uuid.uuid4()), "visited_on": (today() + datetime.timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200
    assert "De datum kan niet in de toekomst liggen." in response.content.decode()
    assert not Visit.objects.exists()


def test_the_consultant_changes_the_agreements_and_the_history_keeps_both(cast, home, client_for):
    visit = _visit(home, cast.coach, agreements="Eerst")
    client = client_for(cast.coach)
    response = client.post(reverse("visit_edit", args=[visit.pk]), {"agreements": "Daarna", "next_visit_on": ""})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.agreements == "Daarna"
    assert [h.agreements for h in visit.history.order_by("history_date")] == ["Eerst", "Daarna"]
    detail = client.get(reverse("visit_detail", args=[visit.pk])).content.decode()
    assert "Daarna" in detail and "Huisbezoek" in detail


def test_another_consultant_reads_the_visit_but_does_not_change_it_or_observe_during_it(cast, home, client_for):
    colleague = f.make_user("consulent.twee@example.test", first_name="Carla")
    f.add_membership(colleague, Role.COACH, location=home.location)
    visit = _visit(home, cast.coach)
    client = client_for(colleague)
    assert client.get(reverse("visit_detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("visit_edit", args=[visit.pk])).status_code == 404
    entry = reverse("observation_new", args=[home.child.pk]) + f"?bezoek={visit.pk}"
    assert client.get(entry).status_code == 404


@pytest.mark.parametrize("who", ["manager", "staff_a", "admin", "other_admin"])
def test_who_does_not_record_visits_there_gets_404_everywhere(cast, home, client_for, who):
    visit = _visit(home, cast.coach)
    client = client_for(getattr(cast, who))
    for url in (
        reverse("visits"),
        reverse("visit_new", args=[home.location.pk]),
        reverse("visit_detail", args=[visit.pk]),
        reverse("visit_edit", args=[visit.pk]),
        reverse("observation_new", args=[home.child.pk]) + f"?bezoek={visit.pk}",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("visit_plan", args=[home.location.pk]), {}).status_code == 404


def test_a_coach_of_a_centre_records_no_visit_there(cast, home, client_for):
    assert client_for(cast.coach).get(reverse("visit_new", args=[cast.location1.pk])).status_code == 404


# --- observing during the visit: the ordinary entry form -------------------------------------------


def test_an_observation_during_the_visit_is_an_ordinary_observation_linked_to_it(cast, home, client_for):
    visit = _visit(home, cast.coach)
    client = client_for(cast.coach)
    detail = client.get(reverse("visit_detail", args=[visit.pk])).content.decode()
    entry = reverse("observation_new", args=[home.child.pk]) + f"?bezoek={visit.pk}"
    assert f'href="{entry}"' in detail.replace("&amp;", "&")  # a button per placed child
    form = client.get(entry)
    assert form.status_code == 200
    assert form.context["form"].__class__.__name__ == "NewObservationForm"  # the staff's own entry form
    assert form.context["form"].initial["date"] == visit.visited_on
    response = client.post(entry, entry_data(home.child, date=visit.visited_on.isoformat()))
    assert response.status_code == 302 and response["Location"] == reverse("visit_detail", args=[visit.pk])
    observation = Observation.objects.get()
    assert (observation.observer, observation.child, observation.group) == (cast.coach, home.child, home.group)
    assert VisitObservation.objects.get().visit == visit
    assert list(visit.observations.all()) == [observation]
    detail = client.get(reverse("visit_detail", args=[visit.pk])).content.decode()
    assert reverse("observation_detail", args=[observation.pk]) in detail


def test_an_observation_during_the_visit_has_the_visits_date(cast, home, client_for):
    with time_machine.travel(datetime.datetime(2027, 5, 12, 10, 0, tzinfo=datetime.UTC), tick=False):
        visit = _visit(home, cast.coach, on=datetime.date(2027, 5, 10))
        entry = reverse("observation_new", args=[home.child.pk]) + f"?bezoek={visit.pk}"
        response = client_for(cast.coach).post(entry, entry_data(home.child, date="2027-05-12"))
    assert response.status_code == 200
    assert "10-05-2027" in response.content.decode()
    assert not Observation.objects.exists()


def test_without_a_visit_the_coach_still_logs_no_observation(cast, home, client_for):
    assert client_for(cast.coach).get(reverse("observation_new", args=[home.child.pk])).status_code == 404


def test_the_consultant_changes_an_observation_made_during_the_visit(cast, home, client_for):
    visit = _visit(home, cast.coach)
    client = client_for(cast.coach)
    entry = reverse("observation_new", args=[home.child.pk]) + f"?bezoek={visit.pk}"
    client.post(entry, entry_data(home.child))
    observation = Observation.objects.get()
    data = entry_data(home.child, note="Later aangevuld.", version="1", submission_key=None)
    response = client.post(reverse("observation_edit", args=[observation.pk]), data)
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.note == "Later aangevuld." and observation.version == 2


# --- the overview ----------------------------------------------------------------------------------

LEAP_DAY = datetime.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("day", "visited", "missing"),
    [
        (datetime.date(2028, 3, 1), datetime.date(2027, 3, 1), False),  # 366 days: 12 months to the day
        (datetime.date(2028, 3, 1), datetime.date(2027, 2, 28), True),  # 367 days
        (LEAP_DAY, datetime.date(2027, 3, 1), False),  # 365 days
        (LEAP_DAY, datetime.date(2027, 2, 28), True),  # 366 days: its anniversary, 28 February, has passed
        (datetime.date(2027, 3, 1), datetime.date(2026, 3, 1), False),  # 365 days
        (datetime.date(2027, 3, 1), datetime.date(2026, 2, 28), True),  # 366 days
        (datetime.date(2027, 3, 1), None, True),  # never visited
    ],
)
def test_no_visit_in_the_last_12_months_counts_calendar_months(day, visited, missing):
    assert is_yearly_visit_missing(visited, day) is missing


def _overview_at(client_for, user, moment: datetime.datetime):
    with time_machine.travel(moment, tick=False):
        return client_for(user).get(reverse("visits"))  # signed in then: a session of that day


def test_the_overview_flags_a_home_whose_last_visit_lies_more_than_12_months_back(cast, home, client_for):
    with time_machine.travel(datetime.datetime(2027, 2, 28, 11, 0, tzinfo=datetime.UTC), tick=False):
        _visit(home, cast.coach, agreements="Jaarbezoek")
    # 23:30 in Amsterdam on 28 February 2028 is still the 28th there (22:30 UTC): 365 days, not missing
    on_time = _overview_at(client_for, cast.coach, datetime.datetime(2028, 2, 28, 22, 30, tzinfo=datetime.UTC))
    ((row, _form),) = on_time.context["rows"]
    assert not row.visit_missing
    assert "Geen bezoek in de afgelopen 12 maanden" not in on_time.content.decode()
    # 00:30 on 29 February 2028 in Amsterdam (23:30 UTC on the 28th): 366 days, its anniversary has passed
    late = _overview_at(client_for, cast.coach, datetime.datetime(2028, 2, 28, 23, 30, tzinfo=datetime.UTC))
    ((row, _form),) = late.context["rows"]
    assert row.visit_missing and row.last_visit.visited_on == datetime.date(2027, 2, 28)
    assert "Geen bezoek in de afgelopen 12 maanden" in late.content.decode()


def test_a_home_never_visited_is_flagged(cast, home, client_for):
    response = client_for(cast.coach).get(reverse("visits"))
    ((row, _form),) = response.context["rows"]
    assert row.last_visit is None and row.visit_missing


def test_the_overview_names_a_child_with_a_recurring_attention_point(cast, home, client_for):
    give_recurring_comfort_pattern(home.child, [cast.coach, cast.manager])
    response = client_for(cast.coach).get(reverse("visits"))
    ((row, _form),) = response.context["rows"]
    assert [(a.child_id, a.pillar.code) for a in row.attention_points] == [(home.child.pk, "comfort_seeking")]
    html = response.content.decode()
    assert reverse("child_summary", args=[home.child.pk]) + "#pijler-comfort_seeking" in html
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW_VISITS)
    assert (log.user, log.children) == (cast.coach, [home.child.pk])


def test_the_consultant_plans_the_next_visit_from_the_overview(cast, home, client_for):
    client = client_for(cast.coach)
    url = reverse("visit_plan", args=[home.location.pk])
    prefix = f"plan-{home.location.pk}"
    planned = today() + datetime.timedelta(days=30)
    response = client.post(url, {f"{prefix}-planned_on": planned.isoformat()})
    assert response.status_code == 302 and response["Location"] == reverse("visits")
    assert VisitPlan.objects.get(location=home.location).planned_on == planned
    page = client.get(reverse("visits")).content.decode()
    assert "Volgend bezoek gepland" in page
    past = client.post(url, {f"{prefix}-planned_on": (today() - datetime.timedelta(days=1)).isoformat()})
    assert past.status_code == 200
    assert VisitPlan.objects.get(location=home.location).planned_on == planned


def test_the_overview_runs_the_same_queries_for_more_homes(cast, home, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(cast.coach)
    _visit(home, cast.coach)
    client.get(reverse("visits"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("visits"))
    for n in range(3):
        location = f.make_location(cast.org, f"Gastouder {n}", kind=Location.Kind.CHILDMINDER)
        f.make_child(f.make_group(location), f"Kind {n}")
        f.add_membership(cast.coach, Role.COACH, location=location)
        Visit.objects.create(location=location, consultant=cast.coach, visited_on=today())
    with django_assert_num_queries(len(first)):
        response = client.get(reverse("visits"))
    assert len(response.context["rows"]) == 4


# --- the way there -----------------------------------------------------------------------------------


def test_the_navigation_and_home_page_link_the_visits_for_who_visits_a_childminders_home(cast, home, client_for):
    url = reverse("visits")
    coach_home = client_for(cast.coach).get(reverse("home")).content.decode()
    assert f'href="{url}"' in coach_home and "Huisbezoeken" in coach_home
    manager_home = client_for(cast.manager).get(reverse("home")).content.decode()
    assert f'href="{url}"' not in manager_home


def test_a_coach_of_centres_only_is_not_offered_the_visits(cast, client_for):
    assert f'href="{reverse("visits")}"' not in client_for(cast.coach).get(reverse("home")).content.decode()
    assert client_for(cast.coach).get(reverse("visits")).status_code == 404


def test_during_a_visit_only_a_child_placed_at_the_visited_home_is_observed(cast, home, client_for):
    visit = _visit(home, cast.coach)
    elsewhere = reverse("observation_new", args=[cast.child_a.pk]) + f"?bezoek={visit.pk}"
    assert client_for(cast.coach).get(elsewhere).status_code == 404
    assert client_for(cast.coach).get(reverse("observation_new", args=[home.child.pk]) + "?bezoek=x").status_code == 404


def test_the_visit_page_logs_the_children_it_shows(cast, home, client_for):
    visit = _visit(home, cast.coach)
    assert client_for(cast.coach).get(reverse("visit_detail", args=[visit.pk])).status_code == 200
    row = AccessLog.objects.get(action=AccessLog.Action.VIEW_VISIT)
    assert (row.user, row.children) == (cast.coach, [home.child.pk])
