"""Parent conversations (issue 11): recorded by the coach or the child's mentor, read by them and the
manager, agreements for the group seen by its staff, a focus on the day view and the entry form,
follow-up on the home page and the mentor list, bad input refused with nothing saved."""

import datetime
import uuid

import pytest
from django.urls import reverse

from conversations.models import Agreement, Conversation
from organisations.calendar import today
from staff.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db

PARENTS_WORDS = "Thuis slaapt Sem slecht sinds de verhuizing."


def form_data(**overrides):
    day = today()
    data = {
        "submission_key": str(uuid.uuid4()),
        "date": day.isoformat(),
        "participants": "moeder, mentor",
        "parents_context": PARENTS_WORDS,
        "next_date": (day + datetime.timedelta(weeks=12)).isoformat(),
        "afspraak-TOTAL_FORMS": "3",
        "afspraak-INITIAL_FORMS": "0",
        "afspraak-MIN_NUM_FORMS": "0",
        "afspraak-MAX_NUM_FORMS": "10",
        "afspraak-0-text": "Bij het brengen neemt de mentor Sem over.",
        "afspraak-0-who": "mentor",
        "afspraak-0-follow_up": (day + datetime.timedelta(weeks=4)).isoformat(),
        "afspraak-0-for_group": "on",
        "afspraak-0-focus_pillars": ["comfort_seeking", "reunion"],
        "afspraak-0-focus_weeks": "6",
        "afspraak-1-text": "Ouders vertellen het als Sem slecht sliep.",
        "afspraak-1-who": "ouders",
        "afspraak-1-follow_up": (day + datetime.timedelta(weeks=4)).isoformat(),
    }
    data.update(overrides)
    return data


def new_url(child):
    return reverse("conversation_new", args=[child.pk])


def record(client, child, **overrides):
    return client.post(new_url(child), form_data(**overrides))


def test_the_coach_records_a_conversation_with_agreements_and_a_focus(cast, client_for):
    response = record(client_for(cast.coach), cast.child_a)
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "conversation_detail", args=[conversation.pk]
    )
    assert conversation.recorded_by == cast.coach and conversation.parents_context == PARENTS_WORDS
    first, second = conversation.agreements.order_by("pk")
    assert first.for_group and first.focus_pillars == ["comfort_seeking", "reunion"] and first.focus_weeks == 6
    assert not second.for_group and second.focus_pillars == [] and second.focus_weeks is None
    assert conversation.history.count() == 1 and Agreement.history.count() == 2


def test_the_mentor_records_too_and_a_double_submit_saves_once(cast, client_for):
    client = client_for(cast.staff_a)  # mentor of Sem (child_a)
    data = form_data()
    assert client.post(new_url(cast.child_a), data).status_code == 302
    assert client.post(new_url(cast.child_a), data).status_code == 302
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize("who", ["manager", "staff_b", "admin", "other_admin"])
def test_others_cannot_record(cast, client_for, who):
    client = client_for(getattr(cast, who))
    assert client.get(new_url(cast.child_a)).status_code == 404
    assert record(client, cast.child_a).status_code == 404
    assert not Conversation.objects.exists()


def test_staff_of_the_group_who_is_not_the_mentor_cannot_record(cast, client_for):
    colleague = f.make_user("collega@example.test", first_name="Cor")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    assert client_for(colleague).get(new_url(cast.child_a)).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": (today() + datetime.timedelta(days=1)).isoformat()}, "kan niet in de toekomst liggen"),
        (
            {"afspraak-0-follow_up": (today() - datetime.timedelta(days=3)).isoformat()},
            "terugkijken kan pas na het gesprek",
        ),
        ({"afspraak-0-text": ""}, "schrijf op wat is afgesproken"),
        ({"next_date": (today() - datetime.timedelta(days=1)).isoformat()}, "moet na dit gesprek komen"),
        ({"participants": ""}, "Dit veld is verplicht"),
        ({"afspraak-0-focus_weeks": ""}, "hoeveel weken de groep erop let"),
    ],
)
def test_bad_input_gets_a_dutch_message_and_saves_nothing(cast, client_for, overrides, message):
    response = record(client_for(cast.coach), cast.child_a, **overrides)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Er is niets opgeslagen" in html and message in html, html[html.find("alert") : html.find("alert") + 800]
    assert not Conversation.objects.exists() and not Agreement.objects.exists()


