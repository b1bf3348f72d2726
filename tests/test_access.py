"""One access answer per child (children/access.py) and the other answers in one module (staff/access.py).

`child_access(user, child_id)` reads the child and every capability on it in one query, from the
same rules the Child queryset filters with; the child page, the summary, its PDFs and the
conversation pages ask it. Everything else (export a location, the access log, the PIN page, the
home page's sections, the navigation) is `user_access(user)`, decided by what the roles allow.
"""

import dataclasses
import datetime

import pytest
import time_machine
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from children.access import child_access
from children.models import Child, Mentorship, Placement
from children.selectors import current_mentor
from conversations.models import Conversation
from organisations.calendar import today
from staff.access import user_access
from staff.models import ROLE_RULES, Role, User
from tests import factories as f
from tests.observation_factories import days_ago, make_observation
from tests.test_conversations import record

pytestmark = pytest.mark.django_db


def _children(cast):
    return {"child_a": cast.child_a, "child_b": cast.child_b, "child_c": cast.child_c, "other": cast.other_child}


def _fresh(user):
    """The user as a new request sees it (the scope is cached on the user object)."""
    return User.objects.get(pk=user.pk)


def test_each_answer_is_the_querysets_rule_for_every_user_and_child(cast):
    superuser = f.make_user("root@example.test", is_superuser=True, is_staff=True)
    for name, user in {**cast.everyone, "superuser": superuser}.items():
        for child_name, child in _children(cast).items():
            where = f"{name} on {child_name}"
            if not Child.objects.visible_to(user).filter(pk=child.pk).exists():
                with pytest.raises(Http404):
                    child_access(user, child.pk)
                continue
            access = child_access(user, child.pk)
            assert access.child == child, where
            assert access.may_read_observations == Child.objects.observable_by(user).filter(pk=child.pk).exists()
            assert access.may_log == Child.objects.loggable_by(user).filter(pk=child.pk).exists(), where
            assert (
                access.may_read_conversations
                == Child.objects.conversations_readable_by(user).filter(pk=child.pk).exists()
            ), where
            assert (
                access.may_record_conversation
                == Child.objects.conversations_recordable_by(user).filter(pk=child.pk).exists()
            ), where
            assert access.may_export == access.may_read_observations, where


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # (reads observations, logs, reads conversations, records a conversation)
        ("staff_a", (True, True, True, True)),  # the group's staff and the child's mentor
        ("manager", (True, False, True, False)),
        ("coach", (True, False, True, True)),
        ("admin", (False, False, False, False)),  # sees the child's facts, manages its record
    ],
)
def test_what_each_role_may_do_with_the_child_of_group_a(cast, who, expected):
    access = child_access(getattr(cast, who), cast.child_a.pk)
    assert (
        access.may_read_observations,
        access.may_log,
        access.may_read_conversations,
        access.may_record_conversation,
    ) == expected


def test_a_staff_member_who_is_not_the_mentor_reads_no_parents_words(cast):
    colleague = f.make_user("colleague@example.test")
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    access = child_access(colleague, cast.child_a.pk)
    assert access.may_read_observations and access.may_log
    assert not access.may_read_conversations and not access.may_record_conversation


@pytest.mark.parametrize("who", ["staff_b", "other_admin"])
def test_outsiders_and_unknown_children_get_a_404(cast, who):
    with pytest.raises(Http404):
        child_access(getattr(cast, who), cast.child_a.pk)
    with pytest.raises(Http404):
        child_access(cast.staff_a, cast.other_child.pk + 1000)
    with pytest.raises(Http404):
        child_access(None, cast.child_a.pk)


def test_every_answer_on_a_child_is_one_query(cast, django_assert_num_queries):
    user = _fresh(cast.coach)
    user_access(user)  # the memberships, read once per request
    with django_assert_num_queries(1):
        access = child_access(user, cast.child_a.pk)
    with django_assert_num_queries(0):
        assert access.child.organisation == cast.org
        assert current_mentor(access.child) == cast.staff_a  # read with the child


