"""Writes of the access log: a row per page or export about one child, one row per page about a
group, and forgetting a removed child."""

import datetime
from collections.abc import Iterable

from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, CharField, F, Func, JSONField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Left

from access_log.models import PATH_MAX_LENGTH, REMOVED_CHILDREN, AccessLog
from children.models import Child
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
        path=path[:PATH_MAX_LENGTH],
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
            path=path[:PATH_MAX_LENGTH],
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


# A number between slashes in a page's address (before a dot, a query or the end): an id.
ID_SEGMENT = r"/[0-9]+(?=[/.?#;]|$)"


def access_log_forget_child(*, child_id: int, pseudonym: str) -> int:
    """A child's record is going (privacy/erasure.py): afterwards no access-log row holds its id,
    nor the id of anything of its record. Call it before the child is deleted.

    - Rows about the child keep `pseudonym` instead of the link, every id in their page's address
      (`/kinderen/<id>/`, `/waarnemingen/<id>/`, `/gesprekken/<id>/`: a page about one child names
      only its own record's rows) gives way to the pseudonym, and the observation's id goes.
    - Rows about a group lose the id from their list of children shown and keep the pseudonym
      among `details["removed_children"]` instead.

    Two UPDATE statements, whatever the number of rows. Returns the number of rows about the child."""
    kept = AccessLog.objects.filter(child_id=child_id).update(
        child=None,
        pseudonym=pseudonym,
        observation_id=None,
        path=Left(
            Func(
                F("path"),
                Value(ID_SEGMENT),
                Value("/" + pseudonym),
                Value("g"),
                function="REGEXP_REPLACE",
                output_field=CharField(),
            ),
            PATH_MAX_LENGTH,
        ),
    )
    AccessLog.objects.filter(children__contains=[child_id]).update(
        children=Func(
            F("children"),
            Value(child_id),
            function="ARRAY_REMOVE",
            output_field=ArrayField(BigIntegerField()),
        ),
        details=RawSQL(
            "details || jsonb_build_object(%s::text, COALESCE(details -> %s, '[]'::jsonb) || to_jsonb(%s::text))",
            (REMOVED_CHILDREN, REMOVED_CHILDREN, pseudonym),
            output_field=JSONField(),
        ),
    )
    return kept
