"""Batch export: the summary PDFs of every child of a group or a location as one zip, made in the
background by the task queue (django-tasks, database backend: the tasks wait in PostgreSQL and
`manage.py db_worker` runs them; README "Production").

- `request_batch_export` (a manager or coach of the location) saves a BatchExport and enqueues the
  task in the same transaction: the queue is a table of the same database, so a request either
  leaves both or neither.
- `build_batch_export` (the task) draws each child's PDF, writes the zip to the exports storage
  (settings.EXPORTS_STORAGE) and counts progress as it goes. A child whose PDF fails does not sink
  the batch: the error is logged, the child listed (on the page and in the zip's niet-gelukt.txt),
  and the others go on. A batch that fails as a whole says so.
- `open_for_download` hands the zip to the person who asked only, until `expires_at`
  (EXPORT_KEEP_HOURS); after that the file is removed. Each download is logged in the access log
  (one row per child in the zip). `remove_expired_exports` (a command) clears old files too.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import zipfile
from typing import cast

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from children.models import Child
from organisations.calendar import day_of, today
from organisations.models import Group, Location
from reports.figures import window
from reports.models import AccessLog, BatchExport
from reports.pdf import render_child_summary_pdf, safe_filename_part
from reports.services import access_log_record_many
from reports.summary import child_summary
from staff.models import User
from staff.scope import AnyUser

logger = logging.getLogger(__name__)
FAILURES_FILE = "niet-gelukt.txt"
RECORD_REMOVED = "RecordRemoved"  # the error of an export one of whose children was removed while it was made


def export_children(export: BatchExport) -> QuerySet[Child]:
    """The children of the export: placed today in its group (or the groups of its location), and
    readable by the person who asked."""
    groups = [export.group] if export.group is not None else Group.objects.filter(location=export.location)
    return (
        Child.objects.observable_by(export.requested_by)
        .placed_on(today(), groups=groups)
        .select_related("organisation")
        .order_by("first_name", "last_name", "pk")
    )


def request_batch_export(
    *, user: User, weeks: int, group: Group | None = None, location: Location | None = None, language: str = "nl"
) -> BatchExport:
    """Save the request and put its task in the queue, in one transaction."""
    place = group.location if group is not None else location
    assert place is not None, "a group or a location"
    with transaction.atomic():
        export = BatchExport.objects.create(
            requested_by=user,
            organisation_id=place.organisation_id,
            group=group,
            location=None if group is not None else location,
            weeks=weeks,
            language=language,
        )
        build_batch_export.enqueue(str(export.pk))
    return export


@task()
def build_batch_export(export_id: str) -> str:
    """The task: run in the worker (`manage.py db_worker`)."""
    return run_batch_export(export_id).status


def _zip_name(child: Child) -> str:
    return f"overzicht-{safe_filename_part(child.first_name)}-{safe_filename_part(child.last_name)}-{child.pk}.pdf"


def run_batch_export(export_id: str) -> BatchExport:
    """Make the zip of one export. A second run of the same export (a task run twice) does nothing."""
    claimed = BatchExport.objects.filter(pk=export_id, status=BatchExport.Status.QUEUED).update(
        status=BatchExport.Status.RUNNING
    )
    export = BatchExport.objects.select_related("requested_by", "group__location", "location").get(pk=export_id)
    if not claimed:
        return export
    try:
        with translation.override(export.language):
            _build(export)
    except Exception as error:
        logger.exception("Batch export %s failed", export.pk)
        BatchExport.objects.filter(pk=export.pk).update(
            status=BatchExport.Status.FAILED, error=type(error).__name__, finished_at=timezone.now()
        )
        raise
    export.refresh_from_db()
    return export


def _build(export: BatchExport) -> None:
    children = list(export_children(export))
    BatchExport.objects.filter(pk=export.pk).update(total=len(children))
    failures: list[dict[str, object]] = []
    included: list[int] = []
    day = made_on(export)
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            for child in children:
                try:
                    summary = child_summary(child, export.weeks, until=day)
                    data = render_child_summary_pdf(summary, made_by=export.requested_by, made_on=day).data
                except Exception as error:  # one child's PDF never sinks the batch: it is listed
                    logger.exception("Batch export %s: the PDF of child %s failed", export.pk, child.pk)
                    failures.append({"child": child.pk, "name": child.full_name, "error": type(error).__name__})
                else:
                    archive.writestr(_zip_name(child), data)
                    included.append(child.pk)
                BatchExport.objects.filter(pk=export.pk).update(done=F("done") + 1)
            if failures:
                lines = [_("These PDFs could not be made:"), *(str(f["name"]) for f in failures)]
                archive.writestr(FAILURES_FILE, "\n".join(lines) + "\n")
        spool.seek(0)
        name = f"pdfs-{safe_filename_part(export.subject)}-{day:%Y-%m-%d}-{str(export.pk)[:8]}.zip"
        export.file.save(name, File(spool), save=False)
    _finish(export, included, failures)


def _finish(export: BatchExport, included: list[int], failures: list[dict[str, object]]) -> None:
    """Store the zip's lists, unless one of its children was removed while it was made: the zip then
    holds (or names) a child whose record is gone, and goes. The children's rows are locked first, so
    an erasure (which locks its child, privacy/erasure.py) either waits for this export's lists and
    removes the zip itself (reports.batch.forget_child), or has gone before and is seen here."""
    listed = {*included, *(cast(int, f["child"]) for f in failures)}
    now = timezone.now()
    with transaction.atomic():
        present = set(Child.objects.select_for_update().filter(pk__in=listed).values_list("pk", flat=True))
        if present != listed:
            export.file.delete(save=False)
            BatchExport.objects.filter(pk=export.pk).update(
                status=BatchExport.Status.FAILED, file="", error=RECORD_REMOVED, finished_at=now
            )
            return
        BatchExport.objects.filter(pk=export.pk).update(
            status=BatchExport.Status.DONE,
            file=export.file.name,
            children=included,
            failures=failures,
            finished_at=now,
            expires_at=now + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS),
        )


def exports_of(user: AnyUser) -> QuerySet[BatchExport]:
    """The exports the user asked for: nobody else sees them."""
    if user is None or not user.is_authenticated:
        return BatchExport.objects.none()
    return BatchExport.objects.filter(requested_by_id=user.pk).select_related("group", "location")


def expire(export: BatchExport, *, now: datetime.datetime | None = None) -> bool:
    """Remove the zip of an export past its time; True when it has expired."""
    if export.status == BatchExport.Status.EXPIRED or not export.is_expired(now):
        return export.status == BatchExport.Status.EXPIRED
    if export.file:
        export.file.delete(save=False)
    BatchExport.objects.filter(pk=export.pk).update(status=BatchExport.Status.EXPIRED, file="")
    export.status = BatchExport.Status.EXPIRED
    return True


def open_for_download(export: BatchExport, *, user: User, path: str) -> File[bytes] | None:
    """The zip, logged in the access log (a row per child in it); None when not (or no longer) there."""
    if not export.is_ready or not export.file:
        expire(export)  # past its time: the zip goes now, not at the next clean-up
        return None
    children = list(Child.objects.filter(pk__in=export.children))
    period = child_summary_window(export)
    access_log_record_many(
        user=user,
        children=children,
        action=AccessLog.Action.EXPORT,
        weeks=export.weeks,
        period_start=period[0],
        period_end=period[1],
        path=path,
    )
    opened: File[bytes] = export.file.open("rb")
    return opened


def made_on(export: BatchExport) -> datetime.date:
    """The day of the export's PDFs: the day it was asked for, whenever the worker gets to it, so
    every PDF of the zip and its access-log rows cover the same weeks."""
    return day_of(export.created_at)


def child_summary_window(export: BatchExport) -> tuple[datetime.date, datetime.date]:
    """The period the PDFs cover: the weeks ending with the week of `made_on`."""
    span = window(export.weeks, made_on(export))
    return span[0].start, span[-1].end


def forget_child(child_id: int) -> int:
    """A child's record is going (privacy/erasure.py): every export whose zip holds its PDF (named
    after the child) or names it among the PDFs that failed (niet-gelukt.txt) loses its zip at once
    (it is a temporary copy; the person who asked can ask again), and the child leaves the lists of
    every export, failures (which name it) included. The number of exports touched."""
    touched = 0
    holding = BatchExport.objects.filter(Q(children__contains=[child_id]) | Q(failures__contains=[{"child": child_id}]))
    for export in holding.select_for_update():
        if export.file:
            export.file.delete(save=False)
            export.status = BatchExport.Status.EXPIRED
        export.children = [pk for pk in export.children if pk != child_id]
        export.failures = [f for f in export.failures if f.get("child") != child_id]
        export.save(update_fields=["file", "status", "children", "failures"])
        touched += 1
    return touched


def remove_expired_exports(now: datetime.datetime | None = None) -> int:
    """Remove every zip past its time; the number removed."""
    now = now or timezone.now()
    removed = 0
    for export in BatchExport.objects.filter(status=BatchExport.Status.DONE, expires_at__lte=now):
        removed += expire(export, now=now)
    return removed
