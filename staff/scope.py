"""The one place that decides what a user may see.

`scope_for(user)` reads the user's memberships once per request and returns a
`Scope`. The querysets of Location, Group and Child (children/models.py) filter
with it, and every view, the Django admin and the reports go through those
querysets. Nothing else decides access.
"""

from dataclasses import dataclass, field

from staff.models import Membership, Role


@dataclass(frozen=True)
class Scope:
    staff_group_ids: frozenset[int] = field(default_factory=frozenset)
    manager_location_ids: frozenset[int] = field(default_factory=frozenset)
    coach_location_ids: frozenset[int] = field(default_factory=frozenset)
    admin_organisation_ids: frozenset[int] = field(default_factory=frozenset)
    all_organisations: bool = False

    @property
    def reader_location_ids(self) -> frozenset[int]:
        """Locations whose children's observations the user may read as manager or coach."""
        return self.manager_location_ids | self.coach_location_ids

    def reads_observations_in(self, group) -> bool:
        """May read the observations of children in `group` (staff of it, or manager/coach of its location)."""
        return group.pk in self.staff_group_ids or group.location_id in self.reader_location_ids

    def logs_in(self, group) -> bool:
        """May log observations for children of `group` (staff of the group)."""
        return group.pk in self.staff_group_ids

    @property
    def is_staff_member(self) -> bool:
        return bool(self.staff_group_ids)

    @property
    def is_manager(self) -> bool:
        return bool(self.manager_location_ids)

    @property
    def is_coach(self) -> bool:
        return bool(self.coach_location_ids)

    @property
    def is_admin(self) -> bool:
        return bool(self.admin_organisation_ids) or self.all_organisations

    @property
    def is_empty(self) -> bool:
        return not (
            self.staff_group_ids or self.reader_location_ids or self.admin_organisation_ids or self.all_organisations
        )


EMPTY_SCOPE = Scope()


def scope_for(user) -> Scope:
    """The user's scope, computed once and cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_access_scope", None)
    if cached is not None:
        return cached
    by_role: dict[str, set[int]] = {role: set() for role in Role.values}
    for role, group_id, location_id, organisation_id in Membership.objects.filter(user=user).values_list(
        "role", "group_id", "location_id", "organisation_id"
    ):
        if role == Role.STAFF:
            by_role[role].add(group_id)
        elif role in (Role.MANAGER, Role.COACH):
            by_role[role].add(location_id)
        else:
            by_role[role].add(organisation_id)
    scope = Scope(
        staff_group_ids=frozenset(by_role[Role.STAFF]),
        manager_location_ids=frozenset(by_role[Role.MANAGER]),
        coach_location_ids=frozenset(by_role[Role.COACH]),
        admin_organisation_ids=frozenset(by_role[Role.ADMIN]),
        all_organisations=user.is_superuser,
    )
    user._access_scope = scope
    return scope
