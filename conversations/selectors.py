"""Reads about parent conversations: plain dataclasses, a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Count,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from children.models import Child
from conversations.models import Agreement, Conversation, focus_end
from observations.pillars import PILLAR_BY_CODE, Pillar
from organisations.calendar import months_cutoff, today
from organisations.compiled import CompiledQuery
from staff.models import User
from staff.scope import AnyUser

# A conversation is "due" this many days before its planned date; the yearly one after 12 months.
DUE_SOON_DAYS = 14
YEARLY_MONTHS = 12


@dataclass(frozen=True)
class Focus:
    """The group watches these pillars of a child until a date (from an agreement)."""

    child_id: int
    pillars: tuple[Pillar, ...]
    until: datetime.date


def _focus_agreements(children_ids: list[int], day: datetime.date) -> QuerySet[Agreement, tuple[Any, ...]]:
    """The agreements with a focus of conversations up to `day` about the children, oldest first, as
    (child id, conversation date, focus weeks, focus pillars): plain values, not agreements with their
    conversations (the ORM would build two model instances a row for the four values read)."""
    return (
        Agreement.objects.filter(conversation__child_id__in=children_ids, conversation__date__lte=day)
        .exclude(focus_pillars=[])
        .order_by("conversation__date", "pk")
        .values_list("conversation__child_id", "conversation__date", "focus_weeks", "focus_pillars")
    )


_FOCUS_OF_CHILD = CompiledQuery(
    lambda child_id, day: _focus_agreements([child_id], day), child_id=int, day=datetime.date
)


def active_focus(children_ids: Iterable[int], day: datetime.date | None = None) -> dict[int, Focus]:
    """{child id: Focus} of the children with an agreement whose focus runs on `day`. One query.
    Several running agreements of one child join their pillars; the latest end wins."""
    day = day or today()
    ids = list(children_ids)
    found: dict[int, Focus] = {}
    # One child (the entry form, on every request): the same query, compiled once.
    agreements = _FOCUS_OF_CHILD.rows(child_id=ids[0], day=day) if len(ids) == 1 else _focus_agreements(ids, day)
    for child_id, conversation_date, focus_weeks, focus_pillars in agreements:
        until = focus_end(conversation_date, focus_weeks)
        if until is None or until < day:
            continue
        before = found.get(child_id)
        codes = [p.code for p in before.pillars] if before else []
        codes += [c for c in focus_pillars if c not in codes and c in PILLAR_BY_CODE]
        found[child_id] = Focus(
            child_id, tuple(PILLAR_BY_CODE[c] for c in codes), max(until, before.until) if before else until
        )
    return found


@dataclass(frozen=True)
class ConversationLine:
    """A conversation as the child page lists it: the agreements themselves are on its own page."""

    pk: int
    date: datetime.date
    participants: str
    next_date: datetime.date | None
    agreement_count: int


def _conversation_lines(*, child_id: int) -> QuerySet[Conversation, tuple[Any, ...]]:
    return (
        Conversation.objects.filter(child_id=child_id)
        .annotate(agreement_count=Count("agreements"))
        .order_by("-date", "-created_at")  # a GROUP BY drops the model's own order
        .values_list("pk", "date", "participants", "next_date", "agreement_count")
    )


# Asked on every child page: compiled once (organisations/compiled.py).
_CONVERSATION_LINES = CompiledQuery(_conversation_lines, child_id=int)


def conversations_of_child(child: Child) -> list[ConversationLine]:
    """The child's conversations, newest first, each with its number of agreements. One query."""
    return [ConversationLine(*row) for row in _CONVERSATION_LINES.rows(child_id=child.pk)]


def group_agreements_of_child(child: Child) -> list[Agreement]:
    """The agreements meant for the group's staff (no parents' words), newest conversation first."""
    return list(
        Agreement.objects.filter(conversation__child=child, for_group=True)
        .select_related("conversation")
        .order_by("-conversation__date", "follow_up", "pk")
    )


def readable_conversation(user: AnyUser, pk: int, *, recorded_by_user: bool = False) -> Conversation | None:
    """The conversation, if the user may read it (and, with `recorded_by_user`, recorded it: only the
    person who recorded a conversation changes it)."""
    conversations = Conversation.objects.filter(pk=pk, child__in=Child.objects.conversations_readable_by(user))
    if recorded_by_user:
        conversations = conversations.filter(recorded_by_id=getattr(user, "pk", None))
    return (
        conversations.select_related("child", "recorded_by")
        .prefetch_related(Prefetch("agreements", queryset=Agreement.objects.order_by("follow_up", "pk")))
        .first()
    )


