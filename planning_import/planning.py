"""The dry run: what reading in a file would do to an organisation, row by row.

`plan_import(organisation, table, mapping)` reads the organisation once (a handful of queries, whatever
the number of rows) and decides per row: new, changed, ending (the export gives the placement an end
date) or unchanged, or refused with a reason in Dutch. Children the export no longer lists are
`endings`: their placement ends only when the import is applied with `confirm_ending` (planning_import.applying).

The rules:
- a child is recognised by its Kindnummer (Child.external_id, unique per organisation); a child typed
  in by hand, without a number, is recognised once by first name, surname and date of birth, and gets
  its number;
- locations and groups come from the file as well: a name the organisation does not have (compared
  without case and extra spaces, so "locatie  een" is "Locatie Een") is planned as a new location or
  group, shown as "nieuw" on the first line that names it, with a negative id until `apply_import`
  creates it; only a row that is read in adds a place (a refused row adds none, so a typing error in
  a refused row opens nothing). A row may name its place (Locatie + Groep of a child, Locatie +
  Groepen of a staff member, Locatie of a location's manager), or belong to the list of locations
  and groups: a row that fills none of the children's and the staff's columns (Locatie, Groep, and
  the group's ages "Leeftijd van/tot (maanden)"); that list may be a file of its own. Its ages give
  a new group its ages and change an existing group's (changed). Refused: a new group named without
  its location, a group named without its location where the records or the file have it at more
  than one, a name the records hold twice in different case, ages that are no months or upside down,
  a place listed twice. A location or group the file does not name is never removed or ended. A new
  place whose name closely resembles another at its level (lookalikes.py: "Rupsen" next to "Rupsjes")
  gets a warning in the dry run (PlaceLine.lookalike), not a refusal;
- at a gastouderbureau a new location is a childminder's home, made with its one group: the group
  name the file first gives it there, else the home's own name; a row naming another group there is
  refused;
- a child has one row (its stamgroep): a Kindnummer twice in the file refuses each of those rows;
- a child in a new group moves: the old open placement ends the day before the new one starts;
- a mentor must be pedagogisch medewerker of the child's group, or its gastouder (in the organisation or
  in this file);
- a childminder's home (Location.Kind.CHILDMINDER) has one group: a row may name the home alone
  (Locatie) without Groep(en); at most six children are placed there at once (Group.CHILDMINDER_MAX_CHILDREN),
  counted with the rows before in the file; it has one gastouder;
- a role must exist in the organisation's kind (ROLE_RULES `organisation_kinds`: a gastouderbureau has
  gastouders and bemiddelingsmedewerkers, a centre organisation pedagogisch medewerkers and coaches);
- a staff row names an e-mail address, a role (ROLE_RULES) and its place (groups, a location, or the
  whole organisation); memberships are added, never removed; an address that belongs to an account
  outside this organisation is refused (the import never hands someone else's account new rights);
- a child missing from the export ends only at the locations the file speaks of, and only if it came
  from the planning system (has a Kindnummer): a partial export or a child typed in by hand is left be.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext as _

from children.models import Child, FormOfAddress, Mentorship, Placement, most_children_at_once
from children.names import join_name, split_surname
from organisations.calendar import add_months, numeric_date, today
from organisations.models import Group, Location, Organisation
from organisations.text import visible_text
from planning_import.columns import CHILD_CODES, STAFF_CODES, ColumnMapping, column_name
from planning_import.lookalikes import lookalike
from planning_import.reading import Row, Table
from staff.models import ROLE_RULES, Membership, Role, ScopeLevel, User, roles_in

CHILD_FIELDS = ("first_name", "tussenvoegsel", "last_name", "date_of_birth", "external_id")
_DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_LIST_SPLIT = re.compile(r"\s*[;,|]\s*")
FORMS_OF_ADDRESS = {
    "hij": FormOfAddress.HE,
    "he": FormOfAddress.HE,
    "zij": FormOfAddress.SHE,
    "ze": FormOfAddress.SHE,
    "she": FormOfAddress.SHE,
    "naam": FormOfAddress.NAME,
    "voornaam": FormOfAddress.NAME,
    "alleen voornaam": FormOfAddress.NAME,
    "alleen de voornaam": FormOfAddress.NAME,
    "name": FormOfAddress.NAME,
}
# Besides the role's code and its name (in Dutch and English), the words planning systems use.
ROLE_WORDS = {
    "medewerker": Role.STAFF,
    "pm": Role.STAFF,
    "manager": Role.MANAGER,
    "gastouder": Role.GASTOUDER,
    "bemiddelingsmedewerker": Role.CONSULTANT,
    "consulent": Role.CONSULTANT,
}


# The roles whose members may be a child's mentor in their group: they log there (ROLE_RULES).
GROUP_LOGGERS = frozenset(
    str(role) for role, rule in ROLE_RULES.items() if rule.logs_observations and rule.level == ScopeLevel.GROUP
)


class Status(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    ENDING = "ending"
    UNCHANGED = "unchanged"


class Refused(Exception):
    """A row that cannot be read in; the message says why, in Dutch."""


@dataclass(frozen=True)
class Refusal:
    line: int
    what: str  # what the row names: "kindnummer 1001", "anja@example.org" (empty when unknown)
    reason: str


@dataclass(frozen=True)
class PlacementPlan:
    placement_id: int | None  # None: a new placement
    group_id: int
    start_date: datetime.date
    end_date: datetime.date | None


@dataclass
class ChildLine:
    line: int
    external_id: str
    name: str
    group_name: str
    status: Status
    child_id: int | None  # None: a new child
    values: dict[str, Any]  # the child's fields as the file has them
    changed_fields: list[str]
    placement: PlacementPlan
    placement_changed: bool
    close_placements: list[int]  # open placements elsewhere, ending the day before `placement` starts
    mentor_email: str  # "": the mentor stays as it is
    mentor_changed: bool
    changes: list[str] = field(default_factory=list)  # what changes, in words


@dataclass(frozen=True)
class MembershipPlan:
    role: str
    location_id: int | None
    group_id: int | None


@dataclass
class StaffLine:
    line: int
    email: str
    first_name: str
    last_name: str
    role: str
    status: Status
    user_id: int | None  # None: a new user
    name_changed: bool
    memberships: list[MembershipPlan]  # those to add
    changes: list[str] = field(default_factory=list)


class PlaceKind(StrEnum):
    LOCATION = "location"
    GROUP = "group"


@dataclass
class PlaceLine:
    """A location or group the file adds (new: planned with a negative id, created when applied), or a
    row of the file's list of locations and groups (new, changed: other ages, or unchanged)."""

    line: int  # the first line that names it
    kind: PlaceKind
    ref: int  # the record's id; negative: planned, created when the import is applied
    name: str
    location_name: str  # a group's location ("" for a location)
    status: Status
    location_ref: int | None = None  # a group's location (negative: planned too)
    location_kind: str = ""  # a location's Location.Kind
    ages: tuple[int, int] | None = None  # a group's youngest and oldest age in months, as it will be
    changes: list[str] = field(default_factory=list)
    # a new place whose name closely resembles another at its level (lookalikes.lookalike): a typing
    # error? A warning, not a refusal. lookalike_line: the line of the new place it resembles (None:
    # the organisation's own)
    lookalike: str = ""
    lookalike_line: int | None = None


