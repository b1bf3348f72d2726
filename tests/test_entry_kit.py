"""The entry kit (children/entries.py) that observations and parent conversations share.

Who changed an entry: django-simple-history's middleware names the logged-in user of the request in
every history row, for observations and conversations alike, on a personal login and on a shared group
tablet; outside a request, staff.history.changes_by(user). Nothing in the apps sets the history user
on a record by hand. And the submission key: a key belongs to the record it made, and a twin request
that saved first wins."""

import datetime
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from simple_history.models import HistoricalRecords

from conversations.models import Agreement, Conversation
from conversations.services import ENTRY as CONVERSATION_ENTRY
from conversations.services import conversation_create
from demo.conversations import CHILD, COACH_EMAIL, seed_demo_conversations
from devices import services as device_services
from observations.models import Observation, PillarRating
from organisations.calendar import today
from staff.history import changes_by
from staff.models import Role
from tests import factories as f
from tests.observation_factories import entry_data, make_observation
from tests.test_conversations import form_data as conversation_data

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
APPS = ("organisations", "staff", "devices", "children", "observations", "conversations", "reports", "privacy", "pages")


def history_users(*models):
    """(model name, history type, user) of every history row of the models."""
    return {
        (m.__name__, r.history_type, r.history_user) for m in models for r in m.history.select_related("history_user")
    }


def test_the_history_names_the_observer_who_made_changed_and_removed_an_observation(cast, client_for):
    client = client_for(cast.staff_a)
    new = client.post(
        reverse("observation_new", args=[cast.child_a.pk]),
        entry_data(cast.child_a, kind_reunion="typical", note="Eerste versie."),
    )
    assert new.status_code == 302
    entry = Observation.objects.get()
    edit = {
        "child": str(cast.child_a.pk),
        "version": "1",
        "date": entry.date.isoformat(),
        "situation": "meal",
        "note": "Tweede versie.",
        "kind_comfort_seeking": "typical",  # changed; reunion left out: its rating goes
    }
    assert client.post(reverse("observation_edit", args=[entry.pk]), edit).status_code == 302
    assert client.post(reverse("observation_remove", args=[entry.pk]), {"version": "2"}).status_code == 302

    assert [r.history_type for r in entry.history.order_by("history_date")] == ["+", "~", "~"]
    assert history_users(Observation, PillarRating) == {
        ("Observation", "+", cast.staff_a),
        ("Observation", "~", cast.staff_a),
        ("PillarRating", "+", cast.staff_a),
        ("PillarRating", "~", cast.staff_a),
        ("PillarRating", "-", cast.staff_a),
    }


def test_the_history_names_the_recorder_who_made_changed_and_looked_back_on_a_conversation(cast, client_for):
    client = client_for(cast.coach)
    data = conversation_data()
    assert client.post(reverse("conversation_new", args=[cast.child_a.pk]), data).status_code == 302
    assert client.post(reverse("conversation_new", args=[cast.child_a.pk]), data).status_code == 302  # twice: once
    conversation = Conversation.objects.get()
    edit = conversation_data(participants="moeder, vader, coach", version="1")
    del edit["submission_key"]
    assert client.post(reverse("conversation_edit", args=[conversation.pk]), edit).status_code == 302
    agreement = conversation.agreements.first()
    assert client.post(reverse("agreement_looked_back", args=[agreement.pk])).status_code == 302

    assert history_users(Conversation, Agreement) == {
        ("Conversation", "+", cast.coach),
        ("Conversation", "~", cast.coach),
        ("Agreement", "+", cast.coach),
        ("Agreement", "-", cast.coach),  # an edit replaces the agreements
        ("Agreement", "~", cast.coach),  # looked back on
    }
    page = client.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert page.count(f"· {cast.coach.display_name} ·") == 2  # recorded, changed