def last_conversation_dates(children_ids: Iterable[int]) -> dict[int, datetime.date]:
    """{child id: date of the last conversation}. One query."""
    rows = (
        Conversation.objects.filter(child_id__in=list(children_ids))
        .values("child_id")
        .annotate(last=Max("date"))
        .values_list("child_id", "last")
    )
    return dict(rows)


def parents_recognised_rows(
    children_ids: Iterable[int], start: datetime.date, end: datetime.date
) -> QuerySet[Conversation, tuple[int, str]]:
    """(child id, pillar code) for every pillar the parents recognised in a conversation dated `start` to
    `end`: their own view of the child, a second view beside the observers' (reports/patterns.py). A
    queryset, so that a report reads it in the same query as its figures (reports/figures.py)."""
    # `child_id = ANY(%s)` with the ids as ONE array parameter: a home page's thousand children are not a
    # thousand parameters for Django and psycopg to build one by one.
    ids = Value(sorted(set(children_ids)), output_field=ArrayField(BigIntegerField()))
    return (
        Conversation.objects.filter(
            Func(F("child_id"), ids, arg_joiner=" = ANY(", template="%(expressions)s)", output_field=BooleanField()),
            date__gte=start,
            date__lte=end,
            parents_recognise__len__gt=0,
        )
        .annotate(recognised=Func(F("parents_recognise"), function="unnest", output_field=CharField()))
        .values_list("child_id", "recognised")
    )


def last_conversation_date(child: Child, *, until: datetime.date | None = None) -> datetime.date | None:
    """The date of the child's last conversation (on or before `until`, if given)."""
    conversations = Conversation.objects.filter(child=child)
    if until is not None:
        conversations = conversations.filter(date__lte=until)
    last: datetime.date | None = conversations.aggregate(last=Max("date"))["last"]
    return last


@dataclass(frozen=True)
class FollowUp:
    """What needs the user's attention: planned conversations coming up or past, agreements to look back on."""

    conversations_due: list[Conversation]
    agreements_due: list[Agreement]

    def __bool__(self) -> bool:
        return bool(self.conversations_due or self.agreements_due)

    @property
    def children(self) -> list[Child]:
        """The children whose conversations or agreements the list shows (for the access log)."""
        shown = [c.child for c in self.conversations_due] + [a.conversation.child for a in self.agreements_due]
        return list({child.pk: child for child in shown}.values())


def follow_up_for(user: User, day: datetime.date | None = None) -> FollowUp:
    """For a coach or mentor: the last conversation of each of their children whose planned next
    conversation falls within DUE_SOON_DAYS (or passed), and agreements past their look-back date
    that nobody looked back on. Two queries."""
    day = day or today()
    children: QuerySet[Child] = Child.objects.conversations_recordable_by(user)
    # The last conversation of each child, read from the end of the child's conversations by date
    # (index conversation_child_date), not from all conversations the children ever had.
    last = Conversation.objects.filter(child_id=OuterRef("pk")).order_by("-date", "-pk").values("pk")[:1]
    latest = children.annotate(last_conversation=Subquery(last)).values("last_conversation")
    due = [
        c
        for c in Conversation.objects.filter(pk__in=latest)
        .filter(next_date__isnull=False, next_date__lte=day + datetime.timedelta(days=DUE_SOON_DAYS))
        .select_related("child")
        .order_by("next_date")
    ]
    agreements = list(
        Agreement.objects.filter(Q(conversation__child__in=children), follow_up__lt=day, followed_up_at__isnull=True)
        .select_related("conversation__child")
        .order_by("follow_up", "pk")
    )
    return FollowUp(due, agreements)


def is_yearly_conversation_missing(last: datetime.date | None, day: datetime.date) -> bool:
    """Mentors talk with the parents of each mentor child at least once a year: missing when the last
    conversation lies more than 12 months before `day` (calendar months: on 1 March 2028 a conversation
    of 1 March 2027 is not missing, the leap day makes that year 366 days)."""
    return last is None or last < months_cutoff(day, YEARLY_MONTHS)