@dataclass(frozen=True)
class Ending:
    """A child the export no longer lists: its open placements (and its mentor) end on `end_date`
    when the import is applied with confirm_ending."""

    child_id: int
    external_id: str
    name: str
    placement_ids: tuple[int, ...]
    mentorship_ids: tuple[int, ...]
    end_date: datetime.date
    removal_from: datetime.date  # the retention rule removes the record from this day


@dataclass
class ImportPlan:
    organisation_id: int
    made_on: datetime.date
    children: list[ChildLine] = field(default_factory=list)
    staff: list[StaffLine] = field(default_factory=list)
    endings: list[Ending] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    places: list[PlaceLine] = field(default_factory=list)  # by line: new places, and the list's rows
    ignored_columns: tuple[str, ...] = ()
    # What the plan was made from: apply_import plans it again under the organisation's lock, so a
    # plan shown before someone else's import still writes nothing twice.
    rows: tuple[Row, ...] = ()
    mapping: ColumnMapping | None = None

    def count(self, status: Status) -> int:
        return sum(1 for line in self.children if line.status == status)

    def staff_count(self, status: Status) -> int:
        return sum(1 for line in self.staff if line.status == status)

    def place_count(self, kind: PlaceKind, status: Status) -> int:
        return sum(1 for line in self.places if line.kind == kind and line.status == status)

    @property
    def lookalikes(self) -> list[PlaceLine]:
        return [line for line in self.places if line.lookalike]

    @property
    def changes_anything(self) -> bool:
        statuses = [line.status for line in self.children] + [line.status for line in self.staff]
        statuses += [line.status for line in self.places]
        return any(status != Status.UNCHANGED for status in statuses) or bool(self.endings)


@dataclass(frozen=True)
class _Placed:
    pk: int
    group_id: int
    location_id: int
    start_date: datetime.date
    end_date: datetime.date | None


@dataclass(frozen=True)
class _Mentor:
    pk: int
    email: str
    start_date: datetime.date