def test_readers_and_the_group_staff(cast, client_for):
    record(client_for(cast.coach), cast.child_a)
    conversation = Conversation.objects.get()
    detail = reverse("conversation_detail", args=[conversation.pk])
    for reader in (cast.coach, cast.manager, cast.staff_a):  # coach, manager of the location, mentor
        assert PARENTS_WORDS in client_for(reader).get(detail).content.decode()
        assert (
            PARENTS_WORDS
            not in client_for(reader).get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
        )
    colleague = f.make_user("collega@example.test", first_name="Cor")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    client = client_for(colleague)
    assert client.get(detail).status_code == 404
    child_page = client.get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
    assert "Bij het brengen neemt de mentor Sem over." in child_page  # meant for the group
    assert "Ouders vertellen het als Sem slecht sliep." not in child_page  # not for the group
    assert PARENTS_WORDS not in child_page
    for outsider in (cast.staff_b, cast.admin, cast.other_admin):
        assert client_for(outsider).get(detail).status_code == 404


def test_the_focus_marks_the_day_view_and_comes_first_on_the_entry_form(cast, client_for):
    record(client_for(cast.coach), cast.child_a)
    client = client_for(cast.staff_a)
    day_view = client.get(reverse("group_detail", args=[cast.group_a.pk])).content.decode()
    assert "focus-mark" in day_view and "Zoeken van troost" in day_view[day_view.index("focus-mark") :]
    form = client.get(reverse("observation_new", args=[cast.child_a.pk])).content.decode()
    pillars = [chunk.split('"')[0] for chunk in form.split('data-pillar="')[1:]]
    assert pillars[:2] == ["comfort_seeking", "reunion"] and len(pillars) == 8


def test_a_focus_ends(cast, client_for):
    long_ago = today() - datetime.timedelta(weeks=10)
    record(
        client_for(cast.coach),
        cast.child_a,
        date=long_ago.isoformat(),
        next_date="",
        **{
            "afspraak-0-follow_up": (long_ago + datetime.timedelta(days=7)).isoformat(),
            "afspraak-1-follow_up": (long_ago + datetime.timedelta(days=7)).isoformat(),
        },
    )
    day_view = client_for(cast.staff_a).get(reverse("group_detail", args=[cast.group_a.pk])).content.decode()
    assert "focus-mark" not in day_view  # six weeks of focus, ten weeks ago


def test_follow_up_on_the_home_page_and_looking_back(cast, client_for):
    earlier = today() - datetime.timedelta(weeks=6)
    record(
        client_for(cast.coach),
        cast.child_a,
        date=earlier.isoformat(),
        next_date=(today() + datetime.timedelta(days=5)).isoformat(),
        **{
            "afspraak-0-follow_up": (earlier + datetime.timedelta(weeks=2)).isoformat(),
            "afspraak-1-follow_up": (today() + datetime.timedelta(weeks=2)).isoformat(),
        },
    )
    for user in (cast.coach, cast.staff_a):  # the coach and the mentor
        home = client_for(user).get(reverse("home")).content.decode()
        assert "Afspraken om op terug te kijken" in home and "Bij het brengen neemt de mentor" in home
        assert "Gesprekken die eraan komen" in home
    assert "Afspraken om op terug te kijken" not in client_for(cast.staff_b).get(reverse("home")).content.decode()
    overdue = Agreement.objects.get(text__startswith="Bij het brengen")
    client = client_for(cast.coach)
    assert client.post(reverse("agreement_looked_back", args=[overdue.pk])).status_code == 302
    assert "Bij het brengen neemt de mentor" not in client.get(reverse("home")).content.decode()
    assert client_for(cast.manager).post(reverse("agreement_looked_back", args=[overdue.pk])).status_code == 404


