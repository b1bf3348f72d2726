"""Everything the summary page and the PDF show for one child: one data function, fixed queries.

`child_summary(child, weeks)` runs six queries whatever the number of
observations: the current placement, the mentor, the weekly figures (one
aggregate), what the summary is based on (one aggregate), the recent notes and
the date of the last parent conversation; a seventh (one aggregate) when there
was a conversation long enough ago to compare before and after.
Templates only read the plain objects it returns.

Too little observed (one rule, `TOO_LITTLE_SHARE`): when more than half of the
pillars have "not enough observations", the summary and the parent handout say so
at the top in one sentence and name the pillars to watch.

Seen by one person (`PillarSummary.one_person_line`): a pillar that only one person saw, with nothing
to confirm it (reports/patterns.py, rule 1), says so and who it was: "the childminder" at a childminder's
home, else the observer's role (their memberships read with the placement: no query more).

Before and after the last parent conversation (`BeforeAfter`): the weeks after the
week of the conversation up to the week of `until`, beside as many weeks before the
week of the conversation (the week itself belongs to neither), each pillar with
the same pattern rules; at most REPORT_WEEKS_MAX weeks a side, the ones next to the conversation.
Fewer than REPORT_WEEKS_MIN weeks since: too soon to compare.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Max, Min, OuterRef, Q
from django.db.models.functions import JSONObject
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from children.models import Child, Placement
from children.selectors import current_mentor
from conversations.selectors import last_conversation_date
from observations.choices import Circumstance, Situation
from observations.models import Observation, PillarRating
from observations.pillars import PILLAR_BY_CODE, Pillar, rating_label
from organisations.calendar import Week, WeekWindowMixin, today, week_of
from organisations.labels import choice_label
from organisations.models import Group, Location, Organisation
from reports.agreement import drifts, rating_pairs
from reports.figures import ChildFigures, PillarFigures, weekly_figures, weekly_figures_for_children
from reports.patterns import PatternKind, PillarPattern, Thresholds, pillar_pattern
from reports.strip import StripCell, week_strip
from staff.models import Membership, Role, User

# Colour-blind safe (Okabe-Ito) colours, always shown with a word and a symbol.
PATTERN_STYLE = {
    PatternKind.NOT_ENOUGH: {"symbol": "○", "colour": "#6b6b6b", "background": "#f1f1f1"},
    PatternKind.TYPICAL: {"symbol": "✓", "colour": "#00795a", "background": "#e0f3ec"},
    PatternKind.MIXED: {"symbol": "~", "colour": "#9a6700", "background": "#fdf1d8"},
    PatternKind.RECURRING: {"symbol": "!", "colour": "#9c3d76", "background": "#f6e3ee"},
}

# Too little observed: more than this share of the pillars has "not enough observations".
TOO_LITTLE_SHARE = 0.5


@dataclass(frozen=True)
class PillarSummary:
    pillar: Pillar
    figures: PillarFigures
    pattern: PillarPattern
    # Seen by one person and not confirmed: who ("the childminder", a role), else "" (`one_person_words`)
    seen_by: str = ""
    # seen by one person in enough weeks: only a second view is missing for a pattern
    waits_for_a_second_view: bool = False

    @property
    def one_person_line(self) -> str:
        """ "Seen by one person: the childminder." for a pillar no second view confirmed yet, else ""."""
        return _("Seen by one person: %(who)s.") % {"who": self.seen_by} if self.seen_by else ""

    @cached_property
    def strip(self) -> tuple[StripCell, ...]:
        """The week strip, built when read: the group overview draws its cells from the figures
        (reports.strip.matrix_svg) and never needs these thousands of cells."""
        return week_strip(self.figures)

    @property
    def style(self) -> dict[str, str]:
        return PATTERN_STYLE[PatternKind(self.pattern.kind)]

    @property
    def circumstances(self) -> list[tuple[str, int]]:
        """Circumstances recorded on the days of this pillar's atypical ratings, with counts."""
        return [(choice_label(Circumstance, c), n) for c, n in self.figures.circumstances_on_atypical.items()]


@dataclass(frozen=True)
class Note:
    date: datetime.date
    situation: str
    pillar: Pillar
    rating: str
    text: str


@dataclass(frozen=True)
class PillarComparison:
    """One pillar before and since the last parent conversation."""

    pillar: Pillar
    before: PillarSummary
    since: PillarSummary

    @property
    def changed(self) -> bool:
        return (self.before.pattern.kind, self.before.pattern.dominant_direction) != (
            self.since.pattern.kind,
            self.since.pattern.dominant_direction,
        )