class _Organisation:
    """What the plan compares the file with, read in a fixed number of queries, and the places the
    file adds: a location or group it names that the organisation does not have is planned here, with
    a negative id (`_ref`), and refers to like any other; `apply_import` creates it and swaps the id."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation
        locations = list(Location.objects.filter(organisation=organisation))
        self.locations: dict[str, list[Location]] = defaultdict(list)
        for location in locations:
            self.locations[_fold(location.name)].append(location)
        self.locations_by_id = {location.pk: location for location in locations}
        self.groups: dict[tuple[int, str], list[Group]] = defaultdict(list)
        self.groups_named: dict[str, list[Group]] = defaultdict(list)
        self.groups_at: dict[int, list[Group]] = defaultdict(list)
        self.group_location: dict[int, int] = {}
        self.group_names: dict[int, str] = {}
        self.groups_by_id: dict[int, Group] = {}
        for group in Group.objects.filter(location__organisation=organisation).select_related("location"):
            self._add_group(group)
        children = list(Child.objects.filter(organisation=organisation).order_by("pk"))
        self.by_number = {child.external_id: child for child in children if child.external_id}
        self.unnumbered: dict[tuple[str, str, str, datetime.date], list[Child]] = defaultdict(list)
        for child in children:
            if not child.external_id:
                key = (_fold(child.first_name), _fold(child.tussenvoegsel), _fold(child.last_name), child.date_of_birth)
                self.unnumbered[key].append(child)
        self.placements: dict[int, list[_Placed]] = defaultdict(list)
        # who is placed at each childminder's home (its group), when: (child, start, end); the file's rows add theirs
        self.at_home: dict[int, list[tuple[object, datetime.date, datetime.date | None]]] = defaultdict(list)
        for row in Placement.objects.filter(child__organisation=organisation).values(
            "pk", "child_id", "group_id", "group__location_id", "start_date", "end_date"
        ):
            self.placements[row["child_id"]].append(
                _Placed(row["pk"], row["group_id"], row["group__location_id"], row["start_date"], row["end_date"])
            )
            if self.groups_by_id[row["group_id"]].location.is_childminder_home:
                self.at_home[row["group_id"]].append((row["child_id"], row["start_date"], row["end_date"]))
        self.mentors: dict[int, _Mentor] = {}
        for pk, child_id, email, start in (
            Mentorship.objects.current()
            .filter(child__organisation=organisation)
            .values_list("pk", "child_id", "mentor__email", "start_date")
        ):
            self.mentors[child_id] = _Mentor(pk, email.lower(), start)
        self._read_memberships()
        self.users: dict[str, User] = {}
        self.shared: set[str] = set()
        self.planned_memberships: set[tuple[str, MembershipPlan]] = set()
        # the places the file adds, and the rows of its list of locations and groups
        self.places: list[PlaceLine] = []
        self.place_lines: dict[int, PlaceLine] = {}  # a planned place's (negative) id -> its line
        self.declared: dict[tuple[str, int], int] = {}  # (kind, id) -> the line of the list that names it
        self.first_group_at: dict[str, str] = {}  # a location's folded name -> the first group the file names there
        self.named_at: dict[str, set[str]] = defaultdict(set)  # a group's folded name -> its locations' in the file
        self.line = 0  # the row being read
        self._last_ref = 0
        self._undo: list[Callable[[], None]] = []

    def _read_memberships(self) -> None:
        self.memberships: dict[str, set[MembershipPlan]] = defaultdict(set)
        self.group_staff: set[tuple[str, int]] = set()
        self.gastouders: dict[int, str] = {}  # a childminder's home's group -> its gastouder's e-mail address
        for user_email, role, location_id, group_id in Membership.objects.filter(
            organisation=self.organisation
        ).values_list("user__email", "role", "location_id", "group_id"):
            email = user_email.lower()
            self.memberships[email].add(MembershipPlan(role, location_id, group_id))
            if role in GROUP_LOGGERS and group_id:
                self.group_staff.add((email, group_id))
            if role == Role.GASTOUDER and group_id:
                self.gastouders[group_id] = email

    def read_users(self, emails: Iterable[str]) -> None:
        wanted = sorted(set(emails))
        if wanted:
            users = User.objects.annotate(lower_email=Lower("email")).filter(lower_email__in=wanted)
            self.users = {user.email.lower(): user for user in users}
            elsewhere = Membership.objects.filter(user__in=self.users.values()).exclude(organisation=self.organisation)
            shared = {email.lower() for email in elsewhere.values_list("user__email", flat=True)}
            # an account that works elsewhere too (or a platform superuser) keeps its name: it is not
            # this organisation's alone (staff.access.managed_users)
            self.shared = shared | {email for email, user in self.users.items() if user.is_superuser}

    # --- the rows, one at a time: what a refused row planned is taken back --------------------------

    def read_row(self, line: int) -> None:
        self.line = line
        self._undo = []

    def take_back(self) -> None:
        """The row was refused: the places it alone named are not added."""
        for undo in reversed(self._undo):
            undo()
        self._undo = []

    def note_file_places(self, rows: Iterable[Row], mapping: ColumnMapping) -> None:
        """Which groups the file names at which locations, before any row is read: a group named without
        its location must be one of its name in the records and in the file, and a new childminder's home
        gets the group name the file first gives it."""
        location_at, group_at, groups_at = mapping.get("location"), mapping.get("group"), mapping.get("groups")
        if location_at is None:
            return
        for row in rows:
            location = _fold(row.cell(location_at))
            if not location:
                continue
            for name in [row.cell(group_at), *_LIST_SPLIT.split(row.cell(groups_at))]:
                if name:
                    self.first_group_at.setdefault(location, name)
                    self.named_at[_fold(name)].add(location)

    # --- looking places up, and planning the new ones ------------------------------------------------

    def _add_group(self, group: Group) -> None:
        self.groups[(group.location_id, _fold(group.name))].append(group)
        self.groups_named[_fold(group.name)].append(group)
        self.groups_at[group.location_id].append(group)
        self.group_location[group.pk] = group.location_id
        self.group_names[group.pk] = group.name
        self.groups_by_id[group.pk] = group

    def _forget_group(self, group: Group) -> None:
        self.groups[(group.location_id, _fold(group.name))].remove(group)
        self.groups_named[_fold(group.name)].remove(group)
        self.groups_at[group.location_id].remove(group)
        for index in (self.group_location, self.group_names, self.groups_by_id):
            del index[group.pk]

    def _ref(self) -> int:
        self._last_ref -= 1
        return self._last_ref

    def _add_line(self, line: PlaceLine) -> None:
        self.places.append(line)
        self.place_lines[line.ref] = line

        def undo() -> None:
            self.places.remove(line)
            del self.place_lines[line.ref]

        self._undo.append(undo)

    def location(self, name: str) -> Location:
        """The location of this name (compared without case and extra spaces), or a new one."""
        found = self.locations.get(_fold(name), [])
        if len(found) > 1:
            raise Refused(
                _(
                    "The organisation has more than one location called %(name)s, written differently (%(names)s): "
                    "make the names differ in the administration."
                )
                % {"name": name, "names": ", ".join(sorted(location.name for location in found))}
            )
        return found[0] if found else self._plan_location(name)

    def _plan_location(self, text: str) -> Location:
        name = _place_name(text, "location")
        kind = Location.Kind.CHILDMINDER if self.organisation.is_agency else Location.Kind.CENTRE
        location = Location(pk=self._ref(), organisation=self.organisation, name=name, kind=kind)
        key = _fold(name)
        self.locations[key].append(location)
        self.locations_by_id[location.pk] = location

        def undo() -> None:
            self.locations[key].remove(location)
            del self.locations_by_id[location.pk]

        self._undo.append(undo)
        self._add_line(PlaceLine(self.line, PlaceKind.LOCATION, location.pk, name, "", Status.NEW, location_kind=kind))
        if location.is_childminder_home:  # a home has its one group from the start
            self._plan_group(location, self.first_group_at.get(key) or name)
        return location

    def _plan_group(self, location: Location, text: str) -> Group:
        name = _place_name(text, "group")
        group = Group(pk=self._ref(), location=location, name=name)  # the model's ages until the file gives them
        self._add_group(group)
        self._undo.append(lambda: self._forget_group(group))
        ages = (group.min_age_months, group.max_age_months)
        self._add_line(
            PlaceLine(self.line, PlaceKind.GROUP, group.pk, name, location.name, Status.NEW, location.pk, ages=ages)
        )
        return group

    def group(self, name: str, location_name: str) -> Group:
        if not name and location_name:
            return self.home_group(location_name)
        if location_name:
            location = self.location(location_name)
            if location.is_childminder_home:
                return self._group_at_home(location, name)
            found = self.groups.get((location.pk, _fold(name)), [])
            if len(found) > 1:
                raise Refused(
                    _("%(location)s has more than one group called %(group)s, written differently: %(names)s.")
                    % {"location": location.name, "group": name, "names": ", ".join(sorted(g.name for g in found))}
                )
            return found[0] if found else self._plan_group(location, name)
        named = self.groups_named.get(_fold(name), [])
        if not named:
            raise Refused(
                _("Unknown group: %(group)s. Fill in the column Locatie, and it is added at that location.")
                % {"group": name}
            )
        elsewhere = self.named_at.get(_fold(name), set()) - {_fold(group.location.name) for group in named}
        if len(named) > 1 or elsewhere:
            raise Refused(
                _("There is a group %(group)s at more than one location: fill in the column Locatie.") % {"group": name}
            )
        return named[0]

    def home_group(self, location_name: str) -> Group:
        """The one group of a childminder's home, named by the home alone."""
        location = self.location(location_name)
        groups = self.groups_at[location.pk]
        if not location.is_childminder_home or len(groups) > 1:
            raise Refused(_("%(column)s is missing.") % {"column": column_name("group")})
        if not groups:  # a home without its group yet
            return self._plan_group(location, self.first_group_at.get(_fold(location.name)) or location.name)
        return groups[0]

    def _group_at_home(self, location: Location, name: str) -> Group:
        """A childminder's home has one group: a row may name it, not a second one."""
        groups = self.groups_at[location.pk]
        found = [group for group in groups if _fold(group.name) == _fold(name)]
        if len(found) == 1:
            return found[0]
        if not groups and _fold(self.first_group_at.get(_fold(location.name), name)) == _fold(name):
            return self._plan_group(location, name)
        first = groups[0].name if groups else self.first_group_at[_fold(location.name)]
        raise Refused(
            _("%(home)s is a childminder's home with one group, %(group)s; this line names another: %(name)s.")
            % {"home": location.name, "group": first, "name": name}
        )

    def check_room_at_home(self, group: Group, child: object, start: datetime.date, end: datetime.date | None) -> None:
        """At most six children at once at a childminder's home; the row's child then counts there."""
        if not group.location.is_childminder_home:
            return
        others = [placed for placed in self.at_home[group.pk] if placed[0] != child]
        if most_children_at_once(start, end, others) >= Group.CHILDMINDER_MAX_CHILDREN:
            raise Refused(
                _("A childminder's home has at most %(count)d children at once; it is full in that period.")
                % {"count": Group.CHILDMINDER_MAX_CHILDREN}
            )
        self.at_home[group.pk] = [*others, (child, start, end)]


