"""Reads for the manager's journey: the group overview (a matrix of children by pillars),
the location overview (figures per group) and the coverage on the group page.

They reuse the child summary's computation: the weekly figures come from
`reports.figures.weekly_figures_for_children` (ONE aggregate query for all
children), the patterns from `reports.patterns.pillar_pattern` and the week
strips and colours from `reports.summary`. A matrix cell is the very
`PillarSummary` the child summary shows for that pillar.

Every function runs a fixed number of queries, whatever the number of children,
weeks or observations:
- `group_overview`: 3 (children with their figures, their mentors, the weekly figures);
- `locations_overview`: 5 for any number of locations (groups, placements with last
  observation, the counts behind the attention points (reports/attention.py), entries per
  observer, staff of the groups read by name); 4 without the attention points or without a
  group whose staff the user reads by name;
- `group_coverage`: 1 (the weekly figures);
- `locations_page`: 1 (the groups per location, to cut the home's locations into pages).
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, QuerySet

from children.models import Child, Placement
from children.names import join_name
from children.selectors import current_mentor, with_current_mentor
from observations.models import Observation
from observations.pillars import PILLARS, Pillar
from observations.recency import LastObserved, last_observed, last_observed_date
from observations.selectors import ChildRow, entry_count
from organisations.calendar import Week, WeekWindowMixin, today
from organisations.models import Group, Location, Organisation
from reports.attention import PillarAttention, attention_points
from reports.figures import weekly_figures_for_children
from reports.figures import window as weeks_window
from reports.patterns import PatternKind, Thresholds
from reports.summary import PillarSummary, pillar_summary
from staff.access import group_logger_memberships, user_access, visible_groups
from staff.models import User
from staff.scope import AnyUser

SORTS = ("naam", "aandachtspunten", "laatst")
DEFAULT_SORT = "naam"
FILTER_ATTENTION = "aandachtspunten"
STAFF_ACTIVITY_WEEKS = 4
# The home page names at most this many attention points per location (the newest first); the location page
# names them all. A home with a thousand children in scope stays a summary: counts per group, a few names.
HOME_ATTENTION_NAMES = 5
# The home shows the figures of whole locations up to this many groups at a time (a larger location alone),
# the other locations a page further, all of them by name: a regional manager's home costs what a home of
# this many groups costs, however many locations the person leads (issue 26, "flat in the number of groups").
HOME_GROUPS_PER_PAGE = 24


# --- Group overview ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    """One child of the matrix: a `PillarSummary` per pillar, in the order of PILLARS."""

    child: Child
    mentor: User | None
    last: LastObserved
    entries: int  # observations of the child in the window
    pillars: tuple[PillarSummary, ...]

    @property
    def last_observed(self) -> datetime.date | None:
        return self.last.date

    @property
    def is_stale(self) -> bool:
        return self.last.is_stale

    @property
    def attention_points(self) -> int:
        return sum(1 for p in self.pillars if p.pattern.kind == PatternKind.RECURRING)

    @property
    def never_rated(self) -> list[Pillar]:
        """Pillars without a single rating in the window."""
        return [p.pillar for p in self.pillars if p.figures.ratings == 0]

    def pillar(self, code: str) -> PillarSummary:
        return next(p for p in self.pillars if p.pillar.code == code)


@dataclass(frozen=True)
class GroupOverview(WeekWindowMixin):
    group: Group
    organisation: Organisation  # for the caution's reporting code (reports/_caution.html reads summary.organisation)
    weeks: int
    window: tuple[Week, ...]
    rows: tuple[OverviewRow, ...]  # sorted and filtered as asked
    children_total: int  # children placed today, before filtering
    sort: str
    attention_only: bool
    thresholds: Thresholds
    stale_days: int
    pillars: tuple[Pillar, ...] = PILLARS

    @property
    def stale_count(self) -> int:
        return sum(1 for r in self.rows if r.is_stale)


SortKey = tuple[int | datetime.date | str, ...]


def _sort_key(sort: str) -> Callable[[OverviewRow], SortKey]:
    def name(row: OverviewRow) -> tuple[str, str, int]:
        return (row.child.first_name.lower(), row.child.last_name.lower(), row.child.pk)

    if sort == "aandachtspunten":
        return lambda row: (-row.attention_points, *name(row))
    if sort == "laatst":
        # Longest ago first: never observed, then the oldest last observation.
        return lambda row: (row.last_observed or datetime.date.min, *name(row))
    return name


def group_overview(
    group: Group,
    weeks: int | None = None,
    *,
    children: QuerySet[Child] | None = None,
    sort: str = DEFAULT_SORT,
    attention_only: bool = False,
    day: datetime.date | None = None,
) -> GroupOverview:
    """The matrix of `group`: every child placed in it on `day` (default today) that is in
    `children` (a queryset, e.g. Child.objects.observable_by(user); default all), with the
    pattern and week strip of each pillar over `weeks` weeks. Three queries."""
    day = day or today()
    weeks = weeks or settings.REPORT_WEEKS_DEFAULT
    sort = sort if sort in SORTS else DEFAULT_SORT
    thresholds = Thresholds.from_settings()
    stale_days = settings.OBSERVATION_STALE_DAYS

    placed = Child.objects.placed_on(day, groups=[group])
    if children is not None:
        placed = placed.filter(pk__in=children.values("pk"))
    span = weeks_window(weeks, day)
    placed = placed.annotate(
        last_observed=last_observed_date(), entries=entry_count(span[0].start, span[-1].end)
    ).order_by("first_name", "last_name", "pk")
    kids = list(with_current_mentor(placed))
    figures = weekly_figures_for_children([c.pk for c in kids], weeks, until=day)

    rows = []
    for child in kids:
        rows.append(
            OverviewRow(
                child=child,
                mentor=current_mentor(child),
                last=last_observed(child.last_observed, day=day),  # type: ignore[attr-defined]  # annotated above
                entries=child.entries,  # type: ignore[attr-defined]  # annotated above
                pillars=tuple(pillar_summary(p, thresholds) for p in figures[child.pk].pillars),
            )
        )
    total = len(rows)
    if attention_only:
        rows = [r for r in rows if r.attention_points]
    rows.sort(key=_sort_key(sort))
    return GroupOverview(
        group=group,
        organisation=group.location.organisation,
        weeks=weeks,
        window=span,
        rows=tuple(rows),
        children_total=total,
        sort=sort,
        attention_only=attention_only,
        thresholds=thresholds,
        stale_days=stale_days,
    )


# --- The home's locations, a page at a time ---------------------------------------------------


@dataclass(frozen=True)
class LocationsPage:
    """One page of the home's locations (`locations`, in the order given), with every location by name
    (`everywhere`) for the ones on other pages."""

    number: int
    count: int
    locations: list[Location]
    everywhere: list[Location]

    @property
    def has_other_pages(self) -> bool:
        return self.count > 1

    @property
    def childminders_only(self) -> bool:
        """Every one a childminder's home: the home's heading speaks of gastouders, not of locations."""
        return bool(self.everywhere) and all(loc.is_childminder_home for loc in self.everywhere)

    # Django's Page names, so that one pager draws both (pages/_pager.html).
    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.count

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def locations_page(
    locations: Iterable[Location], user: AnyUser, number: object, *, groups_per_page: int = HOME_GROUPS_PER_PAGE
) -> LocationsPage:
    """Page `number` (1 when it is not a page's number) of `locations` cut into pages of whole locations with
    at most `groups_per_page` groups the user sees (one location with more has a page to itself). One query."""
    locations = list(locations)
    counts = dict(
        visible_groups(user)
        .filter(location__in=[loc.pk for loc in locations])
        .values_list("location_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    pages: list[list[Location]] = [[]]
    size = 0
    for location in locations:
        groups = counts.get(location.pk, 0)
        if pages[-1] and size + groups > groups_per_page:
            pages.append([])
            size = 0
        pages[-1].append(location)
        size += groups
    try:
        chosen = min(max(int(str(number)), 1), len(pages))
    except ValueError:
        chosen = 1
    return LocationsPage(number=chosen, count=len(pages), locations=pages[chosen - 1], everywhere=locations)


# --- Location overview ------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffActivity:
    name: str
    entries: int


@dataclass(frozen=True)
class AttentionRow:
    """A child of a group with a recurring attention point on one pillar: the named list of the home and
    location pages (one row per child and pillar)."""

    child_id: int
    child_name: str
    group: Group
    point: PillarAttention

    @property
    def pillar(self) -> Pillar:
        return self.point.pillar


@dataclass
class GroupFigures:
    """One group on the location page. The figures are None when the user may not read
    observations of the group (an organisation admin)."""

    group: Group
    readable: bool
    children_today: int = 0
    observed_recently: int = 0  # children placed today observed in the last OBSERVATION_STALE_DAYS days
    with_attention_point: int = 0  # children with a recurring attention point on any pillar
    attention_points: list[AttentionRow] = field(default_factory=list)  # by child's name, then pillar
    # Entries per staff member by name, only for who may read them (UserAccess.reads_staff_activity_in);
    # everyone who reads the group gets the total and their own count.
    names_staff: bool = False
    staff_activity: list[StaffActivity] = field(default_factory=list)
    entries: int = 0  # the group's entries over the last STAFF_ACTIVITY_WEEKS weeks
    own_entries: int = 0  # the user's own among them
    child_ids: list[int] = field(default_factory=list)  # readable: the children the figures were made of

    @property
    def observed_percent(self) -> int | None:
        if not self.children_today:
            return None
        return round(100 * self.observed_recently / self.children_today)

    @property
    def not_observed(self) -> int:
        return self.children_today - self.observed_recently


@dataclass
class LocationFigures:
    location: Location
    groups: list[GroupFigures]
    attention: bool = True  # whether the attention points were counted

    @property
    def readable_groups(self) -> list[GroupFigures]:
        return [g for g in self.groups if g.readable]

    @property
    def children_today(self) -> int:
        return sum(g.children_today for g in self.groups)

    @property
    def observed_recently(self) -> int:
        return sum(g.observed_recently for g in self.readable_groups)

    @property
    def with_attention_point(self) -> int:
        return sum(g.with_attention_point for g in self.readable_groups)

    @property
    def names_staff(self) -> bool:
        """The entries of some group's staff show by name."""
        return any(g.names_staff for g in self.readable_groups)

    @property
    def attention_points(self) -> list[AttentionRow]:
        """The named list: every child with a recurring attention point, group by group."""
        return [row for g in self.readable_groups for row in g.attention_points]

    @property
    def home_attention_points(self) -> list[AttentionRow]:
        """The few the home page names: the HOME_ATTENTION_NAMES newest attention points (latest "since"
        first, then group by group as in the full list); `attention_points` has them all."""
        points = self.attention_points
        newest = sorted(range(len(points)), key=lambda n: (-points[n].point.since.toordinal(), n))
        return [points[n] for n in newest[:HOME_ATTENTION_NAMES]]

    @property
    def home_attention_more(self) -> int:
        """How many attention points the home page leaves to the location page."""
        return max(0, len(self.attention_points) - HOME_ATTENTION_NAMES)

    @property
    def observed_percent(self) -> int | None:
        placed = sum(g.children_today for g in self.readable_groups)
        return round(100 * self.observed_recently / placed) if placed else None

    @property
    def readable(self) -> bool:
        return bool(self.readable_groups)


def locations_overview(
    locations: Iterable[Location],
    user: AnyUser,
    *,
    weeks: int | None = None,
    day: datetime.date | None = None,
    attention: bool = True,
) -> list[LocationFigures]:
    """Figures per group for several locations at once (home page, location page).

    `locations` are Location objects the user may see (fetched through
    staff.access.visible_locations). Groups shown: those the user may see
    (visible_groups); figures only for groups whose observations the
    user may read, with the children with a recurring attention point by name (child, pillar,
    pole, since when). Entries per staff member by name only where the user reads them
    (UserAccess.reads_staff_activity_in: managers and coaches); elsewhere the group's total and
    the user's own count (`_staff_activity`). Five queries whatever the number of locations,
    groups, children or observations; four without a group whose staff the user reads by name;
    one fewer with `attention=False`, which leaves out the attention points (PostgreSQL counts
    per child and pillar over the window, the pattern rules decide: reports/attention.py)."""
    day = day or today()
    weeks = weeks or settings.REPORT_WEEKS_DEFAULT
    thresholds = Thresholds.from_settings()
    locations = list(locations)
    if not locations:
        return []
    groups = list(visible_groups(user).filter(location__in=[loc.pk for loc in locations]).order_by("name", "pk"))
    access = user_access(user)
    readable = {g.pk for g in groups if access.reads_observations_in(g)}
    named = {g.pk for g in groups if g.pk in readable and access.reads_staff_activity_in(g)}

    # 1. children placed today per group, with the last observation of each child; the names of those
    # the user may read (the same rule as Child.objects.observable_by: placed today in a readable group)
    placements = list(
        Placement.objects.running_on(day)
        .filter(group_id__in=[g.pk for g in groups])
        .annotate(last_observed=last_observed_date("child_id"))
        .values_list(
            "group_id", "child_id", "last_observed", "child__first_name", "child__tussenvoegsel", "child__last_name"
        )
        .order_by("child__first_name", "child__last_name", "child_id")
    )
    # 2. the recurring attention points of them (child, pillar, pole, since), in ONE query
    readable_children = {child_id for group_id, child_id, *_ in placements if group_id in readable}
    points: dict[int, list[PillarAttention]] = defaultdict(list)
    if attention:  # counted by PostgreSQL, decided by the pattern rules (reports/attention.py)
        for point in attention_points(readable_children, weeks, until=day, thresholds=thresholds):
            points[point.child_id].append(point)
    by_group: dict[int, GroupFigures] = {g.pk: GroupFigures(group=g, readable=g.pk in readable) for g in groups}
    for group_id, child_id, last_date, first_name, tussenvoegsel, last_name in placements:
        gf = by_group[group_id]
        gf.children_today += 1
        if not gf.readable:
            continue
        gf.child_ids.append(child_id)
        if not last_observed(last_date, day=day).is_stale:
            gf.observed_recently += 1
        if points.get(child_id):
            gf.with_attention_point += 1
            name = join_name(first_name, tussenvoegsel, last_name)
            gf.attention_points += [AttentionRow(child_id, name, gf.group, point) for point in points[child_id]]
    _staff_activity([by_group[pk] for pk in readable], named, user, day=day)  # 3. and 4.
    return [
        LocationFigures(
            location=loc, groups=[by_group[g.pk] for g in groups if g.location_id == loc.pk], attention=attention
        )
        for loc in locations
    ]


def _staff_activity(groups: list[GroupFigures], named: set[int], user: AnyUser, *, day: datetime.date) -> None:
    """The entries of the last STAFF_ACTIVITY_WEEKS weeks into `groups` (those the user reads): the total and
    the user's own count for each, per staff member by name for those in `named`. Two queries (one without
    `named`)."""
    activity_since = day - datetime.timedelta(days=7 * STAFF_ACTIVITY_WEEKS - 1)
    readable = [gf.group.pk for gf in groups]
    # 3. entries per observer per group over the last weeks
    entries: dict[int, dict[int, int]] = defaultdict(dict)
    names: dict[int, str] = {}
    rows = (
        Observation.objects.active()
        .filter(group_id__in=readable, date__gte=activity_since, date__lte=day)
        .values("group_id", "observer_id", "observer__first_name", "observer__last_name", "observer__email")
        .annotate(n=Count("*"))  # from the index alone (observation_live_group_date)
        .order_by()
    )
    for row in rows:
        entries[row["group_id"]][row["observer_id"]] = row["n"]
        if row["group_id"] in named:
            names[row["observer_id"]] = User.display_name_of(
                row["observer__first_name"], row["observer__last_name"], row["observer__email"]
            )
    # 4. the staff of each group the user reads by name, so that a staff member without entries shows too
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, user_id, first, last, email in group_logger_memberships(named).values_list(
        "group_id", "user_id", "user__first_name", "user__last_name", "user__email"
    ):
        members[group_id].add(user_id)
        names.setdefault(user_id, User.display_name_of(first, last, email))

    me = user.pk if user is not None and user.is_authenticated else None
    for gf in groups:
        group_id = gf.group.pk
        gf.entries = sum(entries[group_id].values())
        gf.own_entries = entries[group_id].get(me, 0) if me is not None else 0
        gf.names_staff = group_id in named
        if gf.names_staff:
            observers = members[group_id] | set(entries[group_id])
            gf.staff_activity = sorted(
                (StaffActivity(names[uid], entries[group_id].get(uid, 0)) for uid in observers),
                key=lambda s: (-s.entries, s.name.lower()),
            )


def location_overview(
    location: Location,
    user: AnyUser,
    *,
    weeks: int | None = None,
    day: datetime.date | None = None,
    attention: bool = True,
) -> LocationFigures:
    return locations_overview([location], user, weeks=weeks, day=day, attention=attention)[0]


# --- Coverage on the group page ---------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    weeks: int
    no_entry_this_week: list[Child]  # children of the day view without an entry this week
    never_rated: list[tuple[Child, list[Pillar]]]  # pillars the child never had rated in the window


def group_coverage(rows: Iterable[ChildRow], weeks: int | None = None, *, day: datetime.date | None = None) -> Coverage:
    """Coverage for the group page, from the day view's rows (observations.selectors.group_day_view)
    and the same weekly figures as the reports. One query."""
    rows = list(rows)
    weeks = weeks or settings.REPORT_WEEKS_DEFAULT
    figures = weekly_figures_for_children([r.child.pk for r in rows], weeks, until=day)
    never_rated = []
    for row in rows:
        missing = [p.pillar for p in figures[row.child.pk].pillars if p.ratings == 0]
        if missing:
            never_rated.append((row.child, missing))
    return Coverage(
        weeks=weeks,
        no_entry_this_week=[r.child for r in rows if not r.week_count],
        never_rated=never_rated,
    )