def test_on_a_group_tablet_the_history_names_whoever_unlocked_it(client, cast):
    colleague = f.make_user("cor@example.test", first_name="Cor")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    device_services.set_pin(cast.staff_a, "2580")
    device_services.set_pin(colleague, "1357")
    client.force_login(cast.manager)
    client.post(reverse("tablet_register"), {"group": cast.group_a.pk, "name": "Tablet Vlinders"})
    url = reverse("observation_new", args=[cast.child_a.pk])

    client.post(reverse("tablet_unlock", args=[cast.staff_a.pk]), {"pin": "2580"})
    assert client.post(url, entry_data(cast.child_a, situation="drop_off")).status_code == 302
    client.post(reverse("tablet_lock"))
    client.post(reverse("tablet_unlock", args=[colleague.pk]), {"pin": "1357"})
    assert client.post(url, entry_data(cast.child_a, situation="meal")).status_code == 302

    by_moment = {r.situation: r.history_user for r in Observation.history.all()}
    assert by_moment == {"drop_off": cast.staff_a, "meal": colleague}
    assert {r.history_user for r in PillarRating.history.all()} == {cast.staff_a, colleague}


def test_without_a_request_changes_by_names_the_user_and_puts_the_context_back(cast):
    with changes_by(cast.staff_a):
        named = make_observation(cast.child_a, cast.staff_a, situation="meal")
    unnamed = make_observation(cast.child_a, cast.staff_a, situation="outside")
    assert named.history.get().history_user == cast.staff_a
    assert unnamed.history.get().history_user is None  # a command without a user: no one named
    assert not hasattr(HistoricalRecords.context, "request")

    request_context = object()  # a request's context, as the middleware leaves it during a view
    HistoricalRecords.context.request = request_context
    try:
        with changes_by(cast.coach):
            pass
        assert HistoricalRecords.context.request is request_context
    finally:
        del HistoricalRecords.context.request


def test_the_demo_conversation_names_its_coach(cast):
    """seed_demo runs without a request: staff.history.changes_by names the coach."""
    coach = f.make_user(COACH_EMAIL, first_name="Coen")
    child = cast.child_a
    child.first_name, child.last_name = CHILD
    child.save()
    assert seed_demo_conversations(cast.org) == 1
    assert history_users(Conversation, Agreement) == {("Conversation", "+", coach), ("Agreement", "+", coach)}


def test_no_app_sets_the_history_user_by_hand():
    """The middleware (a request) or staff.history.changes_by (no request) name the user: an
    `_history_user` attribute set on a record would silently win over both."""
    pattern = re.compile(r"_history_user\b")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert found == []


def test_a_form_key_used_for_one_child_is_refused_for_another(cast, client_for):
    """The submission key belongs to the record it made: used for another child it saves nothing."""
    client = client_for(cast.coach)
    key = str(uuid.uuid4())
    assert client.post(reverse("conversation_new", args=[cast.child_a.pk]), conversation_data(submission_key=key))
    day = today() - datetime.timedelta(days=1)
    response = client.post(
        reverse("conversation_new", args=[cast.child_b.pk]), conversation_data(submission_key=key, date=day.isoformat())
    )
    assert response.status_code == 200 and "Dit formulier is al gebruikt." in response.content.decode()
    assert Conversation.objects.get().child == cast.child_a


@dataclass
class Fields:
    """A checked record with no rows, for the kit itself."""

    values: dict

    def fields(self):
        return self.values

    def write_rows(self, entry):
        pass


def test_a_twin_request_that_saved_first_wins_and_nothing_is_written_twice(cast):
    """Two requests with one form: the other one saves between this one's check and its write. The
    unique key stops the second write; the kit returns the twin's record."""
    key = uuid.uuid4()
    day = today()

    def twin_saves_first():
        conversation_create(
            child=cast.child_a, recorder=cast.coach, date=day, participants="moeder", agreements=[], submission_key=key
        )
        return Fields({"date": day, "participants": "vader"})

    conversation, created = CONVERSATION_ENTRY.create_once(
        key, child=cast.child_a, author=cast.coach, check=twin_saves_first
    )
    assert not created and conversation.participants == "moeder"
    assert Conversation.objects.get() == conversation and Conversation.history.count() == 1