@dataclass(frozen=True)
class BeforeAfter:
    """The pattern of each pillar in the weeks before the last parent conversation and in as
    many weeks since (empty `pillars` when the conversation was too recent to compare)."""

    conversation_date: datetime.date
    weeks: int  # the length of each window; fewer than REPORT_WEEKS_MIN: too soon
    before: tuple[Week, ...]
    since: tuple[Week, ...]
    pillars: tuple[PillarComparison, ...]
    min_weeks: int

    @property
    def too_soon(self) -> bool:
        return not self.pillars

    @property
    def before_start(self) -> datetime.date | None:
        return self.before[0].start if self.before else None

    @property
    def before_end(self) -> datetime.date | None:
        return self.before[-1].end if self.before else None

    @property
    def since_start(self) -> datetime.date | None:
        return self.since[0].start if self.since else None

    @property
    def since_end(self) -> datetime.date | None:
        return self.since[-1].end if self.since else None


@dataclass(frozen=True)
class ChildSummary(WeekWindowMixin):
    child: Child
    organisation: Organisation
    group: Group | None
    location: Location | None
    mentor: User | None
    age: str
    weeks: int
    window: tuple[Week, ...]
    pillars: tuple[PillarSummary, ...]
    notes: tuple[Note, ...]
    observation_count: int
    observer_count: int
    first_date: datetime.date | None
    last_date: datetime.date | None
    circumstances: tuple[tuple[str, int], ...]  # circumstances over all observations in the window
    thresholds: Thresholds
    day: datetime.date  # the day it was made for (`until`): the window ends with the week of this day
    before_after: BeforeAfter | None = None  # None: no parent conversation before `until`
    # Pillars with a pattern whose observers rate that pillar systematically apart (reports/agreement.py drift)
    observers_differ: frozenset[str] = frozenset()

    @property
    def period_end_so_far(self) -> datetime.date:
        """The last day the window holds so far: the day it was made for. Its last week may run on past
        that day into a month, or a year, that has not begun (on Thursday 31 December 2026 to Sunday
        3 January 2027): what people read as "the period" stops at the day."""
        return min(self.period_end, self.day)

    @property
    def recurring(self) -> list[PillarSummary]:
        return [p for p in self.pillars if p.pattern.kind == PatternKind.RECURRING]

    @property
    def not_enough(self) -> list[PillarSummary]:
        """The pillars with not enough observations to say anything: the pillars to watch."""
        return [p for p in self.pillars if p.pattern.kind == PatternKind.NOT_ENOUGH]

    @property
    def described(self) -> list[PillarSummary]:
        """The pillars with a pattern to describe (all but the not-enough ones)."""
        return [p for p in self.pillars if p.pattern.kind != PatternKind.NOT_ENOUGH]

    @property
    def not_enough_names(self) -> str:
        """The pillars to watch, as one list in the active language ("A, B en C")."""
        return get_text_list([str(p.pillar.name) for p in self.not_enough], _("and"))

    @property
    def seen_by_one_person(self) -> list[str]:
        """ "Seen by one person: the childminder. This is about A and B.": the pillars no second view
        confirmed yet, one sentence per person who saw them (PillarSummary.seen_by)."""
        by_who: dict[str, list[str]] = {}
        for p in self.pillars:
            if p.seen_by:
                by_who.setdefault(p.seen_by, []).append(str(p.pillar.name))
        return [
            _("Seen by one person: %(who)s. This is about %(pillars)s.")
            % {"who": who, "pillars": get_text_list(names, _("and"))}
            for who, names in by_who.items()
        ]

    @property
    def too_little_observed(self) -> bool:
        """The one rule for "too little has been observed": more than TOO_LITTLE_SHARE of the
        pillars have not enough observations."""
        return len(self.not_enough) > TOO_LITTLE_SHARE * len(self.pillars)

    @property
    def seen_enough_by_one_person(self) -> bool:
        """Too little observed only because one person saw it (a gastouder working alone): counted
        without the pillars that wait only for a second view, enough has been written down."""
        short = [p for p in self.not_enough if not p.waits_for_a_second_view]
        return self.too_little_observed and len(short) <= TOO_LITTLE_SHARE * len(self.pillars)


