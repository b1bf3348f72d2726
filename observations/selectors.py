"""Reads for the day view, the timeline, the mentor list and an entry's history.

Each function returns plain lists (or small dataclasses) and runs a fixed number
of queries, whatever the number of children or observations.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q

from children.models import Child
from children.selectors import current_mentor, with_current_mentor
from observations.choices import Circumstance, Situation
from observations.models import Observation, PillarRating
from observations.pillars import PILLAR_BY_CODE, rating_label
from organisations.calendar import today, week_of
from organisations.models import Group

TIMELINE_PAGE_SIZE = 20


def _with_observation_figures(children_qs, day: datetime.date):
    """Annotate `week_count` (entries in the ISO week of `day`) and `last_observed`."""
    week = week_of(day)
    active = Q(observations__removed_at__isnull=True)
    return children_qs.annotate(
        week_count=Count(
            "observations",
            filter=active & Q(observations__date__gte=week.start, observations__date__lte=week.end),
        ),
        last_observed=Max("observations__date", filter=active),
    )


def _mark_stale(child, day: datetime.date) -> None:
    child.days_since = (day - child.last_observed).days if child.last_observed else None
    child.is_stale = child.days_since is None or child.days_since >= settings.OBSERVATION_STALE_DAYS


def group_day_view(group: Group, day: datetime.date | None = None) -> list[Child]:
    """The children placed in `group` on `day` (default today), each with its mentor,
    `week_count`, `last_observed` and `is_stale`. Two queries."""
    day = day or today()
    placed = Child.objects.placed_on(day, groups=[group]).order_by("first_name", "last_name")
    children = list(with_current_mentor(_with_observation_figures(placed, day)))
    for child in children:
        child.mentor = current_mentor(child)
        child.age = child.age_label(day)
        _mark_stale(child, day)
    return children


def next_child_in_group(group: Group, after: Child, day: datetime.date | None = None) -> Child | None:
    """The child after `after` in the day view's order (for "save and next child")."""
    placed = list(
        Child.objects.placed_on(day or today(), groups=[group]).order_by("first_name", "last_name", "pk").only("pk")
    )
    ids = [c.pk for c in placed]
    if after.pk not in ids:
        return None
    index = ids.index(after.pk)
    return placed[index + 1] if index + 1 < len(placed) else None


def mentor_children(user) -> list[Child]:
    """The children `user` mentors (open mentorship) and may read, with figures. One query."""
    day = today()
    children = (
        Child.objects.observable_by(user)
        .filter(mentorships__mentor=user, mentorships__end_date__isnull=True)
        .order_by("first_name", "last_name")
    )
    children = list(_with_observation_figures(children, day))
    for child in children:
        child.age = child.age_label(day)
        _mark_stale(child, day)
    return children


def _with_details(observations_qs):
    return observations_qs.select_related("observer", "group").prefetch_related(
        Prefetch("ratings", queryset=PillarRating.objects.order_by("id"))
    )


def decorate(observation: Observation, pillar_order: dict[str, int] | None = None) -> Observation:
    """Attach display helpers (no queries): sorted ratings with their pillar."""
    order = pillar_order or {code: i for i, code in enumerate(PILLAR_BY_CODE)}
    observation.sorted_ratings = sorted(observation.ratings.all(), key=lambda r: order[r.pillar])
    return observation


@dataclass
class Timeline:
    page: Page
    observations: list[Observation]
    pillar: str | None


def child_timeline(child: Child, *, pillar: str | None = None, page_number=1) -> Timeline:
    """The child's observations, newest first, paginated, optionally only those rating `pillar`.
    Three queries: count, page, ratings."""
    if pillar not in PILLAR_BY_CODE:
        pillar = None
    qs = Observation.objects.active().filter(child=child).order_by("-date", "-created_at", "-pk")
    if pillar:
        qs = qs.filter(ratings__pillar=pillar)
    paginator = Paginator(_with_details(qs), TIMELINE_PAGE_SIZE)
    page = paginator.get_page(page_number)
    observations = [decorate(o) for o in page.object_list]
    return Timeline(page=page, observations=observations, pillar=pillar)


def observation_for_reader(user, pk: int) -> Observation | None:
    return _with_details(Observation.objects.visible_to(user).select_related("child")).filter(pk=pk).first()


@dataclass
class Change:
    when: datetime.datetime
    who: str
    what: str  # "created", "changed", "removed"
    subject: str  # the observation, or a pillar's name
    changes: list[tuple[str, str, str]]  # (field label, before, after)


def _display(field: str, value) -> str:
    if value in (None, "", []):
        return "–"
    if field == "situation":
        return str(dict(Situation.choices).get(value, value))
    if field == "circumstances":
        labels = dict(Circumstance.choices)
        return ", ".join(str(labels.get(c, c)) for c in value)
    if field == "value":
        return rating_label(value)
    if field == "date":
        return value.strftime("%d-%m-%Y")
    if field == "group":
        return str(value)
    if field == "removed_at":
        return value.strftime("%d-%m-%Y %H:%M")
    return str(value)


OBSERVATION_FIELDS = ("date", "group", "situation", "circumstances", "note", "removed_at")
RATING_FIELDS = ("value", "note")


def observation_history(observation: Observation) -> list[Change]:
    """Every save of the observation and its ratings, oldest first: who, when, before and after."""
    from django.utils.translation import gettext as _

    labels = {
        "date": _("date"),
        "group": _("group"),
        "situation": _("moment"),
        "circumstances": _("circumstances"),
        "note": _("note"),
        "removed_at": _("removed"),
        "value": _("rating"),
    }
    entries: list[Change] = []
    records = list(observation.history.select_related("history_user", "group").order_by("history_date", "history_id"))
    previous = None
    for record in records:
        who = record.history_user.display_name if record.history_user else _("system")
        if previous is None:
            entries.append(Change(record.history_date, who, "created", _("observation"), []))
        else:
            changes = [
                (labels[f], _display(f, getattr(previous, f)), _display(f, getattr(record, f)))
                for f in OBSERVATION_FIELDS
                if getattr(previous, f) != getattr(record, f)
            ]
            if changes:
                what = "removed" if record.removed_at and not previous.removed_at else "changed"
                entries.append(Change(record.history_date, who, what, _("observation"), changes))
        previous = record
    rating_records = list(
        PillarRating.history.filter(observation_id=observation.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    last_by_pillar: dict[str, object] = {}
    # Ratings saved before the observation's first change belong to its creation.
    first_change = records[1].history_date if len(records) > 1 else None
    for record in rating_records:
        who = record.history_user.display_name if record.history_user else _("system")
        name = str(PILLAR_BY_CODE[record.pillar].name)
        before = last_by_pillar.get(record.pillar)
        if record.history_type == "+":
            if before is not None or (first_change is not None and record.history_date >= first_change):
                entries.append(
                    Change(
                        record.history_date, who, "changed", name, [(labels["value"], "–", rating_label(record.value))]
                    )
                )
        elif record.history_type == "-":
            entries.append(
                Change(record.history_date, who, "changed", name, [(labels["value"], rating_label(record.value), "–")])
            )
        elif before is not None:
            changes = [
                (labels[f], _display(f, getattr(before, f)), _display(f, getattr(record, f)))
                for f in RATING_FIELDS
                if getattr(before, f) != getattr(record, f)
            ]
            if changes:
                entries.append(Change(record.history_date, who, "changed", name, changes))
        last_by_pillar[record.pillar] = record
    entries.sort(key=lambda c: c.when)
    return entries
