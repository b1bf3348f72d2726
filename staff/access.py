"""Scoped accessors for places and people: the only way views and the admin fetch them.

Each returns a queryset filtered by the user's `Scope` (staff/scope.py). Children
have theirs one floor up, on the Child queryset (children/models.py: visible_to,
observable_by, loggable_by).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from organisations.models import Group, Location, Organisation
from staff.models import ROLE_RULES, Membership, ScopeLevel, User
from staff.scope import AnyUser, scope_for


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
