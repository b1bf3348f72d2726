"""Writes of the reports app."""

import datetime
from collections.abc import Iterable

from children.models import Child
from reports.models import AccessLog
from staff.scope import AnyUser


def _access_log_row(
    *,
    user: AnyUser,
    child: Child,
    action: str,
    weeks: int,
    period_start: datetime.date,
    period_end: datetime.date,
) -> AccessLog:
    return AccessLog(
        user=user if user is not None and user.is_authenticated else None,
        child=child,
        organisation_id=child.organisation_id,
        action=action,
        weeks=weeks,
        period_start=period_start,
        period_end=period_end,
    )


def access_log_record(
    *,
    user: AnyUser,
    child: Child,
    action: str,
    weeks: int,
    period_start: datetime.date,
    period_end: datetime.date,
) -> AccessLog:
    """One row in the access log for a summary view or a PDF export (user None: command line)."""
    row = _access_log_row(
        user=user, child=child, action=action, weeks=weeks, period_start=period_start, period_end=period_end
    )
    row.save()
    return row


def access_log_record_many(
    *,
    user: AnyUser,
    children: Iterable[Child],
    action: str,
    weeks: int,
    period_start: datetime.date,
    period_end: datetime.date,
) -> int:
    """One row per child, in one insert (a group export covers many children)."""
    rows = [
        _access_log_row(
            user=user, child=child, action=action, weeks=weeks, period_start=period_start, period_end=period_end
        )
        for child in children
    ]
    return len(AccessLog.objects.bulk_create(rows))
