"""Who may read and record a child's parent conversations: the one rule.

Readers: the roles that read conversations at the child's location (ROLE_RULES:
manager, coach) and the child's own mentor. Recorders: the roles that record
them (coach) and the child's own mentor. The staff of the group read only the
agreements meant for them (`for_group`), never the parents' words.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from children.models import Child, Mentorship
from organisations.calendar import today
from organisations.models import Group
from staff.scope import AnyUser, Places, scope_for


def _children_where(user: AnyUser, places: Places) -> QuerySet[Child]:
    """Children the user may read observations of, placed today in `places` or mentored by the user."""
    observable = Child.objects.observable_by(user)
    if user is None or not user.is_authenticated:
        return observable.none()
    mentored = Mentorship.objects.current().filter(mentor=user).values("child_id")
    at_places = Child.objects.placed_on(today(), groups=Group.objects.filter(places.groups_q()))
    return observable.filter(Q(id__in=mentored) | Q(id__in=at_places.values("id")))


def conversation_readable_children(user: AnyUser) -> QuerySet[Child]:
    """Children whose parent conversations (the parents' words included) the user may read."""
    return _children_where(user, scope_for(user).reads_conversations)


def conversation_recordable_children(user: AnyUser) -> QuerySet[Child]:
    """Children whose parent conversations the user may record."""
    return _children_where(user, scope_for(user).records_conversations)
