"""Reads for the location, group and child pages: each returns plain lists with a
fixed number of queries, so templates never query."""

import datetime

from django.db.models import Prefetch

from children.models import Child, Mentorship, Placement
from organisations.calendar import today
from organisations.models import Group


def with_current_mentor(children_qs):
    """Prefetch each child's open mentorship as `child.current_mentors` (a list)."""
    return children_qs.prefetch_related(
        Prefetch(
            "mentorships",
            queryset=Mentorship.objects.filter(end_date__isnull=True).select_related("mentor"),
            to_attr="current_mentors",
        )
    )


def current_mentor(child):
    mentors = getattr(child, "current_mentors", None)
    if mentors is None:
        mentors = list(child.mentorships.filter(end_date__isnull=True).select_related("mentor"))
    return mentors[0].mentor if mentors else None


def children_placed_in_group(group: Group, day: datetime.date | None = None) -> list[Child]:
    """The children placed in `group` on `day` (default today), with their mentor."""
    day = day or today()
    placed = Child.objects.placed_on(day, groups=[group]).order_by("first_name", "last_name")
    children = list(with_current_mentor(placed))
    for child in children:
        child.mentor = current_mentor(child)
        child.age = child.age_label(day)
    return children


def placements_of_child(child: Child) -> list[Placement]:
    return list(child.placements.select_related("group__location").order_by("-start_date"))


def mentorships_of_child(child: Child) -> list[Mentorship]:
    return list(child.mentorships.select_related("mentor").order_by("-start_date"))
