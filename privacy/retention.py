"""The retention rule: which children's records are due for removal.

A child's record is kept while it has a placement, and for RETENTION_MONTHS_AFTER_LEAVING
months (setting, default 3) after its last placement ended. After that `apply_retention`
removes it (erase_if_still_due: checked again with the child locked, then erasure.erase_child),
unless the parents consented to keep or hand over the record and that consent still runs
(privacy.models.RetentionConsent, until a date). A child without any placement is left alone:
the rule speaks of leaving, and such a record is for the admin to judge.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from access_log.models import AccessLog
from children.models import Child
from organisations.calendar import add_months, months_cutoff, today
from privacy.erasure import Erasure, erase_child
from privacy.models import RetentionConsent


@dataclass(frozen=True)
class DueChild:
    child: Child
    left_on: datetime.date  # the end of the last placement
    due_since: datetime.date  # the first day the record may no longer be kept


def retention_cutoff(on: datetime.date, months: int) -> datetime.date:
    """A last placement that ended before this date ended more than `months` months before `on`: the
    day after its end moved on by `months` months (`due_since`) is `on` or earlier."""
    return months_cutoff(on, months)


def _due(on: datetime.date, months: int) -> QuerySet[Child]:
    """The rule as a queryset: no open placement, the last one ended before the cutoff, no running consent."""
    running_consent = RetentionConsent.objects.filter(child=OuterRef("pk"), until__gte=on)
    return (
        Child.objects.annotate(
            left_on=Max("placements__end_date"),
            open_placements=Count("placements", filter=Q(placements__end_date__isnull=True)),
        )
        .filter(open_placements=0, left_on__lt=retention_cutoff(on, months))
        .exclude(Exists(running_consent))
    )


def children_due(*, on: datetime.date | None = None, months: int | None = None) -> list[DueChild]:
    """Children whose last placement ended more than `months` months before `on` (default today),
    without a consent that runs on `on` or later. One query."""
    on = on or today()
    months = settings.RETENTION_MONTHS_AFTER_LEAVING if months is None else months
    due = _due(on, months).order_by("organisation_id", "pk")
    result = []
    for child in due:
        left_on: datetime.date = child.left_on  # type: ignore[attr-defined]  # annotated above
        result.append(DueChild(child, left_on, add_months(left_on, months) + datetime.timedelta(days=1)))
    return result


def erase_if_still_due(child: Child, *, months: int | None = None) -> Erasure | None:
    """Remove `child`'s record by the retention rule, if it is still due once the child is locked: a
    placement or a consent recorded since the list was made keeps it (None)."""
    months = settings.RETENTION_MONTHS_AFTER_LEAVING if months is None else months
    with transaction.atomic():
        locked = Child.objects.select_for_update().get(pk=child.pk)
        if not _due(today(), months).filter(pk=locked.pk).exists():
            return None
        return erase_child(locked, rule=AccessLog.Rule.RETENTION)
