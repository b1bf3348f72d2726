"""Writes of the reports app."""

from reports.models import AccessLog


def _access_log_row(*, user, child, action: str, weeks: int, period_start, period_end) -> AccessLog:
    return AccessLog(
        user=user if user is not None and user.is_authenticated else None,
        child=child,
        organisation_id=child.organisation_id,
        action=action,
        weeks=weeks,
        period_start=period_start,
        period_end=period_end,
    )


def access_log_record(*, user, child, action: str, weeks: int, period_start, period_end) -> AccessLog:
    """One row in the access log for a summary view or a PDF export (user None: command line)."""
    row = _access_log_row(
        user=user, child=child, action=action, weeks=weeks, period_start=period_start, period_end=period_end
    )
    row.save()
    return row


def access_log_record_many(*, user, children, action: str, weeks: int, period_start, period_end) -> int:
    """One row per child, in one insert (a group export covers many children)."""
    rows = [
        _access_log_row(
            user=user, child=child, action=action, weeks=weeks, period_start=period_start, period_end=period_end
        )
        for child in children
    ]
    return len(AccessLog.objects.bulk_create(rows))