def test_the_query_compiled_once_reads_each_placement_and_mentor_as_it_is_now(cast):
    """child_access runs SQL compiled once (children/access.py `_ACCESS_ROW`, organisations/compiled.py):
    the SQL is kept, never its rows. A placement that ends, a new mentor and the next day are seen at once."""
    child = cast.child_a
    assert child_access(_fresh(cast.staff_a), child.pk).may_log
    Mentorship.objects.filter(child=child).update(end_date=today())
    Mentorship.objects.create(child=child, mentor=cast.staff_b, start_date=today())
    assert current_mentor(child_access(_fresh(cast.staff_a), child.pk).child) == cast.staff_b
    Placement.objects.filter(child=child).update(end_date=today() - datetime.timedelta(days=1))
    with pytest.raises(Http404):
        child_access(_fresh(cast.staff_a), child.pk)
    Placement.objects.create(child=child, group=cast.group_a, start_date=today() + datetime.timedelta(days=1))
    with pytest.raises(Http404):
        child_access(_fresh(cast.staff_a), child.pk)
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        assert child_access(_fresh(cast.staff_a), child.pk).may_log


# Before: 16 queries, five of them separate checks of one child (visible, observable, loggable,
# conversations readable, conversations recordable); then 12. Now 8: session, user, memberships, the
# child with its mentor and its rights, placements, the timeline's page (with each observation's
# ratings and the number of observations), the conversations (with their number of agreements), and
# the access-log row. 9 since the latest handout handed to the parents is named at the top (issue 21).
CHILD_PAGE_QUERIES = 9


@pytest.mark.parametrize("who", ["staff_a", "manager", "coach"])
def test_the_child_page_runs_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries, who):
    """For the child's mentor (group staff), the location's manager and its coach: all three read the
    observations and the parent conversations."""
    for day in range(1, 4):
        make_observation(cast.child_a, cast.staff_a, date=days_ago(day))
    assert record(client_for(cast.coach), cast.child_a).status_code == 302
    for day in (90, 30, 60):  # three earlier conversations, without agreements
        Conversation.objects.create(
            child=cast.child_a, date=days_ago(day), participants=f"{day}", recorded_by=cast.coach
        )
    client = client_for(getattr(cast, who))
    with django_assert_num_queries(CHILD_PAGE_QUERIES):
        response = client.get(reverse("child_detail", args=[cast.child_a.pk]))
    assert response.status_code == 200
    conversations = response.context["conversations"]
    assert [c.participants for c in conversations[1:]] == ["30", "60", "90"]  # newest first
    assert [c.agreement_count for c in conversations] == [2, 0, 0, 0]
    assert len(response.context["timeline"].entries) == 3
    page = response.content.decode()
    assert response.context["mentor"] == cast.staff_a and "Anna" in page  # the mentor, read with the child
    assert "2 afspraken" in page and "Groep A" in page  # the agreements counted, the placements


# --- everything else: staff/access.py --------------------------------------------------------


def test_the_answers_beyond_one_child_follow_the_roles_capabilities(cast):
    answers = {name: user_access(user) for name, user in cast.everyone.items()}
    assert {n for n, a in answers.items() if a.may_export(cast.location1)} == {"manager", "coach"}
    assert {n for n, a in answers.items() if a.may_export(cast.location2)} == {"coach"}
    assert {n for n, a in answers.items() if a.may_read_access_log} == {"admin", "other_admin"}
    assert {n for n, a in answers.items() if a.may_set_pin} == {"staff_a", "staff_b"}
    assert answers["manager"].managed_location_ids == {cast.location1.pk}
    assert answers["manager"].coached_location_ids == set()
    assert answers["coach"].managed_location_ids == set()
    assert answers["coach"].coached_location_ids == {cast.location1.pk, cast.location2.pk}
    assert answers["staff_a"].reads_observations_in(cast.group_a)
    assert not answers["staff_a"].reads_observations_in(cast.group_b)


def test_roles_are_data_a_coach_who_links_tablets_finds_their_locations_under_managed(cast, monkeypatch):
    """The home page's sections follow what a role may do (ROLE_RULES), not the role's name."""
    monkeypatch.setitem(ROLE_RULES, Role.COACH, dataclasses.replace(ROLE_RULES[Role.COACH], registers_tablets=True))
    access = user_access(_fresh(cast.coach))
    assert access.managed_location_ids == {cast.location1.pk, cast.location2.pk}
    assert access.coached_location_ids == set()


def test_the_pages_navigation_frames_the_login_and_error_pages_too(cast, client, client_for):
    """base.html names no page; the pages' section (pages/base.html) adds the navigation everywhere."""
    login_page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("privacy_statement")}"' in login_page
    page = client_for(cast.staff_a).get(reverse("password_change")).content.decode()
    for name in ("home", "mentor_children", "pin_settings", "privacy_statement"):
        assert f'href="{reverse(name)}"' in page, name
    missing = client_for(cast.manager).get("/bestaat-niet/").content.decode()
    assert f'href="{reverse("home")}"' in missing and 'href="/mijn-pincode/"' not in missing
