"""Reads for the day view, the timeline, the mentor list and an entry's history.

Each function returns plain lists (or small dataclasses) and runs a fixed number
of queries, whatever the number of children or observations.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce

from children.models import Child, Mentorship
from children.selectors import MENTOR_COLUMNS, current_mentor, with_current_mentor
from observations.choices import Circumstance, Situation
from observations.models import DuoObservation, Observation, PillarRating
from observations.pillars import PILLAR_BY_CODE, PILLARS, Pillar, rating_label
from observations.recency import LastObserved, last_observed, last_observed_date
from organisations.calendar import numeric_date, numeric_moment, today, week_of
from organisations.compiled import CompiledQuery
from organisations.labels import choice_label, choice_labels
from organisations.models import Group
from organisations.rows import columns_of, json_row, loaded, made
from staff.models import User

TIMELINE_PAGE_SIZE = 20
TIMELINE_PAGES_AT_MOST = 100_000  # a number above it (a typed link) is past the last page: no row number overflows


@dataclass(frozen=True)
class ChildRow:
    """A child on the group's day view or the mentor list: entries this week and when last observed."""

    child: Child
    age: str
    mentor: User | None
    week_count: int  # observations in the ISO week of the day
    last: LastObserved


def entry_count(start: datetime.date, end: datetime.date, child: str = "pk") -> Coalesce:
    """An expression for a queryset: the child's observations that were not removed, dated `start`
    to `end`. `child` names the field holding the child's id ("pk" on Child). Counted per child in
    the partial index of live observations by child and date: the rows of the window, never the
    child's whole history."""
    in_window = (
        Observation.objects.filter(child_id=OuterRef(child), removed_at__isnull=True, date__gte=start, date__lte=end)
        .order_by()
        .values("child_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(in_window, output_field=IntegerField()), 0)


def _with_observation_figures(children_qs: QuerySet[Child], day: datetime.date) -> QuerySet[Child]:
    """Annotate `week_count` (entries in the ISO week of `day`) and `last_observed`."""
    week = week_of(day)
    return children_qs.annotate(week_count=entry_count(week.start, week.end), last_observed=last_observed_date())


def _row(child: Child, day: datetime.date, mentor: User | None) -> ChildRow:
    return ChildRow(
        child=child,
        age=child.age_label(day),
        mentor=mentor,
        week_count=child.week_count,  # type: ignore[attr-defined]  # annotated above
        last=last_observed(child.last_observed, day=day),  # type: ignore[attr-defined]
    )


def group_day_view(group: Group, day: datetime.date | None = None) -> list[ChildRow]:
    """The children placed in `group` on `day` (default today), each with its mentor, entries
    this week and when last observed. Two queries."""
    day = day or today()
    placed = Child.objects.placed_on(day, groups=[group]).order_by("first_name", "last_name")
    return [_row(c, day, current_mentor(c)) for c in with_current_mentor(_with_observation_figures(placed, day))]


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


def mentor_children(user: User) -> list[ChildRow]:
    """The children `user` mentors (open mentorship) and may read, with figures. One query."""
    day = today()
    children = (
        Child.objects.observable_by(user)
        .filter(id__in=Mentorship.objects.current().filter(mentor=user).values("child_id"))
        .order_by("first_name", "last_name")
    )
    return [_row(c, day, user) for c in _with_observation_figures(children, day)]


def _with_details(observations_qs: QuerySet[Observation]) -> QuerySet[Observation]:
    return observations_qs.select_related("observer", "group").prefetch_related(
        Prefetch("ratings", queryset=PillarRating.objects.order_by("id"))
    )


RATING_COLUMNS = ("pillar", "value", "note")  # a rating as its line on the card shows it


def _with_rating_rows(observations_qs: QuerySet[Observation]) -> QuerySet[Observation]:
    """Read each observation's ratings in the observations' own query: `rating_rows`, an array of
    JSON objects of RATING_COLUMNS (at most one rating per pillar; the card puts them in pillar order)."""
    ratings = PillarRating.objects.filter(observation=OuterRef("pk")).order_by("id")
    return observations_qs.annotate(rating_rows=ArraySubquery(ratings.values(row=json_row(*RATING_COLUMNS))))


PILLAR_ORDER = {pillar.code: index for index, pillar in enumerate(PILLARS)}


@dataclass(frozen=True)
class RatingLine:
    """One rating as the observation's card shows it."""

    pillar: str  # the pillar's code
    pillar_name: str
    value: int
    label: str  # rating_label: 'passend', or the pole and its strength
    note: str

    @classmethod
    def of(cls, pillar: str, value: int, note: str) -> RatingLine:
        info = PILLAR_BY_CODE.get(pillar)
        if info is None:  # a pillar no longer defined keeps its code readable
            return cls(pillar, pillar, value, str(value), note)
        return cls(pillar, str(info.name), value, rating_label(info, value), note)


def _in_pillar_order(lines: Iterable[RatingLine]) -> tuple[RatingLine, ...]:
    return tuple(sorted(lines, key=lambda line: PILLAR_ORDER.get(line.pillar, len(PILLAR_ORDER))))


@dataclass(frozen=True)
class TimelineEntry:
    """One observation as its card shows it (the timeline, its own page, the removal page): plain
    values, labels already in the active language, so the card reads each with one look-up."""

    pk: int
    date: datetime.date
    situation_label: str
    observer_name: str
    circumstance_labels: list[str]
    note: str
    ratings: tuple[RatingLine, ...]  # in the order of the pillars

    @classmethod
    def of(cls, observation: Observation) -> TimelineEntry:
        """From an observation with its observer and ratings read (`_with_details`; no queries)."""
        return cls(
            pk=observation.pk,
            date=observation.date,
            situation_label=choice_label(Situation, observation.situation),
            observer_name=observation.observer.display_name,
            circumstance_labels=observation.get_circumstances_display(),
            note=observation.note,
            ratings=_in_pillar_order(RatingLine.of(r.pillar, r.value, r.note) for r in observation.ratings.all()),
        )

    @classmethod
    def of_row(cls, row: tuple[Any, ...]) -> TimelineEntry:
        """From a row of `_timeline_rows` (no queries)."""
        pk, date, situation, circumstances, note, first_name, last_name, email, rating_rows = row[:9]
        return cls(
            pk=pk,
            date=date,
            situation_label=choice_label(Situation, situation),
            observer_name=User.display_name_of(first_name, last_name, email),
            circumstance_labels=choice_labels(Circumstance, circumstances),
            note=note,
            ratings=_in_pillar_order(RatingLine.of(r["pillar"], r["value"], r["note"]) for r in rating_rows),
        )


@dataclass(frozen=True)
class Timeline:
    page: Page[TimelineEntry]
    entries: list[TimelineEntry]
    pillar: str | None


def hidden_by_pending_duo(viewer_id: int) -> Exists:
    """True for an observation the viewer (`viewer_id`) may not see yet: the viewer and its observer
    were planned a duo-observation of that child on that day, and the viewer has not saved one of
    theirs yet."""
    viewer_saved = Observation.objects.active().filter(
        child_id=OuterRef("child_id"), date=OuterRef("planned_date"), observer_id=viewer_id
    )
    return Exists(
        DuoObservation.objects.filter(child_id=OuterRef("child_id"), planned_date=OuterRef("date"))
        .filter(
            Q(staff_a_id=viewer_id, staff_b_id=OuterRef("observer_id"))
            | Q(staff_b_id=viewer_id, staff_a_id=OuterRef("observer_id"))
        )
        .exclude(Exists(viewer_saved))
    )


def _pending_duos(user_id: int, day: datetime.date) -> QuerySet[DuoObservation]:
    """The duo-observations of `user_id` from `day` on for which they have not saved an observation
    of the child that day yet."""
    saved = Observation.objects.active().filter(
        child_id=OuterRef("child_id"), date=OuterRef("planned_date"), observer_id=user_id
    )
    mine = Q(staff_a_id=user_id) | Q(staff_b_id=user_id)
    return DuoObservation.objects.filter(mine, planned_date__gte=day).exclude(Exists(saved))


def _pending_duos_of_child(
    user_id: int, child_id: int, day: datetime.date
) -> QuerySet[DuoObservation, tuple[Any, ...]]:
    """`_pending_duos` of one child, as rows of values: the duo's columns, then both colleagues as JSON
    objects of MENTOR_COLUMNS (enough to name them)."""
    return (
        _pending_duos(user_id, day)
        .filter(child_id=child_id)
        .annotate(
            staff_a_row=json_row(*MENTOR_COLUMNS, through="staff_a__"),
            staff_b_row=json_row(*MENTOR_COLUMNS, through="staff_b__"),
        )
        .values_list(*columns_of(DuoObservation), "staff_a_row", "staff_b_row")
    )


# Asked on every entry form, mostly to find none: compiled once (organisations/compiled.py).
_PENDING_DUOS_OF_CHILD = CompiledQuery(_pending_duos_of_child, user_id=int, child_id=int, day=datetime.date)


def pending_duos(user: User, *, child: Child | None = None) -> list[DuoObservation]:
    """The duo-observations of `user` from today on for which they have not saved an observation of
    the child that day yet, with the colleague: the notice on their home page and entry form."""
    if child is None:
        return list(_pending_duos(user.pk, today()).select_related("child", "staff_a", "staff_b"))
    found = []
    for row in _PENDING_DUOS_OF_CHILD.rows(user_id=user.pk, child_id=child.pk, day=today()):
        duo = made(DuoObservation, row[:-2])
        duo.staff_a, duo.staff_b = loaded(User, row[-2]), loaded(User, row[-1])
        duo.child = child  # the child in hand, not read again
        found.append(duo)
    return found


TIMELINE_COLUMNS = ("pk", "date", "situation", "circumstances", "note")
TIMELINE_OBSERVER = ("observer__first_name", "observer__last_name", "observer__email")


def _timeline_rows(
    *, child_id: int, viewer_id: int, start: int, pillar: str | None = None
) -> QuerySet[Observation, tuple[Any, ...]]:
    """One page of the child's timeline from row `start`, newest first, as rows of values: the
    observation's columns, its observer's name, its ratings (`_with_rating_rows`) and the number of
    rows in all (a window count, so the page and the count are one query). The colleague's entry of a
    duo-observation stays hidden until the viewer saved theirs; with a `pillar`, only observations
    rating it."""
    observations = Observation.objects.active().filter(child_id=child_id).exclude(hidden_by_pending_duo(viewer_id))
    if pillar is not None:
        observations = observations.filter(ratings__pillar=pillar)
    return (
        _with_rating_rows(observations)
        .annotate(rows_in_all=Window(Count("pk")))
        .order_by("-date", "-created_at", "-pk")
        .values_list(*TIMELINE_COLUMNS, *TIMELINE_OBSERVER, "rating_rows", "rows_in_all")[
            start : start + TIMELINE_PAGE_SIZE
        ]
    )


@functools.lru_cache(maxsize=64)
def _timeline_page_query(number: int, *, by_pillar: bool) -> CompiledQuery:
    """The timeline's page `number`, compiled once (organisations/compiled.py): the page's row
    numbers are part of the SQL, so each page number has its own; the most asked are kept."""
    build = functools.partial(_timeline_rows, start=(number - 1) * TIMELINE_PAGE_SIZE)
    if by_pillar:
        return CompiledQuery(build, child_id=int, viewer_id=int, pillar=str)
    return CompiledQuery(build, child_id=int, viewer_id=int)


def _timeline_page(child: Child, viewer: User, pillar: str | None, number: int) -> list[tuple[Any, ...]]:
    query = _timeline_page_query(number, by_pillar=pillar is not None)
    if pillar is None:
        return query.rows(child_id=child.pk, viewer_id=viewer.pk)
    return query.rows(child_id=child.pk, viewer_id=viewer.pk, pillar=pillar)


def child_timeline(child: Child, *, viewer: User, pillar: str | None = None, page_number: int | str = 1) -> Timeline:
    """The child's observations as the viewer may see them, newest first, paginated, optionally only
    those rating `pillar`. One query: the page, each row with its ratings and the number of rows.
    The page `Paginator.get_page` would pick: a number that is not one shows the first page; one past
    the last page (an old link) or below 1 the last page, which costs one or two queries more."""
    if pillar not in PILLAR_BY_CODE:
        pillar = None
    try:
        number = int(page_number)
    except (TypeError, ValueError):
        number = 1
    rows = _timeline_page(child, viewer, pillar, number) if 1 <= number <= TIMELINE_PAGES_AT_MOST else []
    if rows or number == 1:
        count = rows[0][-1] if rows else 0
    else:
        first = _timeline_page(child, viewer, pillar, 1)
        count = first[0][-1] if first else 0
        number = max(1, -(-count // TIMELINE_PAGE_SIZE))
        rows = first if number == 1 else _timeline_page(child, viewer, pillar, number)
    entries = [TimelineEntry.of_row(row) for row in rows]
    paginator: Paginator[TimelineEntry] = Paginator([], TIMELINE_PAGE_SIZE)
    paginator.count = count  # counted by the page's own query
    return Timeline(page=Page(entries, number, paginator), entries=entries, pillar=pillar)


def observation_for_reader(user: User, pk: int) -> Observation | None:
    """The observation `pk` if the user may read it, with its child, observer and ratings read
    (`TimelineEntry.of` makes its card without further queries)."""
    readable = Observation.objects.visible_to(user).exclude(hidden_by_pending_duo(user.pk))
    return _with_details(readable.select_related("child")).filter(pk=pk).first()


@dataclass
class Change:
    when: datetime.datetime
    who: str
    what: str  # "created", "changed", "removed"
    subject: str  # the observation, or a pillar's name
    changes: list[tuple[str, str, str]]  # (field label, before, after)


def _display(field: str, value: Any, pillar: Pillar | None = None) -> str:
    """A value of a historical record as the history shows it (a rating's value in the words of its `pillar`)."""
    if value in (None, "", []):
        return "–"
    if field == "situation":
        return choice_label(Situation, value)
    if field == "circumstances":
        return ", ".join(choice_labels(Circumstance, value))
    if field == "value" and pillar is not None:
        return rating_label(pillar, value)
    if field == "date":
        return numeric_date(value)
    if field == "group":
        return str(value)
    if field == "removed_at":
        return numeric_moment(value)  # in the site's time zone
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
        pillar = PILLAR_BY_CODE[record.pillar]
        name = str(pillar.name)
        before = last_by_pillar.get(record.pillar)
        if record.history_type == "+":
            if before is not None or (first_change is not None and record.history_date >= first_change):
                entries.append(
                    Change(
                        record.history_date,
                        who,
                        "changed",
                        name,
                        [(labels["value"], "–", rating_label(pillar, record.value))],
                    )
                )
        elif record.history_type == "-":
            entries.append(
                Change(
                    record.history_date,
                    who,
                    "changed",
                    name,
                    [(labels["value"], rating_label(pillar, record.value), "–")],
                )
            )
        elif before is not None:
            changes = [
                (labels[f], _display(f, getattr(before, f), pillar), _display(f, getattr(record, f), pillar))
                for f in RATING_FIELDS
                if getattr(before, f) != getattr(record, f)
            ]
            if changes:
                entries.append(Change(record.history_date, who, "changed", name, changes))
        last_by_pillar[record.pillar] = record
    entries.sort(key=lambda c: c.when)
    return entries
