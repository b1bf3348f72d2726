"""The evidence rule: a pattern needs two independent views. A childminder (gastouder) works alone, so a
pillar only she saw is "seen by one person" and stays "not enough observations", saying so in the summary
and in both PDFs, until a second view confirms it: another observer (the agency's consultant), someone who
observed together with her, or the parents recognising it in a conversation. The weeks threshold does not
change. One computation (reports/patterns.py `decide`, the views of `PatternCounts`), the same for the
summary, the group overview and the attention counts."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from conversations.models import Conversation
from conversations.services import conversation_create
from observations.models import Observation
from observations.services import RatingInput, observation_create
from organisations.calendar import today
from organisations.models import Location
from reports.attention import attention_points, pattern_counts
from reports.handout import parent_handout, render_parent_handout_pdf
from reports.patterns import PatternKind
from reports.pdf import render_child_summary_pdf
from reports.summary import child_summary
from tests import factories as f
from tests.observation_factories import entry_data
from tests.report_data import observe, weeks_ago
from tests.rollup_check import assert_rollup_exact

FROZEN = datetime.datetime(2026, 12, 4, 11, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
COMFORT = "comfort_seeking"


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


@pytest.fixture
def home(db, frozen):
    """Gastouder Anja Visser's home: one group, Anja the only carer; the agency's consultant at the location."""
    organisation = f.make_organisation("Gastouderbureau Samen")
    location = f.make_location(organisation, "Gastouder Anja Visser", kind=Location.Kind.CHILDMINDER)
    group = f.make_group(location, "Bij Anja")
    anja = f.make_user("anja@example.test", first_name="Anja", last_name="Visser")
    f.add_membership(anja, f.ROLES.STAFF, group=group)
    consultant = f.make_user("consulent@example.test", first_name="Carla")
    f.add_membership(consultant, f.ROLES.COACH, location=location)
    child = f.make_child(group, "Fenna", mentor=anja)

    class Home:
        pass

    home = Home()
    home.location, home.group, home.anja, home.consultant, home.child = location, group, anja, consultant, child
    return home


def anja_sees(home, weeks=(1, 2, 3, 4), values=None):
    """Anja alone rates comfort seeking (typical unless `values` says otherwise) and exploration, once a week."""
    for n, week in enumerate(weeks):
        value = values[n] if values else 0
        observe(home.child, home.anja, weeks_ago(week), {COMFORT: value, "exploration": 0})


def pattern(summary, code=COMFORT):
    return next(p for p in summary.pillars if p.pillar.code == code)


def parents_recognise(home, pillars, day=None):
    return Conversation.objects.create(
        child=home.child,
        date=day or weeks_ago(1, weekday=3),
        participants="moeder, Anja",
        recorded_by=home.anja,
        parents_recognise=list(pillars),
    )


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_one_observer_without_confirmation_is_not_a_pattern_and_the_summary_says_seen_by_one_person(home):
    anja_sees(home)
    with translation.override("nl"):
        summary = child_summary(home.child, 12)
        comfort = pattern(summary)
        assert comfort.pattern.kind == PatternKind.NOT_ENOUGH
        assert (comfort.figures.rated_weeks, comfort.figures.observers, comfort.pattern.counts.views) == (4, 1, 1)
        assert comfort.one_person_line == "Gezien door één persoon: de gastouder."
        assert summary.seen_by_one_person == [
            "Gezien door één persoon: de gastouder. Het gaat om Zoeken van troost en Explorerend gedrag."
        ]
        assert any("Alleen door één persoon gezien" in reason for reason in comfort.pattern.reasons)


def test_one_observer_and_someone_observing_together_is_a_pattern(home):
    anja_sees(home, weeks=(1, 2, 3))
    observation, _ = observation_create(
        child=home.child,
        observer=home.anja,
        observed_with=home.consultant,  # the consultant on a visit, the same moment, one entry
        date=weeks_ago(4),
        situation="free_play",
        circumstances=[],
        ratings=[RatingInput(pillar=COMFORT, kind="typical")],
    )
    assert observation.observed_with == home.consultant
    assert_rollup_exact()  # the rollup counts the second person, as a rebuild from the raw rows does
    comfort = pattern(child_summary(home.child, 12))
    assert (comfort.figures.observers, comfort.pattern.kind, comfort.one_person_line) == (2, PatternKind.TYPICAL, "")
    # exploration: only Anja rated it, the visit did not: still seen by one person
    assert pattern(child_summary(home.child, 12), "exploration").pattern.kind == PatternKind.NOT_ENOUGH


def test_one_observer_and_the_parents_view_is_a_pattern(home):
    anja_sees(home)
    parents_recognise(home, [COMFORT])
    with translation.override("nl"):
        summary = child_summary(home.child, 12)
        comfort = pattern(summary)
        assert (comfort.figures.observers, comfort.pattern.counts.views) == (1, 2)
        assert (comfort.pattern.kind, comfort.one_person_line) == (PatternKind.TYPICAL, "")
        assert "De ouders herkennen dit van thuis (oudergesprek)." in comfort.pattern.reasons
        # the parents recognised comfort seeking only: exploration still waits for a second view
        assert pattern(summary, "exploration").one_person_line == "Gezien door één persoon: de gastouder."


def test_the_parents_view_counts_only_from_a_conversation_in_the_period(home):
    anja_sees(home)
    parents_recognise(home, [COMFORT], day=weeks_ago(20))
    assert pattern(child_summary(home.child, 12)).pattern.kind == PatternKind.NOT_ENOUGH


def test_two_observers_make_a_pattern_as_before(home):
    anja_sees(home, weeks=(1, 2, 3))
    observe(home.child, home.consultant, weeks_ago(4), {COMFORT: 0})
    comfort = pattern(child_summary(home.child, 12))
    assert (comfort.figures.observers, comfort.pattern.kind, comfort.one_person_line) == (2, PatternKind.TYPICAL, "")


def test_the_weeks_threshold_is_unchanged_whatever_confirms(home):
    anja_sees(home, weeks=(1, 2))
    parents_recognise(home, [COMFORT])
    observe(home.child, home.consultant, weeks_ago(2, weekday=2), {COMFORT: 0})
    comfort = pattern(child_summary(home.child, 12))
    assert (comfort.figures.rated_weeks, comfort.pattern.counts.views) == (2, 3)
    assert comfort.pattern.kind == PatternKind.NOT_ENOUGH
    assert comfort.one_person_line == ""  # not enough weeks, but not by one person


def test_a_recurring_attention_point_confirmed_by_the_parents_is_the_same_in_the_attention_counts(home):
    anja_sees(home, values=[-2, -2, -2, -2])
    assert attention_points([home.child.pk], 12) == []
    assert pattern(child_summary(home.child, 12)).pattern.kind == PatternKind.NOT_ENOUGH
    parents_recognise(home, [COMFORT])
    summary_kind = pattern(child_summary(home.child, 12)).pattern.kind
    found = attention_points([home.child.pk], 12)
    assert summary_kind == PatternKind.RECURRING
    assert [(a.child_id, a.pillar.code) for a in found] == [(home.child.pk, COMFORT)]
    counts = pattern_counts([home.child.pk], 12)
    assert counts[(home.child.pk, COMFORT)] == pattern(child_summary(home.child, 12)).pattern.counts


def test_a_centre_child_seen_by_one_staff_member_names_the_role(cast, frozen):
    for week in (1, 2, 3, 4):
        observe(cast.child_a, cast.staff_a, weeks_ago(week), {COMFORT: 0})
    with translation.override("nl"):
        comfort = pattern(child_summary(cast.child_a, 12))
        assert comfort.one_person_line == "Gezien door één persoon: pedagogisch medewerker."
    with translation.override("en"):
        comfort = pattern(child_summary(cast.child_a, 12))
        assert comfort.one_person_line == "Seen by one person: pedagogical staff member."


def test_both_pdfs_say_seen_by_one_person(home):
    anja_sees(home)
    for week in (1, 2, 3, 4):  # enough seen for a full handout, all by Anja
        observe(home.child, home.anja, weeks_ago(week, weekday=2), {p: 0 for p in ("reunion", "positive_affect")})
        observe(home.child, home.anja, weeks_ago(week, weekday=3), {p: 0 for p in ("trust_help", "cooperation")})
    # the parents recognise four pillars: enough for the full handout; the other two stay Anja's alone
    parents_recognise(home, [COMFORT, "exploration", "reunion", "positive_affect"])
    with translation.override("nl"):
        summary = child_summary(home.child, 12)
        team = pdf_text(render_child_summary_pdf(summary, made_by=home.consultant, made_on=today()).data)
        handout = parent_handout(summary)
        parents = pdf_text(render_parent_handout_pdf(handout, made_on=today()).data)
    assert "Gezien door één persoon: de gastouder. Het gaat om" in team
    assert "Een tweede blik maakt er een patroon van" in team
    assert not handout.getting_to_know
    assert "tot nu toe door één persoon gezien: de gastouder" in handout.one_person
    assert "Jullie blik telt mee" in parents and "de gastouder" in parents


def test_the_handout_of_a_childminder_child_seen_a_little_says_it_in_one_sentence(home):
    anja_sees(home)
    with translation.override("nl"):
        handout = parent_handout(child_summary(home.child, 12))
    assert handout.getting_to_know
    assert handout.one_person.startswith("Tot nu toe heeft alleen de gastouder gezien")


def test_a_child_seen_for_weeks_by_the_gastouder_alone_is_not_said_to_be_seen_only_a_little(home):
    # Anja rates every pillar every week: plenty written down, but by one person, so no pattern yet
    every = ("comfort_seeking", "exploration", "reunion", "positive_affect", "trust_help", "cooperation")
    for week in (1, 2, 3, 4):
        observe(home.child, home.anja, weeks_ago(week), dict.fromkeys(every, 0))
        observe(home.child, home.anja, weeks_ago(week, weekday=3), {"controlling": 0, "strangers": 0})
    with translation.override("nl"):
        summary = child_summary(home.child, 12)
        handout = parent_handout(summary)
    assert summary.too_little_observed and summary.seen_enough_by_one_person
    assert handout.intro[0] == "Elke dag zien we hoe het met Fenna gaat bij ons."
    assert not any("weinig" in line for line in handout.intro)
    assert handout.one_person.startswith("Tot nu toe heeft alleen de gastouder gezien")


def test_a_child_seen_twice_by_one_person_is_still_being_got_to_know(home):
    anja_sees(home, weeks=(1,))
    with translation.override("nl"):
        summary = child_summary(home.child, 12)
    assert summary.too_little_observed and not summary.seen_enough_by_one_person
    assert "weinig" in parent_handout(summary).intro[0]


def test_observed_together_with_is_someone_else_of_the_group(home, cast):
    def create(observed_with):
        return observation_create(
            child=home.child,
            observer=home.anja,
            observed_with=observed_with,
            date=weeks_ago(1),
            situation="free_play",
            circumstances=[],
            ratings=[RatingInput(pillar=COMFORT, kind="typical")],
        )

    with pytest.raises(ValidationError) as refused:
        create(home.anja)
    assert "observed_with" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        create(cast.staff_a)  # works elsewhere
    assert "observed_with" in refused.value.message_dict
    assert not Observation.objects.filter(child=home.child).exists()


def test_changing_the_second_person_recounts_the_week(home):
    observation, _ = observation_create(
        child=home.child,
        observer=home.anja,
        date=weeks_ago(1),
        situation="free_play",
        circumstances=[],
        ratings=[RatingInput(pillar=COMFORT, kind="low", strength="clear")],
    )
    Observation.objects.filter(pk=observation.pk).update(observed_with=home.consultant)
    assert_rollup_exact()
    week = pattern(child_summary(home.child, 12)).figures.weeks[-2]
    assert week.observer_ids == week.atypical_observer_ids == {home.anja.pk, home.consultant.pk}
    Observation.objects.filter(pk=observation.pk).update(observed_with=None)
    assert_rollup_exact()


def test_a_conversation_records_the_pillars_the_parents_recognise(home):
    conversation, _ = conversation_create(
        child=home.child,
        recorder=home.anja,
        date=today(),
        participants="vader, Anja",
        parents_recognise=["exploration", COMFORT],
        agreements=[],
    )
    assert conversation.parents_recognise == [COMFORT, "exploration"]  # in the order of the pillars
    with pytest.raises(ValidationError) as refused:
        conversation_create(
            child=home.child,
            recorder=home.anja,
            date=today(),
            participants="vader, Anja",
            parents_recognise=["no_such_pillar"],
            agreements=[],
        )
    assert "parents_recognise" in refused.value.message_dict


def test_the_entry_form_offers_the_people_of_the_group_and_saves_who_observed_together(home, client_for, cast):
    url = reverse("observation_new", args=[home.child.pk])
    client = client_for(home.anja)
    page = client.get(url).content.decode()
    assert "Samen geobserveerd met" in page and f">{home.consultant.display_name}</option>" in page
    assert f">{cast.staff_a.display_name}</option>" not in page  # works elsewhere: not offered
    data = entry_data(home.child, date=weeks_ago(1).isoformat(), observed_with=str(home.consultant.pk))
    assert client.post(url, data).status_code == 302
    assert Observation.objects.get(child=home.child).observed_with == home.consultant
    refused = client.post(url, entry_data(home.child, observed_with=str(cast.staff_a.pk)))
    assert refused.status_code == 200 and Observation.objects.filter(child=home.child).count() == 1