def pillar_summary(
    figures: PillarFigures, thresholds: Thresholds, seen_by: dict[int, str] | None = None
) -> PillarSummary:
    """One pillar over the window: its pattern and week strip. The one builder: the child's
    summary, its PDF and every cell of the group overview come from here. `seen_by` names the
    observers ({user id: "the childminder"}) for a pillar seen by one person only."""
    pattern = pillar_pattern(figures, thresholds)
    word = ""
    if seen_by is not None and pattern.counts.seen_by_one_person:
        (observer_id,) = figures.observer_ids
        word = seen_by.get(observer_id, "")
    waits = bool(word) and figures.rated_weeks >= thresholds.min_rated_weeks
    return PillarSummary(
        pillar=figures.pillar, figures=figures, pattern=pattern, seen_by=word, waits_for_a_second_view=waits
    )


def one_person_words(memberships: list[dict[str, Any]], observer_ids: set[int], group: Group | None) -> dict[int, str]:
    """{user id: who they are, for "seen by one person: ..."}: "the childminder" for the carer of a
    childminder's home (a membership in its group), otherwise the role they hold nearest to the child
    (in the group, at its location, in the organisation), or "one staff member". `memberships` are the
    observers' memberships in the child's organisation ({"user", "role", "group", "location"}), read
    with the placement (`_placement`)."""
    fallback = _("one staff member")
    if group is None:
        return dict.fromkeys(observer_ids, fallback)
    location = group.location
    nearest: dict[int, tuple[int, str]] = {}
    for membership in memberships:
        role = choice_label(Role, membership["role"])
        if membership["group"] == group.pk:
            rank = 0
            word = str(_("the childminder")) if location.kind == Location.Kind.CHILDMINDER else role
        elif membership["group"] is None and membership["location"] == location.pk:
            rank, word = 1, role
        elif membership["location"] is None:
            rank, word = 2, role
        else:
            continue
        user_id = membership["user"]
        if user_id not in nearest or rank < nearest[user_id][0]:
            nearest[user_id] = (rank, word)
    return {user_id: nearest[user_id][1] if user_id in nearest else fallback for user_id in observer_ids}


