"""The access module: who may see and do what, the one place the pages, the admin and the
reports ask.

- Scoped accessors for places and people: each returns a queryset filtered by the user's
  `Scope` (staff/scope.py), the only way views and the admin fetch them.
- `user_access(user)`: every answer that is not about one child (export a location, read the
  access log, set a PIN, the home page's sections, the navigation), named by what it allows.
  ROLE_RULES (staff/models.py) decides which roles hold it: no role names here.

Children have theirs one floor up (the floor rule: a child is a higher app's model):
children/models.py `ChildRules` builds each rule about a child from these accessors, the Child
queryset filters with them, and children/access.py `child_access(user, child_id)` answers every
question about one child in one query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from organisations.models import Group, Location, Organisation
from staff.models import ROLE_RULES, Membership, ScopeLevel, User
from staff.scope import AnyUser, GroupPlace, Scope, scope_for


@dataclass(frozen=True)
class UserAccess:
    """What one user may do beyond a single child, each answer named by what it allows.
    No query: it reads the user's scope (their memberships, read once per request)."""

    scope: Scope

    def reads_observations_in(self, group: Group) -> bool:
        """May read the observations of the children placed in `group`."""
        return self.scope.reads.holds_group(group)

    def logs_in(self, group: Group) -> bool:
        """May log observations for the children placed in `group`."""
        return self.scope.logs.holds_group(group)

    # The same answers for a group in hand as ids (staff/scope.py `GroupPlace`): one child's rights,
    # read with the child in one query (children/models.py `ChildRules.held_for`). Each is the rule of
    # the accessor named beside it, for one group.

    def sees_children_at(self, place: GroupPlace) -> bool:
        """`visible_groups`: the basic facts of the children placed there (a platform superuser: all)."""
        return self.scope.all_organisations or self.scope.member.holds_place(place)

    def reads_observations_at(self, place: GroupPlace) -> bool:
        """`readable_groups`."""
        return self.scope.reads.holds_place(place)

    def logs_at(self, place: GroupPlace) -> bool:
        """`loggable_groups`."""
        return self.scope.logs.holds_place(place)

    def reads_conversations_at(self, place: GroupPlace) -> bool:
        """`conversation_reading_groups`."""
        return self.scope.reads_conversations.holds_place(place)

    def records_conversations_at(self, place: GroupPlace) -> bool:
        """`conversation_recording_groups`."""
        return self.scope.records_conversations.holds_place(place)

    def may_export(self, location: Location) -> bool:
        """Asks for the batch exports (the summary PDFs of every child) of `location` or of one of its
        groups: reads the observations of the whole location (ROLE_RULES: managers and coaches)."""
        return self.scope.reads.covers_location(location)

    def reads_agreement_at(self, location: Location) -> bool:
        """Opens the agreement page of `location`: how well its observers agree (ROLE_RULES: managers
        and coaches of the location)."""
        return self.scope.reads_agreement.covers_location(location)

    def coaches_observers_at(self, location: Location) -> bool:
        """Plans duo-observations at `location` and sees where one observer's ratings drift from the
        colleagues' on a pillar, as a pillar to talk about (ROLE_RULES: the coach only)."""
        return self.scope.coaches_observers.covers_location(location)

    def reads_staff_activity_in(self, group: Group) -> bool:
        """Reads how many entries each staff member of `group` made, by name (ROLE_RULES: managers and
        coaches). Others who read the group see their own count and the group's total only: a colleague's
        count by name is not theirs to watch."""
        return self.scope.reads_staff_activity.holds_group(group)

    def records_visits_at(self, location: Location) -> bool:
        """Visits the childminder's home `location` and records those home visits, with what was seen of
        the children there and what was agreed with the childminder (ROLE_RULES: `records_visits`).
        Only a childminder's home (Location.Kind.CHILDMINDER) is visited so."""
        return location.kind == Location.Kind.CHILDMINDER and self.scope.records_visits.covers_location(location)

    @property
    def records_visits(self) -> bool:
        """Has a childminder's home to visit: the navigation and the home page offer the visits
        overview. No query: the kinds of the membership's locations are read with the memberships."""
        visits = self.scope.records_visits
        return bool(visits.location_ids & self.scope.childminder_location_ids or visits.organisation_ids)

    @property
    def manages_records(self) -> bool:
        """Sets up places, people and children (the administration), and so reads the access log of
        those organisations: organisation admins and platform superusers."""
        return bool(self.scope.manages) or self.scope.all_organisations

    @property
    def needs_second_factor(self) -> bool:
        """Signs in with a second factor: a role that reaches more than one group (ROLE_RULES:
        `RoleRule.needs_second_factor`), or a platform superuser."""
        return self.scope.second_factor

    @property
    def may_read_access_log(self) -> bool:
        return self.manages_records

    @property
    def logs_observations(self) -> bool:
        """Logs observations somewhere: has mentor children, switches user on a group tablet with a
        PIN (the PIN page), sees the mentor list."""
        return bool(self.scope.logs)

    @property
    def may_set_pin(self) -> bool:
        return self.logs_observations

    @property
    def managed_location_ids(self) -> frozenset[int]:
        """Locations the user reads whole and runs (links the groups' tablets): "Locations I manage"."""
        return self.scope.reads.location_ids & self.scope.registers_tablets.location_ids

    @property
    def coached_location_ids(self) -> frozenset[int]:
        """The other locations the user reads whole: "Locations I coach"."""
        return self.scope.reads.location_ids - self.managed_location_ids

    @property
    def has_memberships(self) -> bool:
        """Works somewhere (a platform superuser without memberships does not)."""
        return bool(self.scope.memberships)

    @property
    def has_no_place(self) -> bool:
        """Neither a membership nor a platform superuser: nothing to show yet."""
        return not (self.scope.memberships or self.scope.all_organisations)

    @property
    def sees_every_organisation(self) -> bool:
        return self.scope.all_organisations

    @property
    def whole_organisation_ids(self) -> frozenset[int]:
        """Organisations where the user holds an organisation-wide role: they see all its children."""
        return self.scope.member.organisation_ids


