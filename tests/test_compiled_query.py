"""Look-ups compiled once (organisations/compiled.py): each call gives what the queryset would, for the
values it is given, with the ORM's converters; a queryset it cannot bind is refused when first asked."""

import datetime

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from children.access import _access_row, child_access
from children.models import Child, Placement
from conversations.models import Agreement, Conversation
from conversations.selectors import active_focus
from observations.pillars import PILLARS
from organisations.calendar import today
from organisations.compiled import CompiledQuery
from staff.models import User
from tests.observation_factories import days_ago

pytestmark = pytest.mark.django_db


def test_each_call_binds_its_own_values_and_reads_what_the_queryset_reads(cast):
    """The child's row (JSON objects, an array of them, a date) for two children and two days, against the
    ORM's own answer; the SQL is the same each time, only the values differ."""
    compiled = CompiledQuery(_access_row, child_id=int, day=datetime.date)
    Placement.objects.filter(child=cast.child_b).update(start_date=today() - datetime.timedelta(days=3))
    asked = [
        (child.pk, day) for child in (cast.child_a, cast.child_b, cast.other_child) for day in (today(), days_ago(5))
    ]
    expected = [list(_access_row(child_id, day)) for child_id, day in asked]
    with CaptureQueriesContext(connection) as captured:
        found = [compiled.rows(child_id=child_id, day=day) for child_id, day in asked]
    assert found == expected
    places = len(Child._meta.concrete_fields) + 1  # after the child's columns and its mentor
    groups = [[place["group_id"] for place in rows[0][places]] for rows in found]
    assert groups[:4] == [[cast.group_a.pk]] * 2 + [[cast.group_b.pk], []]
    assert found[0][0][places - 1]["id"] == cast.staff_a.pk  # the mentor, a JSON object
    statements = {q["sql"].split(" WHERE ")[0] for q in captured.captured_queries}
    assert len(captured.captured_queries) == 6 and len(statements) == 1
    assert compiled.rows(child_id=-1, day=today()) == []


def test_a_value_used_twice_is_bound_in_both_places(cast):
    compiled = CompiledQuery(
        lambda user_id: User.objects.filter(pk=user_id).filter(pk__gte=user_id).values_list("email"), user_id=int
    )
    assert compiled.rows(user_id=cast.staff_a.pk) == [(cast.staff_a.email,)]
    assert compiled.rows(user_id=cast.staff_b.pk) == [(cast.staff_b.email,)]


def test_the_columns_come_in_the_order_values_list_names_them(cast):
    compiled = CompiledQuery(
        lambda user_id: (
            User.objects.filter(pk=user_id).annotate(shouted=F("email")).values_list("shouted", "pk", "first_name")
        ),
        user_id=int,
    )
    user = cast.staff_a
    assert compiled.rows(user_id=user.pk) == [(user.email, user.pk, user.first_name)]


def test_a_queryset_it_cannot_bind_is_refused():
    ignored = CompiledQuery(lambda user_id: User.objects.values_list("pk"), user_id=int)
    with pytest.raises(ValueError, match="user_id"):
        ignored.rows(user_id=1)
    instances = CompiledQuery(lambda user_id: User.objects.filter(pk=user_id), user_id=int)
    with pytest.raises(TypeError, match="values_list"):
        instances.rows(user_id=1)
    with pytest.raises(TypeError, match="ids"):
        CompiledQuery(lambda pks: User.objects.filter(pk__in=pks).values_list("pk"), pks=list).rows(pks=[1])
    with pytest.raises(TypeError, match="user_id"):
        CompiledQuery(lambda user_id: User.objects.filter(pk=user_id).values_list("pk"), user_id=int).rows(pk=1)


def test_the_focus_of_one_child_is_the_focus_read_for_several(cast):
    """active_focus asks the compiled query for one child and the ORM for several: the same answer."""
    conversation = Conversation.objects.create(
        child=cast.child_a, date=days_ago(7), participants="ouders", recorded_by=cast.coach
    )
    Agreement.objects.create(
        conversation=conversation,
        text="Samen kijken",
        who="mentor",
        follow_up=days_ago(-21),
        focus_weeks=4,
        focus_pillars=[PILLARS[1].code],
    )
    one = active_focus([cast.child_a.pk])
    several = active_focus([cast.child_a.pk, cast.child_b.pk])
    assert one == {cast.child_a.pk: several[cast.child_a.pk]}
    assert [p.code for p in one[cast.child_a.pk].pillars] == [PILLARS[1].code]
    assert active_focus([cast.child_b.pk]) == {}


def test_child_access_builds_the_child_as_the_orm_would(cast):
    child = child_access(cast.staff_a, cast.child_a.pk).child
    stored = Child.objects.get(pk=cast.child_a.pk)
    for field in Child._meta.concrete_fields:
        assert getattr(child, field.attname) == getattr(stored, field.attname), field.attname
    assert child.organisation == stored.organisation and child.organisation.name == stored.organisation.name
    assert child._state.adding is False and child._state.db == "default"


