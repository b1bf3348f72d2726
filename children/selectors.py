"""Reads about children for the pages: plain dataclasses, a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from children.models import Child, Mentorship, Placement
from organisations.calendar import today
from organisations.compiled import CompiledQuery
from organisations.models import Group
from organisations.rows import json_row, loaded
from staff.models import User

# The mentor's columns read with the child: what the pages show of a mentor (`display_name`).
MENTOR_COLUMNS = ("id", "first_name", "last_name", "email")


def with_current_mentor(children_qs: QuerySet[Child]) -> QuerySet[Child]:
    """Prefetch each child's open mentorship as `child.current_mentors` (a list)."""
    return children_qs.prefetch_related(
        Prefetch(
            "mentorships",
            queryset=Mentorship.objects.current().select_related("mentor"),
            to_attr="current_mentors",
        )
    )


def with_current_mentor_column(children_qs: QuerySet[Child]) -> QuerySet[Child]:
    """Read each child's open mentorship's mentor in the children's own query, as the column
    `current_mentor_row` (a JSON object of MENTOR_COLUMNS, or NULL): for one child (`child_access`),
    where a prefetch would cost a second query."""
    mentorship = Mentorship.objects.current().filter(child=OuterRef("pk"))
    return children_qs.annotate(
        current_mentor_row=Subquery(mentorship.values(row=json_row(*MENTOR_COLUMNS, through="mentor__"))[:1])
    )


def current_mentor(child: Child) -> User | None:
    """The child's mentor today: no query when the child was read `with_current_mentor_column` or
    with `with_current_mentor`, one otherwise."""
    if hasattr(child, "current_mentor_row"):
        row = child.current_mentor_row
        return loaded(User, row) if row else None
    mentors: list[Mentorship] | None = getattr(child, "current_mentors", None)
    if mentors is None:
        mentors = list(Mentorship.objects.current().filter(child=child).select_related("mentor"))
    return mentors[0].mentor if mentors else None


@dataclass(frozen=True)
class PlacedChild:
    """A child placed in a group, as the group page lists it for those who do not read observations."""

    child: Child
    age: str
    mentor: User | None


def children_placed_in_group(group: Group, day: datetime.date | None = None) -> list[PlacedChild]:
    """The children placed in `group` on `day` (default today), with age and mentor. Two queries."""
    day = day or today()
    placed = Child.objects.placed_on(day, groups=[group]).order_by("first_name", "last_name")
    return [PlacedChild(c, c.age_label(day), current_mentor(c)) for c in with_current_mentor(placed)]


@dataclass(frozen=True)
class PlacementLine:
    """A placement as the child page lists it."""

    group_name: str
    location_name: str
    start_date: datetime.date
    end_date: datetime.date | None


def _placement_lines(*, child_id: int) -> QuerySet[Placement, tuple[Any, ...]]:
    return (
        Placement.objects.filter(child_id=child_id)
        .order_by("-start_date", "-pk")
        .values_list("group__name", "group__location__name", "start_date", "end_date")
    )


# Asked on every child page: compiled once (organisations/compiled.py).
_PLACEMENT_LINES = CompiledQuery(_placement_lines, child_id=int)


def placements_of_child(child: Child) -> list[PlacementLine]:
    """The child's placements, the latest start first. One query."""
    return [PlacementLine(*row) for row in _PLACEMENT_LINES.rows(child_id=child.pk)]
