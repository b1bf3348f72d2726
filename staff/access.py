"""Scoped accessors for places and people: the only way views and the admin fetch them.

Each returns a queryset filtered by the user's `Scope` (staff/scope.py). Children
have theirs one floor up, in children/access.py.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from organisations.models import Group, Location, Organisation
from staff.models import User
from staff.scope import AnyUser, scope_for


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


def visible_users(user: AnyUser) -> QuerySet[User]:
    """The users an organisation admin manages: members of their organisation(s), and themselves."""
    scope = scope_for(user)
    if scope.all_organisations:
        return User.objects.all()
    if user is None or not user.is_authenticated:
        return User.objects.none()
    return User.objects.filter(
        Q(memberships__organisation_id__in=scope.manages.organisation_ids) | Q(pk=user.pk)
    ).distinct()