def user_access(user: AnyUser) -> UserAccess:
    """Every answer about `user` beyond one child (children/access.py has those)."""
    return UserAccess(scope_for(user))


def group_logger_memberships(group_ids: Iterable[int]) -> QuerySet[Membership]:
    """The memberships that let their users log observations in these groups (ROLE_RULES: a role
    at group level that logs; today the group's pedagogical staff)."""
    roles = [
        str(role) for role, rule in ROLE_RULES.items() if rule.logs_observations and rule.level == ScopeLevel.GROUP
    ]
    return Membership.objects.filter(role__in=roles, group_id__in=list(group_ids))


def visible_organisations(user: AnyUser) -> QuerySet[Organisation]:
    """The organisations whose records the user manages (platform superusers: all)."""
    scope = scope_for(user)
    if scope.all_organisations:
        return Organisation.objects.all()
    return Organisation.objects.filter(id__in=scope.manages.organisation_ids)


def visible_locations(user: AnyUser) -> QuerySet[Location]:
    """Locations where the user holds any membership, or of the organisations they manage."""
    scope = scope_for(user)
    if scope.all_organisations:
        return Location.objects.all()
    return Location.objects.filter(scope.member.locations_q())


def visible_groups(user: AnyUser) -> QuerySet[Group]:
    """Groups where the user holds any membership (directly, through the location or the organisation)."""
    scope = scope_for(user)
    if scope.all_organisations:
        return Group.objects.all()
    return Group.objects.filter(scope.member.groups_q())


def readable_groups(user: AnyUser) -> QuerySet[Group]:
    """Groups whose children's observations the user may read. Platform superusers and
    organisation admins manage records; they do not read observations."""
    return Group.objects.filter(scope_for(user).reads.groups_q())


def loggable_groups(user: AnyUser) -> QuerySet[Group]:
    """Groups whose children the user may log observations for."""
    return Group.objects.filter(scope_for(user).logs.groups_q())


def conversation_reading_groups(user: AnyUser) -> QuerySet[Group]:
    """Groups whose children's parent conversations the user's role reads (ROLE_RULES: manager, coach).
    A child's own mentor reads that child's too: children/models.py `ChildRules`."""
    return Group.objects.filter(scope_for(user).reads_conversations.groups_q())


def conversation_recording_groups(user: AnyUser) -> QuerySet[Group]:
    """Groups whose children's parent conversations the user's role records (ROLE_RULES: coach)."""
    return Group.objects.filter(scope_for(user).records_conversations.groups_q())


def tablet_groups(user: AnyUser) -> QuerySet[Group]:
    """Groups whose shared tablets the user links and unlinks (ROLE_RULES: the location manager)."""
    return Group.objects.filter(scope_for(user).registers_tablets.groups_q())


def visit_locations(user: AnyUser) -> QuerySet[Location]:
    """The childminders' homes the user visits and records home visits of (ROLE_RULES: `records_visits`;
    the same rule as `UserAccess.records_visits_at`)."""
    places = scope_for(user).records_visits
    if not places:
        return Location.objects.none()
    return Location.objects.filter(places.whole_locations_q(), kind=Location.Kind.CHILDMINDER)


def managed_locations(user: AnyUser) -> QuerySet[Location]:
    """Locations of the organisations the user manages: what the administration offers them.
    Unlike `visible_locations`, a membership elsewhere (say, staff of a group) adds nothing."""
    return Location.objects.filter(organisation__in=visible_organisations(user))


def managed_groups(user: AnyUser) -> QuerySet[Group]:
    """Groups of the organisations the user manages (see `managed_locations`)."""
    return Group.objects.filter(location__organisation__in=visible_organisations(user))


def managed_users(user: AnyUser) -> QuerySet[User]:
    """The users an organisation admin may change (name, password, memberships) or delete:
    those with at least one membership, every one of them in the organisation(s) the admin
    manages, and never a platform superuser. A user who also works for another organisation
    is that organisation's concern too, so no single organisation admin takes over the account.
    The admin themselves are in it (their name, e-mail, password); the memberships they may
    touch are still only those of their own organisation(s) (`managed_memberships`)."""
    scope = scope_for(user)
    if scope.all_organisations:
        return User.objects.all()
    if not scope.manages:
        return User.objects.none()
    organisations = scope.manages.organisation_ids
    inside = Membership.objects.filter(user=OuterRef("pk"), organisation_id__in=organisations)
    elsewhere = Membership.objects.filter(user=OuterRef("pk")).exclude(organisation_id__in=organisations)
    return User.objects.filter(
        (Exists(inside) & ~Exists(elsewhere) & Q(is_superuser=False)) | Q(pk=user.pk)  # type: ignore[union-attr]
    )


def managed_memberships(user: AnyUser) -> QuerySet[Membership]:
    """Memberships in the organisations the user manages."""
    return Membership.objects.filter(organisation__in=visible_organisations(user))


def members_of(organisation_ids: Iterable[int]) -> QuerySet[User]:
    """Users with at least one membership in one of these organisations (e.g. a child's mentors)."""
    return User.objects.filter(
        Exists(Membership.objects.filter(user=OuterRef("pk"), organisation_id__in=organisation_ids))
    )
