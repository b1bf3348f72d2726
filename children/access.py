"""One access answer per child: `child_access(user, child_id)` reads the child, its mentor today
(children/selectors.py `current_mentor`) and its groups of today in ONE query, and decides everything
the user may do with it by the rules the Child queryset filters with (children/models.py `ChildRules`,
built from staff/access.py: `held_for`, their spelling for one child in hand). The child page, the
summary and its PDFs, the conversation pages and the entry form ask it; nothing else fetches a child
by id for a view.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, QuerySet
from django.db.models.functions import JSONObject
from django.http import Http404

from children.models import Child, ChildRules, Placement
from children.selectors import with_current_mentor_column
from organisations.calendar import today
from organisations.compiled import CompiledQuery
from organisations.models import Organisation
from organisations.rows import columns_of, made
from staff.scope import AnyUser, GroupPlace


@dataclass(frozen=True)
class ChildAccess:
    """What one user may do with one child they may see (its basic facts: name, age, placements)."""

    child: Child
    may_read_observations: bool  # the timeline, the summary over the weeks
    may_log: bool  # log an observation
    may_read_conversations: bool  # the parent conversations, the parents' words included
    may_record_conversation: bool  # record a parent conversation

    @property
    def may_export(self) -> bool:
        """Download the summary PDF and the parent handout: whoever reads the observations."""
        return self.may_read_observations


# The child's groups of today, each with its location and organisation: where its rights are decided.
PLACE_COLUMNS = {
    "group_id": "group_id",
    "location_id": "group__location_id",
    "organisation_id": "group__location__organisation_id",
}


def _with_places_on(children_qs: QuerySet[Child], day: datetime.date) -> QuerySet[Child]:
    """Annotate `places_today`: the groups each child is placed in on `day`, as JSON objects of
    PLACE_COLUMNS (read in the children's own query)."""
    placements = Placement.objects.running_on(day).filter(child=OuterRef("pk")).order_by("group_id")
    return children_qs.annotate(places_today=ArraySubquery(placements.values(row=JSONObject(**PLACE_COLUMNS))))


def _access_row(child_id: int, day: datetime.date) -> QuerySet[Child, tuple[Any, ...]]:
    """The child with its groups of `day`, its mentor and its organisation, as one row of values.
    Nothing in it is about a user; the user's rights are decided on the row (`ChildRules.held_for`)."""
    with_places = _with_places_on(with_current_mentor_column(Child.objects.filter(pk=child_id)), day)
    return with_places.values_list(
        *columns_of(Child),
        "current_mentor_row",
        "places_today",
        *(f"organisation__{column}" for column in columns_of(Organisation)),
    )


# Asked by every child page, summary and entry form: the ORM takes longer to build these annotations
# than PostgreSQL takes to run the query, so it is compiled once (organisations/compiled.py).
_ACCESS_ROW = CompiledQuery(_access_row, child_id=int, day=datetime.date)


def _child_of(row: tuple[Any, ...]) -> Child:
    """The child `_access_row` read, as if read by the ORM: with `current_mentor_row`, `places_today`
    and its organisation."""
    n = len(columns_of(Child))
    child = made(Child, row[:n])
    child.current_mentor_row, child.places_today = row[n], row[n + 1]  # type: ignore[attr-defined]
    child.organisation = made(Organisation, row[n + 2 :])
    return child


def places_today(child: Child) -> list[GroupPlace] | None:
    """The groups the child is placed in today, as `child_access` read them with the child (None for a
    child read otherwise)."""
    rows: list[dict[str, int]] | None = getattr(child, "places_today", None)
    return None if rows is None else [GroupPlace(**row) for row in rows]


def child_access(user: AnyUser, child_id: int) -> ChildAccess:
    """The child, its mentor today and the user's rights on it, in one query: the child with its groups
    of today and its mentor, the rights decided on them by `ChildRules.held_for` (the same rules the
    Child queryset filters with). Http404 when the child does not exist or the user may not see it:
    an outsider cannot tell "not yours" from "does not exist"."""
    rows = _ACCESS_ROW.rows(child_id=child_id, day=today())
    if not rows:
        raise Http404
    row = _child_of(rows[0])
    places = places_today(row) or []
    mentor = row.current_mentor_row  # type: ignore[attr-defined]  # annotated
    held = ChildRules.of(user).held_for(row.organisation_id, places, mentor["id"] if mentor else None)
    if not held.visible:
        raise Http404
    return ChildAccess(
        child=row,
        may_read_observations=held.observable,
        may_log=held.loggable,
        may_read_conversations=held.conversations_readable,
        may_record_conversation=held.conversations_recordable,
    )