def _place_name(text: str, code: str) -> str:
    """A new place's name as the file writes it, without the spaces around and between the words; a
    name that shows nothing is no name."""
    name = " ".join(visible_text(text).split())
    if not name:
        raise Refused(_("%(column)s is missing.") % {"column": column_name(code)})
    return _check_length(name, 200, code)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_date(text: str, column: str) -> datetime.date:
    """dd-mm-jjjj or jjjj-mm-dd (an Excel date arrives as the latter)."""
    dutch, iso = _DUTCH_DATE.fullmatch(text), _ISO_DATE.fullmatch(text)
    try:
        if dutch:
            return datetime.date(int(dutch[3]), int(dutch[2]), int(dutch[1]))
        if iso:
            return datetime.date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        pass
    raise Refused(
        _("%(column)s “%(value)s” is not a date: write dd-mm-yyyy (31-12-2024) or yyyy-mm-dd (2024-12-31).")
        % {"column": column, "value": text}
    )


def _required(row: Row, mapping: ColumnMapping, code: str) -> str:
    value = row.cell(mapping.get(code))
    if not value:
        raise Refused(_("%(column)s is missing.") % {"column": column_name(code)})
    return value


def _check_formulas(row: Row, mapping: ColumnMapping) -> None:
    for code, index in mapping.positions.items():
        if index in row.formulas:
            raise Refused(
                _(
                    "The column %(column)s holds a formula (%(start)s…): we do not read formulas. "
                    "Type the value itself in the planning system or the file."
                )
                % {"column": column_name(code), "start": row.cell(index)[:20]}
            )