def test_an_edit_keeps_what_was_looked_back_on_unless_the_agreement_changed(cast, client_for):
    from conversations.services import AgreementInput, agreement_looked_back, conversation_update

    earlier = today() - datetime.timedelta(weeks=6)
    record(client_for(cast.coach), cast.child_a, date=earlier.isoformat(), next_date="")
    conversation = Conversation.objects.get()
    for agreement in conversation.agreements.all():
        agreement_looked_back(agreement=agreement)
    kept, moved = conversation.agreements.order_by("text")
    inputs = [
        AgreementInput(text=kept.text, who=kept.who, follow_up=kept.follow_up),
        AgreementInput(text=moved.text, who=moved.who, follow_up=moved.follow_up + datetime.timedelta(weeks=2)),
    ]
    conversation_update(
        conversation=conversation,
        editor=cast.coach,
        version=conversation.version,
        date=earlier,
        participants="moeder, vader, mentor",
        agreements=inputs,
    )
    after = {a.text: a.followed_up_at for a in Agreement.objects.filter(conversation=conversation)}
    assert after[kept.text] == kept.followed_up_at  # unchanged: still looked back on
    assert after[moved.text] is None  # a new date to look back on: on the list again


def test_the_mentor_list_shows_the_last_conversation_and_marks_a_missing_yearly_one(cast, client_for):
    client = client_for(cast.staff_a)
    html = client.get(reverse("mentor_children")).content.decode()
    assert "nog geen oudergesprek" in html and "geen oudergesprek in de laatste 12 maanden" in html
    record(client, cast.child_a)
    html = client.get(reverse("mentor_children")).content.decode()
    assert "laatste oudergesprek" in html and "geen oudergesprek in de laatste 12 maanden" not in html


def test_the_recorder_changes_it_within_the_window_and_the_history_keeps_both(cast, client_for):
    client = client_for(cast.coach)
    record(client, cast.child_a)
    conversation = Conversation.objects.get()
    edit = reverse("conversation_edit", args=[conversation.pk])
    assert client_for(cast.manager).get(edit).status_code == 404
    client = client_for(cast.coach)
    data = form_data(participants="moeder, vader, coach", version="1")
    del data["submission_key"]
    assert client.post(edit, data).status_code == 302
    conversation.refresh_from_db()
    assert conversation.participants == "moeder, vader, coach" and conversation.version == 2
    assert conversation.history.count() == 2
    Conversation.objects.filter(pk=conversation.pk).update(
        created_at=conversation.created_at - datetime.timedelta(days=8)
    )
    assert client.get(edit).status_code == 302  # the window closed: back to the conversation with a message


def test_the_demo_holds_a_conversation_with_agreements_and_a_running_focus(db, client):
    import io

    from django.core.management import call_command

    call_command("seed_demo", force=True, stdout=io.StringIO())
    call_command("seed_demo", force=True, stdout=io.StringIO())  # idempotent
    conversation = Conversation.objects.get()
    assert (conversation.child.first_name, conversation.child.last_name) == ("Daan", "Mulder")
    assert conversation.agreements.count() == 2
    focus = conversation.agreements.get(for_group=True)
    assert focus.focus_pillars == ["comfort_seeking"] and focus.focus_until > today()
    from staff.models import User

    client.force_login(User.objects.get(email="medewerker@example.org"))
    group = conversation.child.placements.get().group
    html = client.get(reverse("group_detail", args=[group.pk])).content.decode()
    daan = html[html.index("Daan Mulder") :]
    assert "focus-mark" in daan[: daan.index("</li>")]
    client.force_login(User.objects.get(email="coach@example.org"))
    assert "Gesprekken die eraan komen" in client.get(reverse("home")).content.decode()