def test_the_session_store_reads_a_live_session_and_forgets_an_expired_one(time_machine):
    """staff/sessions.py: Django's database sessions, read by the compiled look-up (a text and a moment)."""
    from django.contrib.sessions.models import Session

    from staff.sessions import SessionStore

    time_machine.move_to(
        datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC), tick=False
    )  # the clocks go forward
    store = SessionStore()
    store["seen"] = "ja"
    store.set_expiry(60)
    store.save()
    key = store.session_key
    assert SessionStore(session_key=key)["seen"] == "ja"
    time_machine.shift(datetime.timedelta(seconds=59))
    assert SessionStore(session_key=key).load() == {"seen": "ja", "_session_expiry": 60}
    time_machine.shift(datetime.timedelta(seconds=2))
    expired = SessionStore(session_key=key)
    assert expired.load() == {} and expired.session_key is None
    assert Session.objects.filter(session_key=key).exists()  # still stored, no longer read
    assert SessionStore(session_key="nosuchkey0123456789").load() == {}


@pytest.mark.django_db(transaction=True)
def test_threads_share_the_sql_and_each_uses_its_own_connection():
    """gunicorn's workers run threads: SQL compiled in one thread runs in another, on that thread's connection."""
    import threading

    from django.db import connections

    from tests import factories as f

    users = [f.make_user(f"draad{n}@example.test", first_name=f"Draad{n}") for n in range(2)]
    compiled = CompiledQuery(
        lambda user_id: User.objects.filter(pk=user_id).values_list("first_name", "date_joined"), user_id=int
    )
    assert compiled.rows(user_id=users[0].pk) == list(
        User.objects.filter(pk=users[0].pk).values_list("first_name", "date_joined")
    )
    found = {}

    def other_thread():
        try:
            found["rows"] = compiled.rows(user_id=users[1].pk)
            found["connection"] = connections["default"]
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert found["rows"] == [("Draad1", users[1].date_joined)]
    assert found["connection"] is not connections["default"]


def test_the_child_pages_reads_are_what_their_querysets_read(cast):
    """The timeline's pages (with and without a pillar, for two viewers), the placements, the
    conversations and the latest ready handout: each compiled call against its queryset's own answer."""
    from children.selectors import _PLACEMENT_LINES, _placement_lines
    from conversations.selectors import _CONVERSATION_LINES, _conversation_lines
    from observations.selectors import TIMELINE_PAGE_SIZE, _timeline_page_query, _timeline_rows
    from observations.services import RatingInput
    from reports.models import PreparedHandout
    from reports.prepared import _LATEST_READY_HANDOUT, _latest_ready_handout
    from tests.observation_factories import make_observation

    for day in range(TIMELINE_PAGE_SIZE + 3):
        pillar = "reunion" if day % 2 else "comfort_seeking"
        make_observation(cast.child_a, cast.staff_a, date=days_ago(day), ratings=[RatingInput(pillar, "typical")])
    conversation = Conversation.objects.create(
        child=cast.child_a, date=days_ago(9), participants="ouders", recorded_by=cast.coach
    )
    Agreement.objects.create(conversation=conversation, text="Samen lezen", who="mentor", follow_up=days_ago(-14))
    moment = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)  # the night the clocks go forward
    for status, ready_at in (("ready", moment), ("ready", moment - datetime.timedelta(days=1)), ("draft", None)):
        PreparedHandout.objects.create(
            child=cast.child_a,
            language="nl",
            content={},
            status=status,
            prepared_by=cast.coach,
            weeks=12,
            period_start=days_ago(84),
            period_end=days_ago(0),
            ready_at=ready_at,
        )
    for child in (cast.child_a, cast.child_b):
        for viewer in (cast.staff_a, cast.coach):
            for number in (1, 2):
                start = (number - 1) * TIMELINE_PAGE_SIZE
                plain = _timeline_page_query(number, by_pillar=False)
                asked = {"child_id": child.pk, "viewer_id": viewer.pk}
                assert plain.rows(**asked) == list(_timeline_rows(start=start, **asked))
                by_pillar = _timeline_page_query(number, by_pillar=True)
                for pillar in ("reunion", "strangers"):
                    expected = list(_timeline_rows(start=start, pillar=pillar, **asked))
                    assert by_pillar.rows(pillar=pillar, **asked) == expected
        assert _PLACEMENT_LINES.rows(child_id=child.pk) == list(_placement_lines(child_id=child.pk))
        assert _CONVERSATION_LINES.rows(child_id=child.pk) == list(_conversation_lines(child_id=child.pk))
        assert _LATEST_READY_HANDOUT.rows(child_id=child.pk) == list(_latest_ready_handout(child_id=child.pk))
    first_page = _timeline_page_query(1, by_pillar=False).rows(child_id=cast.child_a.pk, viewer_id=cast.staff_a.pk)
    assert len(first_page) == TIMELINE_PAGE_SIZE and first_page[0][-1] == TIMELINE_PAGE_SIZE + 3  # the count
    assert _CONVERSATION_LINES.rows(child_id=cast.child_a.pk)[0][-1] == 1  # its one agreement
    (latest,) = _LATEST_READY_HANDOUT.rows(child_id=cast.child_a.pk)
    assert latest[:2] == (PreparedHandout.objects.get(ready_at=moment).pk, moment) and "Coen" in latest
    assert _LATEST_READY_HANDOUT.rows(child_id=cast.child_b.pk) == []