def _check_length(value: str, limit: int, code: str) -> str:
    if len(value) > limit:
        raise Refused(
            _("%(column)s is longer than %(limit)d characters.") % {"column": column_name(code), "limit": limit}
        )
    return value


@dataclass
class _ChildRow:
    line: int
    values: dict[str, Any]
    form_of_address: str
    group: Group
    start_date: datetime.date
    end_date: datetime.date | None
    mentor_email: str


def _child_values(row: Row, mapping: ColumnMapping) -> dict[str, Any]:
    external_id = _check_length(_required(row, mapping, "external_id"), 50, "external_id")
    first_name = _check_length(_required(row, mapping, "first_name"), 100, "first_name")
    last_name = _required(row, mapping, "last_name")
    tussenvoegsel = row.cell(mapping.get("tussenvoegsel"))
    if not mapping.has("tussenvoegsel"):
        tussenvoegsel, last_name = split_surname(last_name)  # "de Vries" written whole
    born = parse_date(_required(row, mapping, "date_of_birth"), column_name("date_of_birth"))
    if born > today():
        raise Refused(_("The date of birth %(date)s lies in the future.") % {"date": numeric_date(born)})
    return {
        "external_id": external_id,
        "first_name": first_name,
        "tussenvoegsel": _check_length(tussenvoegsel, 20, "tussenvoegsel"),
        "last_name": _check_length(last_name, 100, "last_name"),
        "date_of_birth": born,
    }


def _form_of_address(text: str) -> str:
    if not text:
        return ""
    found = FORMS_OF_ADDRESS.get(_fold(text))
    if found is None:
        raise Refused(_("Unknown form of address “%(value)s”: write hij, zij or naam.") % {"value": text})
    return str(found)


def _placement_dates(
    row: Row, mapping: ColumnMapping, born: datetime.date
) -> tuple[datetime.date, datetime.date | None]:
    start = parse_date(_required(row, mapping, "start_date"), column_name("start_date"))
    end_text = row.cell(mapping.get("end_date"))
    end = parse_date(end_text, column_name("end_date")) if end_text else None
    if start < born:
        raise Refused(_("The placement starts before the date of birth."))
    if end is not None and end < start:
        raise Refused(_("The end date lies before the start date."))
    return start, end


def _mentor(row: Row, mapping: ColumnMapping, group: Group, context: _Organisation) -> str:
    email = row.cell(mapping.get("mentor")).lower()
    if email and (email, group.pk) not in context.group_staff:
        raise Refused(
            _("Mentor %(email)s is not a pedagogical staff member of group %(group)s.")
            % {"email": email, "group": group.name}
        )
    return email


def _read_child_row(row: Row, mapping: ColumnMapping, context: _Organisation) -> _ChildRow:
    _check_formulas(row, mapping)
    values = _child_values(row, mapping)
    location_name = row.cell(mapping.get("location"))
    group_name = row.cell(mapping.get("group")) if location_name else _required(row, mapping, "group")
    group = context.group(group_name, location_name)
    start, end = _placement_dates(row, mapping, values["date_of_birth"])
    form_of_address = _form_of_address(row.cell(mapping.get("form_of_address")))
    return _ChildRow(row.number, values, form_of_address, group, start, end, _mentor(row, mapping, group, context))


def _existing_child(read: _ChildRow, context: _Organisation) -> Child | None:
    values = read.values
    child = context.by_number.get(values["external_id"])
    if child is not None:
        return child
    key = (
        _fold(values["first_name"]),
        _fold(values["tussenvoegsel"]),
        _fold(values["last_name"]),
        values["date_of_birth"],
    )
    matches = context.unnumbered.get(key, [])
    if len(matches) > 1:
        raise Refused(_("More than one child without a child number has this name and date of birth."))
    return matches[0] if matches else None


def _placement_for(read: _ChildRow, placed: list[_Placed]) -> tuple[PlacementPlan, bool, list[int]]:
    """The placement the row describes (an existing one, or a new one), whether it changes, and the
    open placements elsewhere that end because the child moves."""
    same_group = [p for p in placed if p.group_id == read.group.pk]
    match = next((p for p in same_group if p.start_date == read.start_date), None)
    match = match or next((p for p in same_group if p.end_date is None), None)
    if match is not None:
        plan = PlacementPlan(match.pk, read.group.pk, read.start_date, read.end_date)
        return plan, (match.start_date, match.end_date) != (read.start_date, read.end_date), []
    far = datetime.date.max
    if any(p.start_date <= (read.end_date or far) and read.start_date <= (p.end_date or far) for p in same_group):
        raise Refused(_("This placement overlaps an earlier placement of the child in this group."))
    moving = [p for p in placed if p.end_date is None]
    if any(p.start_date >= read.start_date for p in moving):
        raise Refused(
            _("The child has a placement elsewhere that starts on or after %(date)s; change it in the administration.")
            % {"date": numeric_date(read.start_date)}
        )
    return PlacementPlan(None, read.group.pk, read.start_date, read.end_date), True, [p.pk for p in moving]


