"""Presentation written once (issue 18): one breadcrumb trail (pages/_breadcrumbs.html), one label for a
stored choice (organisations.labels), one current mentor (children.selectors.current_mentor) and one
display name for a user (User.display_name)."""

import datetime
import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from children.models import Mentorship
from children.selectors import current_mentor
from conversations.models import Conversation
from observations.choices import Circumstance, Situation
from organisations.calendar import today
from organisations.labels import choice_label, choice_labels
from reports.overview import location_overview
from reports.summary import child_summary
from staff.models import Role, User
from tests import factories as f
from tests.house_plan import layers
from tests.observation_factories import make_observation

ROOT = Path(__file__).resolve().parents[1]
APPS = layers()
TRAIL = re.compile(r'<nav aria-label="Kruimelpad"><ol class="breadcrumb">(.*?)</ol></nav>', re.S)
LINK = re.compile(r'<li class="breadcrumb-item"><a href="([^"]+)">(.*?)</a></li>')
CURRENT = re.compile(r'<li class="breadcrumb-item active" aria-current="page">(.*?)</li>')


def trail(html: str) -> tuple[list[tuple[str, str]], str]:
    """The links of the page's one breadcrumb trail, top down, and the page's own crumb."""
    trails = TRAIL.findall(html)
    assert len(trails) == 1, trails
    current = CURRENT.findall(trails[0])
    assert len(current) == 1
    return [(url, unescape(label)) for url, label in LINK.findall(trails[0])], unescape(current[0])


# --- Breadcrumbs ---------------------------------------------------------------------------------


def test_only_the_partial_writes_a_breadcrumb_trail():
    writers = []
    for folder in [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]:
        for path in folder.rglob("*.html"):
            if 'class="breadcrumb"' in path.read_text(encoding="utf-8"):
                writers.append(str(path.relative_to(ROOT)))
    assert writers == ["pages/templates/pages/_breadcrumbs.html"]


@pytest.fixture
def recorded(cast):
    observation = make_observation(cast.child_a, cast.staff_a, date=datetime.date(2026, 10, 27))
    conversation = Conversation.objects.create(
        child=cast.child_a, date=datetime.date(2026, 11, 3), participants="moeder", recorded_by=cast.coach
    )
    return observation, conversation


@pytest.mark.django_db
def test_every_page_with_a_trail_shows_it_through_the_partial(cast, recorded, client):
    observation, conversation = recorded
    child_url = reverse("child_detail", args=[cast.child_a.pk])
    location_url = reverse("location_detail", args=[cast.location1.pk])
    group_url = reverse("group_detail", args=[cast.group_a.pk])
    sem = [(child_url, "Sem Testmans")]
    expected = {
        ("observation_detail", observation.pk, "staff_a"): (sem, "27 oktober 2026"),
        ("observation_remove", observation.pk, "staff_a"): (
            [*sem, (reverse("observation_detail", args=[observation.pk]), "27 oktober 2026")],
            "Waarneming verwijderen",
        ),
        ("conversation_detail", conversation.pk, "coach"): (sem, "3 november 2026"),
        ("conversation_new", cast.child_a.pk, "coach"): (sem, "Oudergesprek"),
        ("child_summary", cast.child_a.pk, "coach"): (sem, "Overzicht"),
        ("group_detail", cast.group_a.pk, "coach"): ([(location_url, "Locatie Een")], "Groep A"),
        ("group_overview", cast.group_a.pk, "coach"): (
            [(location_url, "Locatie Een"), (group_url, "Groep A")],
            "Overzicht",
        ),
    }
    for (name, pk, who), crumbs in expected.items():
        client.force_login(getattr(cast, who))
        response = client.get(reverse(name, args=[pk]))
        assert response.status_code == 200, name
        assert trail(response.content.decode()) == crumbs, name


@pytest.mark.django_db
def test_a_name_in_the_trail_is_escaped(cast, client_for):
    cast.group_a.name = "<b>Groep</b> & co"
    cast.group_a.save()
    html = client_for(cast.coach).get(reverse("group_detail", args=[cast.group_a.pk])).content.decode()
    assert "&lt;b&gt;Groep&lt;/b&gt; &amp; co</li>" in html and "<b>Groep</b>" not in html


# --- Choice labels -------------------------------------------------------------------------------


def test_a_choice_shows_its_label_in_the_active_language_and_an_unknown_code_as_itself():
    with translation.override("nl"):
        assert choice_label(Situation, "pick_up") == "halen"
        assert choice_label(Role, Role.COACH) == "pedagogisch coach"
        assert choice_labels(Circumstance, ["ill", "gone"]) == ["ziek of tandjes", "gone"]
    with translation.override("en"):
        assert choice_label(Situation, "pick_up") == "pick-up"


def test_no_module_builds_its_own_dictionary_of_choice_labels():
    builders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            builders += [f"{path.relative_to(ROOT)}: {m}" for m in re.findall(r"dict\(\w[\w.]*\.choices\)", text)]
    assert builders == []


# --- The current mentor --------------------------------------------------------------------------


def mentor_on_child_page(client, child) -> str:
    html = client.get(reverse("child_detail", args=[child.pk])).content.decode()
    found = re.search(r"<dt[^>]*>Mentor</dt><dd[^>]*>(.*?)</dd>", html)
    assert found, "the mentor line"
    return found.group(1)


@pytest.mark.django_db
def test_the_child_page_names_the_current_mentor_and_no_ended_one(cast, client_for):
    client = client_for(cast.staff_a)
    assert mentor_on_child_page(client, cast.child_a) == "Anna"
    # handed over: the old mentorship ended, a new one runs
    Mentorship.objects.filter(child=cast.child_a).update(end_date=today())
    new_mentor = f.make_user("nina@example.test", first_name="Nina", last_name="de Vries")
    f.add_membership(new_mentor, Role.STAFF, group=cast.group_a)
    Mentorship.objects.create(child=cast.child_a, mentor=new_mentor, start_date=today())
    assert mentor_on_child_page(client, cast.child_a) == "Nina de Vries"
    # no mentor at all: a dash, as for a child that never had one
    Mentorship.objects.filter(child=cast.child_a).update(end_date=today())
    assert mentor_on_child_page(client, cast.child_a) == "–"
    assert current_mentor(cast.child_a) is None and child_summary(cast.child_a, 12).mentor is None


@pytest.mark.django_db
def test_the_summary_names_the_mentor_the_selector_names(cast):
    assert child_summary(cast.child_a, 12).mentor == current_mentor(cast.child_a) == cast.staff_a


# --- The display name ----------------------------------------------------------------------------


def test_a_user_is_named_by_their_full_name_or_else_their_address():
    assert User(first_name="Anna", last_name="de Boer", email="a@example.test").display_name == "Anna de Boer"
    assert User(first_name="", last_name="", email="a@example.test").display_name == "a@example.test"
    assert str(User(first_name="Anna", last_name="", email="a@example.test")) == "Anna"
    assert User.display_name_of(" ", "", "x@example.test") == "x@example.test"


@pytest.mark.django_db
def test_the_location_figures_name_staff_as_everywhere_else(cast):
    nameless = f.make_user("zonder.naam@example.test", first_name="")
    f.add_membership(nameless, Role.STAFF, group=cast.group_a)
    make_observation(cast.child_a, nameless)
    make_observation(cast.child_a, cast.staff_a)
    figures = next(g for g in location_overview(cast.location1, user=cast.manager).groups if g.group == cast.group_a)
    names = {activity.name for activity in figures.staff_activity}
    assert names == {nameless.display_name, cast.staff_a.display_name} == {"zonder.naam@example.test", "Anna"}