def _basis(child: Child, start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """What the summary is based on, in one aggregate over the observations of the window."""
    return (
        Observation.objects.active()
        .filter(child=child, date__gte=start, date__lte=end)
        .aggregate(
            observations=Count("id"),
            observers=Count("observer_id", distinct=True),
            first=Min("date"),
            last=Max("date"),
            **{f"circ_{code}": Count("id", filter=Q(circumstances__contains=[code])) for code in Circumstance.values},
        )
    )


def _recent_notes(child: Child, start: datetime.date, end: datetime.date, limit: int) -> tuple[Note, ...]:
    """The most recent concrete notes on atypical ratings in the window."""
    rows = (
        PillarRating.objects.of_child_between(child, start, end)
        .exclude(value=0)
        .exclude(note="")
        .values_list("observation__date", "observation__situation", "pillar", "value", "note")[:limit]
    )
    return tuple(
        Note(
            date,
            choice_label(Situation, situation),
            PILLAR_BY_CODE[pillar],
            rating_label(PILLAR_BY_CODE[pillar], value),
            note,
        )
        for date, situation, pillar, value, note in rows
    )


def before_after(
    child: Child, day: datetime.date, thresholds: Thresholds, conversation_date: datetime.date | None
) -> BeforeAfter | None:
    """Each pillar before and since the parent conversation of `conversation_date` (see the module
    docstring). One aggregate query, none when there is nothing to compare."""
    if conversation_date is None or conversation_date > day:
        return None
    conversation_week = week_of(conversation_date)
    since_weeks = (week_of(day).start - conversation_week.start).days // 7
    weeks = min(since_weeks, settings.REPORT_WEEKS_MAX)
    if weeks < settings.REPORT_WEEKS_MIN:
        return BeforeAfter(conversation_date, weeks, (), (), (), settings.REPORT_WEEKS_MIN)
    # one window around the conversation: the weeks before, its week, as many weeks after it
    last_week = conversation_week.start + datetime.timedelta(weeks=weeks)
    figures: ChildFigures = weekly_figures_for_children([child.pk], 2 * weeks + 1, until=last_week)[child.pk]
    pillars = tuple(
        PillarComparison(
            pillar=p.pillar,
            before=pillar_summary(PillarFigures(p.pillar, p.weeks[:weeks]), thresholds),
            since=pillar_summary(PillarFigures(p.pillar, p.weeks[-weeks:]), thresholds),
        )
        for p in figures.pillars
    )
    return BeforeAfter(
        conversation_date=conversation_date,
        weeks=weeks,
        before=figures.weeks[:weeks],
        since=figures.weeks[-weeks:],
        pillars=pillars,
        min_weeks=settings.REPORT_WEEKS_MIN,
    )


def _placement(child: Child, day: datetime.date, observers: set[int]) -> Placement | None:
    """The child's current placement, with its group and location; in the same query, when `observers`
    are asked for, their memberships in the child's organisation (`observer_memberships`)."""
    placements = (
        Placement.objects.running_on(day).filter(child=child).select_related("group__location").order_by("-start_date")
    )
    if observers:
        memberships = Membership.objects.filter(
            user_id__in=observers, organisation_id=OuterRef("group__location__organisation_id")
        ).values(json=JSONObject(user="user_id", role="role", group="group_id", location="location_id"))
        placements = placements.annotate(observer_memberships=ArraySubquery(memberships))
    return placements.first()


def observers_differ_on(
    pillars: list[PillarSummary], location: Location | None, start: datetime.date, end: datetime.date
) -> frozenset[str]:
    """The pillars with an atypical pattern (mixed or recurring) where one of the observers behind it
    rates that pillar systematically apart from the colleagues beside them at the location (drift over
    the same window). One query, only when there is such a pattern."""
    patterned = {p.pillar.code: p.figures.observer_ids for p in pillars if p.pattern.kind in ATYPICAL_KINDS}
    if location is None or not patterned:
        return frozenset()
    found = drifts(rating_pairs(location, start, end))
    return frozenset(d.pillar.code for d in found if d.observer_id in patterned.get(d.pillar.code, ()))


ATYPICAL_KINDS = (PatternKind.MIXED, PatternKind.RECURRING)


def child_summary(
    child: Child, weeks: int | None = None, *, until: datetime.date | None = None, notes: int | None = None
) -> ChildSummary:
    """The summary of one child over `weeks` ISO weeks ending with the week of `until` (default today)."""
    day = until or today()
    weeks = weeks or settings.REPORT_WEEKS_DEFAULT
    thresholds = Thresholds.from_settings()
    figures = weekly_figures(child, weeks, until=day)
    alone = {observer for p in figures.pillars if p.counts.seen_by_one_person for observer in p.observer_ids}
    placement = _placement(child, day, alone)
    basis = _basis(child, figures.start, figures.end)
    memberships = getattr(placement, "observer_memberships", None) or []
    seen_by = one_person_words(memberships, alone, placement.group if placement else None) if alone else {}
    pillars = [pillar_summary(pillar_figures, thresholds, seen_by) for pillar_figures in figures.pillars]
    circumstances = sorted(
        (
            (choice_label(Circumstance, code), basis[f"circ_{code}"])
            for code in Circumstance.values
            if basis[f"circ_{code}"]
        ),
        key=lambda item: -item[1],
    )
    return ChildSummary(
        child=child,
        organisation=child.organisation,
        group=placement.group if placement else None,
        location=placement.group.location if placement else None,
        mentor=current_mentor(child),
        age=child.age_label(day),
        weeks=weeks,
        window=figures.weeks,
        pillars=tuple(pillars),
        notes=_recent_notes(child, figures.start, figures.end, notes or settings.REPORT_RECENT_NOTES),
        observation_count=basis["observations"],
        observer_count=basis["observers"],
        first_date=basis["first"],
        last_date=basis["last"],
        circumstances=tuple(circumstances),
        thresholds=thresholds,
        day=day,
        before_after=before_after(child, day, thresholds, last_conversation_date(child, until=day)),
        observers_differ=observers_differ_on(
            pillars, placement.group.location if placement else None, figures.start, figures.end
        ),
    )


# The windows offered in the period menus of the summary and the group overview.
WEEK_CHOICES = (4, 8, 12, 26, 52)


def parse_weeks(raw: str | None) -> tuple[int, str | None]:
    """The window asked for in `?weken=`, or the default with a message in the active language."""
    default, low, high = settings.REPORT_WEEKS_DEFAULT, settings.REPORT_WEEKS_MIN, settings.REPORT_WEEKS_MAX
    if raw is None or raw == "":
        return default, None
    try:
        weeks = int(raw)
    except (TypeError, ValueError):
        weeks = None
    if weeks is None or not low <= weeks <= high:
        return default, _(
            "The number of weeks must be a whole number from %(low)d to %(high)d; showing %(default)d weeks."
        ) % {"low": low, "high": high, "default": default}
    return weeks, None