def _child_line(read: _ChildRow, context: _Organisation) -> ChildLine:
    child = _existing_child(read, context)
    values = dict(read.values)
    if read.form_of_address:
        values["form_of_address"] = read.form_of_address
    name = join_name(values["first_name"], values["tussenvoegsel"], values["last_name"])
    placed = context.placements.get(child.pk, []) if child else []
    placement, placement_changed, close = _placement_for(read, placed)
    context.check_room_at_home(
        read.group, child.pk if child else read.values["external_id"], read.start_date, read.end_date
    )
    current = context.mentors.get(child.pk) if child else None
    mentor_changed = bool(read.mentor_email) and (current is None or current.email != read.mentor_email)
    changed = [key for key, value in values.items() if child is not None and getattr(child, key) != value]
    line = ChildLine(
        read.line,
        values["external_id"],
        name,
        read.group.name,
        Status.UNCHANGED,
        child.pk if child else None,
        values,
        changed,
        placement,
        placement_changed,
        close,
        read.mentor_email,
        mentor_changed,
    )
    line.status, line.changes = _child_status(line, placed)
    return line


def _field_name(model: type[models.Model], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _placement_changes(before: _Placed | None, after: PlacementPlan) -> list[str]:
    if before is None:
        return [str(Placement._meta.verbose_name)]
    changes = []
    if before.start_date != after.start_date:
        changes.append(_("start date %(date)s") % {"date": numeric_date(after.start_date)})
    if before.end_date != after.end_date:
        end = after.end_date
        changes.append(_("end date %(date)s") % {"date": numeric_date(end)} if end else _("no end date any more"))
    return changes


def _child_status(line: ChildLine, placed: list[_Placed]) -> tuple[Status, list[str]]:
    if line.child_id is None:
        return Status.NEW, []
    changes = [_field_name(Child, key) for key in line.changed_fields]
    before = next((p for p in placed if p.pk == line.placement.placement_id), None)
    if line.close_placements:
        changes.append(_("moves to group %(group)s") % {"group": line.group_name})
    elif line.placement_changed:
        changes += _placement_changes(before, line.placement)
    if line.mentor_changed:
        changes.append(_field_name(Mentorship, "mentor"))
    if not changes:
        return Status.UNCHANGED, []
    ends_now = before is not None and before.end_date is None and line.placement.end_date is not None
    return (Status.ENDING if ends_now else Status.CHANGED), changes


def _role(text: str, kind: str) -> str:
    """The role a cell names; an unknown one is refused with the roles of the organisation's kind."""
    words: dict[str, str] = {word: str(role) for word, role in ROLE_WORDS.items()}
    for code in ROLE_RULES:
        words[_fold(str(code))] = str(code)
        for language in ("nl", "en"):
            with translation.override(language):
                words[_fold(str(Role(code).label))] = str(code)
    role = words.get(_fold(text))
    if role is None:
        with translation.override("nl"):
            known = ", ".join(str(Role(r).label) for r in roles_in(kind))
        raise Refused(_("Unknown role “%(role)s”: write one of %(known)s.") % {"role": text, "known": known})
    return str(role)


def _staff_places(row: Row, mapping: ColumnMapping, role: str, context: _Organisation) -> list[MembershipPlan]:
    rule = ROLE_RULES[role]
    if context.organisation.kind not in rule.organisation_kinds:
        raise Refused(
            _("A %(role)s does not work in a %(kind)s.")
            % {"role": Role(role).label, "kind": context.organisation.get_kind_display()}
        )
    places = _places_of_row(row, mapping, role, context)
    if rule.works_at_childminder_homes:
        _check_childminder_home(places, role, row.cell(mapping.get("email")).lower(), context)
    return places


def _check_childminder_home(places: list[MembershipPlan], role: str, email: str, context: _Organisation) -> None:
    for place in places:
        group = context.groups_by_id[place.group_id] if place.group_id is not None else None
        location = group.location if group is not None else context.locations_by_id[place.location_id or 0]
        if not location.is_childminder_home:
            raise Refused(_("A %(role)s works at a childminder's home: choose one.") % {"role": Role(role).label})
        if group is not None and role == Role.GASTOUDER and context.gastouders.setdefault(group.pk, email) != email:
            raise Refused(
                _("%(home)s already has its childminder (%(email)s).")
                % {"home": location.name, "email": context.gastouders[group.pk]}
            )


def _places_of_row(row: Row, mapping: ColumnMapping, role: str, context: _Organisation) -> list[MembershipPlan]:
    level = ROLE_RULES[role].level
    location_name = row.cell(mapping.get("location"))
    if level == ScopeLevel.ORGANISATION:
        return [MembershipPlan(role, None, None)]
    if level == ScopeLevel.LOCATION:
        if not location_name:
            raise Refused(
                _("A %(role)s belongs to a location: fill in the column Locatie.") % {"role": Role(role).label}
            )
        return [MembershipPlan(role, context.location(location_name).pk, None)]
    names = [
        name for name in _LIST_SPLIT.split(row.cell(mapping.get("groups")) or row.cell(mapping.get("group"))) if name
    ]
    if not names and location_name and context.location(location_name).is_childminder_home:
        return [MembershipPlan(role, None, context.home_group(location_name).pk)]
    if not names:
        raise Refused(_("A %(role)s belongs to a group: fill in the column Groepen.") % {"role": Role(role).label})
    return [MembershipPlan(role, None, context.group(name, location_name).pk) for name in names]


def _staff_line(row: Row, mapping: ColumnMapping, context: _Organisation) -> StaffLine:
    _check_formulas(row, mapping)
    email = _required(row, mapping, "email").lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Refused(_("%(email)s is not an e-mail address.") % {"email": email}) from None
    role = _role(_required(row, mapping, "role"), context.organisation.kind)
    places = _staff_places(row, mapping, role, context)
    first_name, _space, last_name = row.cell(mapping.get("name")).partition(" ")
    user = context.users.get(email)
    if user is not None and email not in context.memberships:
        raise Refused(
            _("%(email)s belongs to an account outside this organisation; add this person in the administration.")
            % {"email": email}
        )
    planned_before = any(e == email for e, _plan in context.planned_memberships)
    new = [p for p in places if p not in context.memberships[email] and (email, p) not in context.planned_memberships]
    context.planned_memberships.update((email, p) for p in places)
    for plan in places:
        if plan.group_id is not None and plan.role in GROUP_LOGGERS:
            context.group_staff.add((email, plan.group_id))
    name_changed = (
        bool(first_name)
        and user is not None
        and email not in context.shared
        and (user.first_name, user.last_name) != (first_name, last_name)
    )
    status = (
        Status.NEW
        if user is None and not planned_before
        else Status.CHANGED
        if new or name_changed
        else Status.UNCHANGED
    )
    changes = [str(User._meta.get_field("first_name").verbose_name)] if name_changed else []
    changes += [_("role %(role)s") % {"role": Role(p.role).label} for p in new] if user is not None else []
    return StaffLine(
        row.number, email, first_name, last_name, role, status, user.pk if user else None, name_changed, new, changes
    )


def _filled(row: Row, mapping: ColumnMapping, codes: Iterable[str]) -> bool:
    return any(row.cell(mapping.get(code)) for code in codes)


def _row_kind(row: Row, mapping: ColumnMapping) -> str:
    """Staff, child or place: a row that fills none of the children's and the staff's columns
    belongs to the list of locations and groups."""
    if mapping.has_staff:
        if not mapping.has_children and _filled(row, mapping, STAFF_CODES):
            return "staff"
        if not _filled(row, mapping, ("external_id", "date_of_birth")) and _filled(row, mapping, ("email", "role")):
            return "staff"
    if not _filled(row, mapping, (*CHILD_CODES, *STAFF_CODES)):
        return "place"
    return "child"


def _what(row: Row, mapping: ColumnMapping, kind: str) -> str:
    if kind == "staff":
        return row.cell(mapping.get("email"))
    if kind == "place":
        return row.cell(mapping.get("group")) or row.cell(mapping.get("location"))
    number = row.cell(mapping.get("external_id"))
    return (_("child number %(number)s") % {"number": number}) if number else ""


MAX_AGE_MONTHS = 216  # 18 years: from the baby room to out-of-school care and beyond


def _age(row: Row, mapping: ColumnMapping, code: str) -> int | None:
    text = row.cell(mapping.get(code))
    if not text:
        return None
    if not text.isdigit() or int(text) > MAX_AGE_MONTHS:
        raise Refused(
            _("%(column)s “%(value)s” is not an age in months: write a whole number from 0 to %(most)d.")
            % {"column": column_name(code), "value": text, "most": MAX_AGE_MONTHS}
        )
    return int(text)


def _ages_label(ages: tuple[int, int]) -> str:
    return _("%(low)s to %(high)s months") % {"low": ages[0], "high": ages[1]}


def _place_line(row: Row, mapping: ColumnMapping, context: _Organisation) -> None:
    """A row of the list of locations and groups: Locatie, Groep (empty: the location itself, or a
    childminder's home's one group) and the group's ages, if the file has them. A new place is planned
    (its line is already there); one the organisation has is unchanged, or changed by other ages."""
    _check_formulas(row, mapping)
    location_name, group_name = row.cell(mapping.get("location")), row.cell(mapping.get("group"))
    low, high = _age(row, mapping, "min_age"), _age(row, mapping, "max_age")
    if not group_name and not location_name:
        raise Refused(_("%(column)s is missing.") % {"column": column_name("location")})
    place: Location | Group
    if group_name or context.location(location_name).is_childminder_home:
        place = context.group(group_name, location_name)
    else:
        place = context.location(location_name)
        if low is not None or high is not None:
            raise Refused(_("Ages belong to a group: fill in the column Groep."))
    kind = PlaceKind.GROUP if isinstance(place, Group) else PlaceKind.LOCATION
    earlier = context.declared.get((kind, place.pk))
    if earlier is not None:
        message = (
            _("This group is in the file already (line %(line)d).")
            if kind == PlaceKind.GROUP
            else _("This location is in the file already (line %(line)d).")
        )
        raise Refused(message % {"line": earlier})
    planned = context.place_lines.get(place.pk)
    ages = None
    if isinstance(place, Group):
        before = planned.ages if planned is not None and planned.ages else (place.min_age_months, place.max_age_months)
        ages = (before[0] if low is None else low, before[1] if high is None else high)
        if ages[0] > ages[1]:
            raise Refused(
                _("The youngest age (%(low)d months) is above the oldest (%(high)d months).")
                % {"low": ages[0], "high": ages[1]}
            )
    context.declared[(kind, place.pk)] = row.number
    if planned is not None:  # new: its line is there already
        planned.ages = ages if ages is not None else planned.ages
        return
    line = PlaceLine(row.number, kind, place.pk, place.name, "", Status.UNCHANGED)
    if isinstance(place, Group):
        assert ages is not None
        line.location_name, line.location_ref, line.ages = place.location.name, place.location_id, ages
        if ages != (place.min_age_months, place.max_age_months):
            line.status, line.changes = Status.CHANGED, [_ages_label(ages)]
    else:
        line.location_kind = place.kind
    context.places.append(line)


def _read_rows(
    rows: list[Row],
    mapping: ColumnMapping,
    context: _Organisation,
    plan: ImportPlan,
    kind: str,
    read: Callable[[Row], None],
) -> None:
    """Each row read with `read`; a refused one is noted with its reason, and the places it alone
    named are not added."""
    for row in rows:
        context.read_row(row.number)
        try:
            read(row)
        except Refused as refused:
            context.take_back()
            plan.refused.append(Refusal(row.number, _what(row, mapping, kind), str(refused)))


def plan_import(organisation: Organisation, table: Table | Iterable[Row], mapping: ColumnMapping) -> ImportPlan:
    """The dry run: every row new, changed, ending, unchanged or refused (with the reason), the
    locations and groups the file adds, and the children the file no longer lists. Reads; writes
    nothing. The list of locations and groups is read first, then the staff, then the children."""
    rows = list(table.rows if isinstance(table, Table) else table)
    context = _Organisation(organisation)
    context.note_file_places(rows, mapping)
    plan = ImportPlan(organisation.pk, today(), ignored_columns=mapping.ignored, rows=tuple(rows), mapping=mapping)
    kinds = {row.number: _row_kind(row, mapping) for row in rows}
    place_rows = [row for row in rows if kinds[row.number] == "place"]
    staff_rows = [row for row in rows if kinds[row.number] == "staff"]
    child_rows = [row for row in rows if kinds[row.number] == "child"]
    _read_rows(place_rows, mapping, context, plan, "place", lambda row: _place_line(row, mapping, context))
    context.read_users(row.cell(mapping.get("email")).lower() for row in staff_rows)
    _read_rows(
        staff_rows, mapping, context, plan, "staff", lambda row: plan.staff.append(_staff_line(row, mapping, context))
    )
    numbers = Counter(row.cell(mapping.get("external_id")) for row in child_rows)

    def read_child(row: Row) -> None:
        number = row.cell(mapping.get("external_id"))
        if number and numbers[number] > 1:
            lines = ", ".join(str(r.number) for r in child_rows if r.cell(mapping.get("external_id")) == number)
            raise Refused(_("This child number is in the file more than once (lines %(lines)s).") % {"lines": lines})
        plan.children.append(_child_line(_read_child_row(row, mapping, context), context))

    _read_rows(child_rows, mapping, context, plan, "child", read_child)
    if child_rows:
        plan.endings = _endings(context, plan, seen=set(numbers))
    plan.places = sorted(context.places, key=lambda line: (line.line, line.kind != PlaceKind.LOCATION))
    _note_lookalikes(plan.places, context)
    plan.refused.sort(key=lambda refusal: refusal.line)
    return plan


def _note_lookalikes(places: list[PlaceLine], context: _Organisation) -> None:
    """A new place whose name closely resembles one the organisation has at its level (a location: the
    organisation's locations; a group: its location's groups), or a new one on an earlier line of the file."""
    seen_new: set[int] = set()
    for line in places:
        if line.status != Status.NEW:
            continue
        if line.kind == PlaceKind.LOCATION:
            peers = {pk: location.name for pk, location in context.locations_by_id.items()}
        else:
            assert line.location_ref is not None
            peers = {group.pk: group.name for group in context.groups_at[line.location_ref]}
        others = {name: pk for pk, name in sorted(peers.items(), key=lambda item: item[1]) if pk > 0 or pk in seen_new}
        seen_new.add(line.ref)
        found = lookalike(line.name, others)
        if found is not None:
            line.lookalike = found
            line.lookalike_line = context.place_lines[others[found]].line if others[found] < 0 else None


def _endings(context: _Organisation, plan: ImportPlan, seen: set[str]) -> list[Ending]:
    """Children with a child number the file no longer lists, placed at a location the file speaks of."""
    locations = {context.group_location[line.placement.group_id] for line in plan.children}
    end = plan.made_on - datetime.timedelta(days=1)  # the last day: yesterday, the export no longer has it
    months = settings.RETENTION_MONTHS_AFTER_LEAVING
    endings = []
    for number, child in sorted(context.by_number.items()):
        if number in seen:
            continue
        open_here = [
            p for p in context.placements.get(child.pk, []) if p.end_date is None and p.location_id in locations
        ]
        if not open_here:
            continue
        open_elsewhere = [p for p in context.placements[child.pk] if p.end_date is None and p not in open_here]
        mentor = context.mentors.get(child.pk)
        mentorships = (mentor.pk,) if mentor is not None and not open_elsewhere else ()
        last_day = max([end, *(p.start_date for p in open_here)])
        endings.append(
            Ending(
                child.pk,
                number,
                child.full_name,
                tuple(p.pk for p in open_here),
                mentorships,
                last_day,
                add_months(last_day, months) + datetime.timedelta(days=1),
            )
        )
    return endings
