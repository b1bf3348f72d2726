"""Writes of the reports app: the access log."""

import datetime
from collections.abc import Iterable

from children.models import Child
from reports.models import AccessLog
from staff.models import User
from staff.scope import AnyUser


def _who(user: AnyUser) -> User | None:
    return user if user is not None and user.is_authenticated else None


def _access_log_row(
    *,
    user: AnyUser,
    child: Child,
    action: str,
    weeks: int | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    path: str = "",
    observation_id: int | None = None,
) -> AccessLog:
    return AccessLog(
        user=_who(user),
        child=child,
        organisation_id=child.organisation_id,
        action=action,
        weeks=weeks,
        period_start=period_start,
        period_end=period_end,
        path=path[:200],
        observation_id=observation_id,
    )


def access_log_record(
    *,
    user: AnyUser,
    child: Child,
    action: str,
    weeks: int | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    path: str = "",
    observation_id: int | None = None,
) -> AccessLog:
    """One row in the access log for a page or export about one child (user None: command line)."""
    row = _access_log_row(
        user=user,
        child=child,
        action=action,
        weeks=weeks,
        period_start=period_start,
        period_end=period_end,
        path=path,
        observation_id=observation_id,
    )
    row.save()
    return row


def access_log_record_shown(
    *,
    user: AnyUser,
    shown: Iterable[tuple[int, int]],
    action: str,
    path: str = "",
    weeks: int | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
) -> list[AccessLog]:
    """ONE row for a page about a group, listing the children it showed: `shown` holds
    (organisation id, child id) pairs. One insert, whatever the number of children (a row
    per organisation, so that each organisation's admin reads only their own; nearly always one).
    Nothing is written when the page showed no child."""
    by_organisation: dict[int, list[int]] = {}
    for organisation_id, child_id in shown:
        ids = by_organisation.setdefault(organisation_id, [])
        if child_id not in ids:
            ids.append(child_id)
    if not by_organisation:
        return []
    rows = [
        AccessLog(
            user=_who(user),
            organisation_id=organisation_id,
            children=sorted(ids),
            action=action,
            path=path[:200],
            weeks=weeks,
            period_start=period_start,
            period_end=period_end,
        )
        for organisation_id, ids in sorted(by_organisation.items())
    ]
    if len(rows) == 1:
        rows[0].save()  # a plain INSERT (bulk_create adds BEGIN and COMMIT around it)
        return rows
    return AccessLog.objects.bulk_create(rows)


def children_shown(children: Iterable[Child]) -> list[tuple[int, int]]:
    """(organisation id, child id) of each child, for `access_log_record_shown`."""
    return [(child.organisation_id, child.pk) for child in children]


def access_log_record_many(
    *,
    user: AnyUser,
    children: Iterable[Child],
    action: str,
    weeks: int | None,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    path: str = "",
) -> int:
    """One row per child, in one insert (a group export covers many children)."""
    rows = [
        _access_log_row(
            user=user,
            child=child,
            action=action,
            weeks=weeks,
            period_start=period_start,
            period_end=period_end,
            path=path,
        )
        for child in children
    ]
    return len(AccessLog.objects.bulk_create(rows))
