"""Reading the access log (inzagelog): the rows an organisation admin may see, filtered, with the
children's names resolved in one query (the CSV of them: access_log/csv_export.py).

Scope: `AccessLog.objects.visible_to(user)` (staff/scope.py: the organisations the user manages;
a platform superuser all). A removed child shows as its pseudonym.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from access_log.models import REMOVED_CHILDREN, AccessLog
from children.models import Child
from staff.models import User
from staff.scope import AnyUser

# At most this many children match a name search (a longer list means: type more of the name).
NAME_MATCHES = 500


@dataclass(frozen=True)
class AccessLogFilter:
    child: str = ""  # part of a child's name, or a pseudonym
    child_id: int | None = None  # one child (links on the page)
    user: User | None = None
    action: str = ""
    date_from: datetime.date | None = None
    date_until: datetime.date | None = None


def access_log_for(user: AnyUser, wanted: AccessLogFilter) -> QuerySet[AccessLog]:
    """The rows `user` may read that match `wanted`, newest first."""
    rows = AccessLog.objects.visible_to(user).select_related("user", "child").order_by("-created_at", "-pk")
    if wanted.child_id is not None:
        rows = rows.about_children([wanted.child_id])
    text = wanted.child.strip()
    if text:
        named = (
            Child.objects.managed_by(user)
            .annotate(full=Child.full_name_expression())
            .filter(full__icontains=text)
            .values_list("pk", flat=True)[:NAME_MATCHES]
        )
        ids = list(named)
        pseudonym = text.upper()
        rows = rows.filter(
            Q(child_id__in=ids)
            | Q(children__overlap=ids)
            | Q(pseudonym=pseudonym)
            | Q(**{f"details__{REMOVED_CHILDREN}__contains": [pseudonym]})
        )
    if wanted.user is not None:
        rows = rows.filter(user=wanted.user)
    if wanted.action:
        rows = rows.filter(action=wanted.action)
    if wanted.date_from:
        rows = rows.filter(created_at__date__gte=wanted.date_from)
    if wanted.date_until:
        rows = rows.filter(created_at__date__lte=wanted.date_until)
    return rows


@dataclass(frozen=True)
class ChildRef:
    pk: int | None
    name: str  # the child's name, or its pseudonym once removed


@dataclass(frozen=True)
class AccessLogRow:
    entry: AccessLog
    children: list[ChildRef]
    removed: int  # children a group row listed whose record has been removed since

    @property
    def who(self) -> str:
        user = self.entry.user
        return user.display_name if user is not None else _("command line")


def access_log_rows(entries: list[AccessLog]) -> list[AccessLogRow]:
    """The rows with the names of the children they list. One query for the group rows' children."""
    listed = {child_id for e in entries for child_id in e.children}
    names = dict(
        Child.objects.filter(pk__in=listed).annotate(full=Child.full_name_expression()).values_list("pk", "full")
    )
    rows = []
    for e in entries:
        if e.child is not None:
            children = [ChildRef(e.child.pk, e.child.full_name)]
        elif e.pseudonym:
            children = [ChildRef(None, e.pseudonym)]
        else:
            children = [ChildRef(pk, names[pk]) for pk in e.children if pk in names]
        children.sort(key=lambda c: c.name.lower())
        removed = sum(1 for pk in e.children if pk not in names) + len(e.details.get(REMOVED_CHILDREN, []))
        rows.append(AccessLogRow(entry=e, children=children, removed=removed))
    return rows
