"""The one place that decides what a user may see and do.

`scope_for(user)` reads the user's memberships once per request and returns a
`Scope`: per capability (see `ROLE_RULES` in staff/models.py) the places where
the user holds it. `Places` turns such a set of places into a filter on groups
(for querysets) and a yes/no for one group in hand: both from the same sets, so
"may read observations in this group" is one rule with two spellings side by side.

A Scope is data, not answers: staff/access.py (the accessors, `user_access`) and
children/models.py (`ChildRules`, from those accessors) decide with it; every view, the admin
and the reports go through them.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import Q, QuerySet

from organisations.compiled import CompiledQuery
from organisations.models import Group, Location
from staff.models import ROLE_RULES, Membership, ScopeLevel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from staff.models import User

    AnyUser = User | AnonymousUser | None
else:
    AnyUser = Any


class GroupPlace(NamedTuple):
    """A group with its location and organisation, as ids: where a child placed in it is, in hand
    (children/access.py reads the child's groups of today so, with the child)."""

    group_id: int
    location_id: int
    organisation_id: int


@dataclass(frozen=True)
class Places:
    """Ids of groups, locations and organisations: where a capability holds."""

    group_ids: frozenset[int] = frozenset()
    location_ids: frozenset[int] = frozenset()
    organisation_ids: frozenset[int] = frozenset()

    def groups_q(self, prefix: str = "") -> Q:
        """A filter for groups at these places (`prefix` reaches a group from another model, e.g. 'group__').
        Only the levels that hold places are named: an empty one adds nothing to the SQL but costs the
        ORM a join and its compiling in every rule built on it (children/models.py `ChildRules`)."""
        levels = (
            ("id", self.group_ids),
            ("location_id", self.location_ids),
            ("location__organisation_id", self.organisation_ids),
        )
        named = [Q(**{f"{prefix}{field}__in": ids}) for field, ids in levels if ids]
        if not named:
            return Q(**{f"{prefix}id__in": self.group_ids})  # no place: no group
        return reduce(operator.or_, named)

    def holds_group(self, group: Group) -> bool:
        """The same rule for one group in hand (no query unless organisation-wide places exist)."""
        if group.pk in self.group_ids or group.location_id in self.location_ids:
            return True
        return bool(self.organisation_ids) and group.location.organisation_id in self.organisation_ids

    def holds_place(self, place: GroupPlace) -> bool:
        """The same rule for a group whose location and organisation are in hand (no query)."""
        return (
            place.group_id in self.group_ids
            or place.location_id in self.location_ids
            or place.organisation_id in self.organisation_ids
        )

    def covers_location(self, location: Location) -> bool:
        """Holds at the whole of `location`: named itself, or its organisation (not one of its groups)."""
        return location.pk in self.location_ids or location.organisation_id in self.organisation_ids

    def whole_locations_q(self) -> Q:
        """A filter for the locations this holds at whole: the same rule as `covers_location`."""
        return Q(id__in=self.location_ids) | Q(organisation_id__in=self.organisation_ids)

    def locations_q(self) -> Q:
        """A filter for locations at these places: named ones, those of named groups, all of named organisations."""
        of_groups = Group.objects.filter(id__in=self.group_ids).values("location_id")
        return Q(id__in=self.location_ids) | Q(id__in=of_groups) | Q(organisation_id__in=self.organisation_ids)

    def __bool__(self) -> bool:
        return bool(self.group_ids or self.location_ids or self.organisation_ids)


def _places(rows: Iterable[tuple[str, int | None, int | None, int]]) -> Places:
    """The places of `rows` (role, group, location, organisation), each at the level of its role."""
    groups: set[int] = set()
    locations: set[int] = set()
    organisations: set[int] = set()
    for role, group_id, location_id, organisation_id in rows:
        rule = ROLE_RULES.get(role)
        if rule is None:
            continue
        if rule.level == ScopeLevel.GROUP and group_id is not None:
            groups.add(group_id)
        elif rule.level == ScopeLevel.LOCATION and location_id is not None:
            locations.add(location_id)
        elif rule.level == ScopeLevel.ORGANISATION:
            organisations.add(organisation_id)
    return Places(frozenset(groups), frozenset(locations), frozenset(organisations))


@dataclass(frozen=True)
class Scope:
    """What one user may see and do, read from their memberships through ROLE_RULES."""

    memberships: tuple[tuple[str, int | None, int | None, int], ...] = ()
    all_organisations: bool = False  # a platform superuser
    member: Places = field(default_factory=Places)  # every place with any membership: basic facts
    reads: Places = field(default_factory=Places)  # may read observations of the children placed there
    logs: Places = field(default_factory=Places)  # may log observations of the children placed there
    manages: Places = field(default_factory=Places)  # may set up records (the administration)
    reads_conversations: Places = field(default_factory=Places)  # may read parent conversations there
    records_conversations: Places = field(default_factory=Places)  # may record parent conversations there
    registers_tablets: Places = field(default_factory=Places)  # may link the groups' shared tablets there
    reads_agreement: Places = field(default_factory=Places)  # may read the agreement between observers there
    coaches_observers: Places = field(default_factory=Places)  # plans duo-observations, sees drift there
    reads_staff_activity: Places = field(default_factory=Places)  # reads the staff's entry counts by name there
    records_visits: Places = field(default_factory=Places)  # visits the childminders' homes there (home visits)
    second_factor: bool = False  # a role needs a second factor at sign-in (RoleRule.needs_second_factor)
    # The locations of the user's memberships that are a childminder's home (Location.Kind.CHILDMINDER),
    # read in the same query: whether the navigation offers the home visits needs no query of its own.
    childminder_location_ids: frozenset[int] = frozenset()

    @classmethod
    def from_memberships(
        cls,
        rows: Iterable[tuple[str, int | None, int | None, int]],
        *,
        all_organisations: bool = False,
        childminder_location_ids: Iterable[int] = (),
    ) -> Scope:
        rows = tuple(rows)

        def having(capability: str) -> Places:
            return _places(r for r in rows if getattr(ROLE_RULES.get(r[0]), capability, False))

        return cls(
            memberships=rows,
            all_organisations=all_organisations,
            member=_places(rows),
            reads=having("reads_observations"),
            logs=having("logs_observations"),
            manages=having("manages_records"),
            reads_conversations=having("reads_conversations"),
            records_conversations=having("records_conversations"),
            registers_tablets=having("registers_tablets"),
            reads_agreement=having("reads_agreement"),
            coaches_observers=having("coaches_observers"),
            reads_staff_activity=having("reads_staff_activity"),
            records_visits=having("records_visits"),
            second_factor=all_organisations
            or any(rule.needs_second_factor for rule in map(ROLE_RULES.get, (r[0] for r in rows)) if rule),
            childminder_location_ids=frozenset(childminder_location_ids),
        )


EMPTY_SCOPE = Scope()


def _memberships_of(user_id: int) -> QuerySet[Membership, tuple[str, int | None, int | None, int | None, str | None]]:
    return Membership.objects.filter(user_id=user_id).values_list(
        "role", "group_id", "location_id", "organisation_id", "location__kind"
    )


# Read on every page a person opens: compiled once (organisations/compiled.py).
_MEMBERSHIPS_OF = CompiledQuery(_memberships_of, user_id=int)


def scope_for(user: AnyUser) -> Scope:
    """The user's scope, computed once and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached: Scope | None = getattr(user, "_access_scope", None)
    if cached is not None:
        return cached
    read = _MEMBERSHIPS_OF.rows(user_id=user.pk)
    rows = [(role, group_id, location_id, organisation_id) for role, group_id, location_id, organisation_id, _ in read]
    childminder_homes = (row[2] for row in read if row[2] is not None and row[4] == Location.Kind.CHILDMINDER)
    scope = Scope.from_memberships(
        rows, all_organisations=user.is_superuser, childminder_location_ids=childminder_homes
    )
    user._access_scope = scope  # type: ignore[attr-defined]  # a per-request cache on the user object
    return scope
