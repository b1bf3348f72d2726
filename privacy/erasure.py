"""Removing a child's record completely: the one function behind retention and erasure on request.

`erase_child` removes everything `child_records` finds (the child, every row that hangs on it,
their history rows and the admin-log entries about them) in one transaction. The access log
keeps its rows about the child under a pseudonym: the link, the ids in their page addresses
and the observation's id give way to it, and the group rows drop the child's id from their
lists (access_log.services.access_log_forget_child). One more row says a record was removed, when,
by whom and by which rule, with the number of rows per kind. Batch exports whose zip holds the
child's PDF or names it lose their zip, and the child leaves their lists (batch_export.services.forget_child);
the PDFs kept of the child go (reports.pdf_cache.forget_child_pdfs).
Nothing that names the child, holds its id or was written about it remains
(tests/test_privacy_erasure.py searches a pg_dump of the database, the exports' storage and
every access-log and export row).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from access_log.models import AccessLog
from access_log.services import access_log_forget_child
from batch_export.services import forget_child
from children.models import Child
from privacy.records import RecordsProtected, child_records
from reports.pdf_cache import forget_child_pdfs
from staff.scope import AnyUser


def new_pseudonym() -> str:
    """A random stand-in for a removed child in the access log, e.g. 'K-3F9A1C2B'."""
    return "K-" + secrets.token_hex(4).upper()


@dataclass(frozen=True)
class Erasure:
    child_id: int
    pseudonym: str
    counts: list[tuple[str, int]]  # (what, how many) that went
    access_log_rows: int  # rows about the child, kept under the pseudonym


def erase_child(child: Child, *, rule: str, by: AnyUser = None) -> Erasure:
    """Remove `child`'s record completely (see the module's docstring). `rule` is an
    AccessLog.Rule; `by` the user who asked (None: the command line)."""
    with transaction.atomic():
        # Lock the child: nobody adds an observation to a record that is going.
        child = Child.objects.select_for_update().get(pk=child.pk)
        records = child_records(child)
        if records.protected:
            raise RecordsProtected(records.protected)
        counts, by_model = records.counts(), records.counts_by_model()
        pseudonym = new_pseudonym()
        child_id, organisation_id = child.pk, child.organisation_id
        # Before the delete (which would only unlink the rows): no row keeps the child's ids.
        kept = access_log_forget_child(child_id=child_id, pseudonym=pseudonym)
        child.delete()  # the collector: every row that hangs on the child (simple-history adds '-' rows)
        for queryset in records.history.values():
            queryset.delete()  # lazy: also finds the '-' rows the delete just wrote
        records.admin_log.delete()
        forget_child(child_id)  # batch exports: the zip with its PDF, its name among the failures
        # The PDFs kept of the child (reports/pdf_cache.py): now, and once more when the record is gone
        # for good (a download drawn meanwhile keeps none after).
        forget_child_pdfs(child_id)
        transaction.on_commit(partial(forget_child_pdfs, child_id))
        AccessLog.objects.create(
            user=by if by is not None and by.is_authenticated else None,
            organisation_id=organisation_id,
            action=AccessLog.Action.REMOVED,
            rule=rule,
            pseudonym=pseudonym,
            details={"removed": by_model, "access_log_rows_kept": kept},
        )
    return Erasure(child_id=child_id, pseudonym=pseudonym, counts=counts, access_log_rows=kept)
