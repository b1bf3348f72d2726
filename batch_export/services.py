"""Batch export: the PDFs of every child of a group or a location as one zip (the team's summaries, or
the handouts for the parents, each in its parents' language), made in the
background by the task queue (django-tasks, database backend: the tasks wait in PostgreSQL and
`manage.py task_worker` runs them; docs/operations.md).

- `request_batch_export` (a manager or coach of the location) saves a BatchExport and enqueues the
  task in the same transaction: the queue is a table of the same database, so a request either
  leaves both or neither. The same request again (person, place, period) while the first waits or
  runs gets that first one; a person has at most EXPORT_MAX_OPEN exports open at once.
- `build_batch_export` (the task) draws each child's PDF, writes the zip to the exports storage
  (settings.EXPORTS_STORAGE) and counts progress as it goes. A child whose PDF fails does not sink
  the batch: the error is logged, the child listed (on the page and in the zip's niet-gelukt.txt),
  and the others go on. A batch that fails as a whole says so.
- A run holds its export with a lease (`lease_until`, renewed after each PDF; `attempts` numbers
  the runs). Each claim queues the same task again for just after the lease ends: if the worker was
  killed meanwhile, that check finds the lease run out and starts the export again (in any worker);
  a run that finds its lease taken stops without touching the export. After EXPORT_MAX_ATTEMPTS
  cut-off runs the export fails and says so.
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
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from access_log.models import AccessLog
from access_log.services import access_log_record_many
from batch_export.models import BatchExport
from children.models import Child
from organisations.calendar import day_of, today
from organisations.models import Group, Location
from organisations.observability import current_request_id
from reports.figures import window
from reports.handout import parent_handout, render_parent_handout_pdf
from reports.language import parent_language
from reports.pdf import render_child_summary_pdf, safe_filename_part
from reports.prepared import handout_for_next_conversation, render_prepared_pdf
from reports.summary import child_summary
from staff.models import User
from staff.scope import AnyUser

logger = logging.getLogger(__name__)
FAILURES_FILE = "niet-gelukt.txt"
RECORD_REMOVED = "RecordRemoved"  # the error of an export one of whose children was removed while it was made
DATABASE_GONE = (OperationalError, InterfaceError)


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


class TooManyOpenExports(Exception):
    """The person already has EXPORT_MAX_OPEN exports waiting or in progress."""

    def __init__(self, count: int) -> None:
        super().__init__(count)
        self.count = count


class LeaseLost(Exception):
    """This run gave no sign of life within its lease and another run took the export over."""


def open_exports(user: User) -> QuerySet[BatchExport]:
    """The person's exports waiting in the queue or in progress."""
    return BatchExport.objects.filter(requested_by=user, status__in=BatchExport.OPEN)


def same_open_export(
    user: User,
    *,
    weeks: int,
    group: Group | None,
    location: Location | None,
    kind: str = BatchExport.Kind.SUMMARIES,
) -> BatchExport | None:
    """The person's open export of the same documents, place and period: as many weeks, asked for today
    (its PDFs cover the weeks up to the day it was asked for, `made_on`)."""
    candidates = open_exports(user).filter(group=group, location=location, weeks=weeks, kind=kind)
    return next((export for export in candidates if made_on(export) == today()), None)


def request_batch_export(
    *,
    user: User,
    weeks: int,
    group: Group | None = None,
    location: Location | None = None,
    language: str = "nl",
    kind: str = BatchExport.Kind.SUMMARIES,
) -> tuple[BatchExport, bool]:
    """Save the request and put its task in the queue, in one transaction; (the export, True). Asked
    again for the same place and period while the first waits or runs: (that first export, False). A
    person has at most EXPORT_MAX_OPEN exports open: one more raises TooManyOpenExports, saving nothing."""
    place = group.location if group is not None else location
    assert place is not None, "a group or a location"
    location = None if group is not None else location
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)  # one request of a person at a time
        same = same_open_export(user, weeks=weeks, group=group, location=location, kind=kind)
        if same is not None:
            return same, False
        count = open_exports(user).count()
        if count >= settings.EXPORT_MAX_OPEN:
            raise TooManyOpenExports(count)
        export = BatchExport.objects.create(
            requested_by=user,
            organisation_id=place.organisation_id,
            group=group,
            location=location,
            weeks=weeks,
            language=language,
            kind=kind,
        )
        build_batch_export.enqueue(str(export.pk), request_id=current_request_id())
    return export, True


@task()
def build_batch_export(export_id: str, request_id: str = "") -> str:
    """The task, run in the worker (`manage.py task_worker`): makes the zip, or, as the check that
    follows each claim when its lease ends, takes over an export whose worker went silent. `request_id`:
    the request that queued it, for the task's log line (attachment_site/observability.py)."""
    return run_batch_export(export_id).status


def _zip_name(child: Child, kind: str = BatchExport.Kind.SUMMARIES) -> str:
    prefix = "oudergesprek" if kind == BatchExport.Kind.HANDOUTS else "overzicht"
    return f"{prefix}-{safe_filename_part(child.first_name)}-{safe_filename_part(child.surname)}-{child.pk}.pdf"


def _child_pdf(export: BatchExport, child: Child, day: datetime.date) -> bytes:
    """One child's PDF of the export: the team's summary, or the handout for the parents: the one prepared
    for the coming conversation where there is one, else drawn now in the parents' language."""
    if export.kind == BatchExport.Kind.HANDOUTS:
        prepared = handout_for_next_conversation(child, since=child_summary_window(export)[0])
        if prepared is not None:  # as the coach or mentor prepared it, in the language it was written in
            return render_prepared_pdf(prepared).data
        with translation.override(parent_language(child, None)[0]):
            handout = parent_handout(child_summary(child, export.weeks, until=day))
            return render_parent_handout_pdf(handout, made_on=day).data
    summary = child_summary(child, export.weeks, until=day)
    return render_child_summary_pdf(summary, made_by=export.requested_by, made_on=day).data


def lease_end() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.EXPORT_LEASE_SECONDS)


def _check_when_the_lease_ends(export: BatchExport) -> None:
    """Queue this export's task again for just after its lease: it finds the export finished (nothing
    to do), still held by a live worker (it looks again later), or abandoned (it takes it over)."""
    assert export.lease_until is not None
    check_at = export.lease_until + datetime.timedelta(seconds=1)
    build_batch_export.using(run_after=check_at).enqueue(str(export.pk), request_id=current_request_id())


def _give_up(export: BatchExport) -> None:
    logger.error("Batch export %s: interrupted %s times, given up", export.pk, export.attempts)
    export.status, export.error = BatchExport.Status.FAILED, BatchExport.INTERRUPTED
    export.finished_at, export.lease_until = timezone.now(), None
    export.save(update_fields=["status", "error", "finished_at", "lease_until"])


def claim(export_id: str) -> int | None:
    """Take the export for this run: a waiting one, or one in progress whose worker gave no sign of
    life within its lease (killed, its machine gone): it starts again from the first child. The
    number of this attempt; None when there is nothing to do: finished, held by a live worker (looked
    at again when its lease ends), or failed now after EXPORT_MAX_ATTEMPTS interrupted attempts."""
    with transaction.atomic():
        export = BatchExport.objects.select_for_update().get(pk=export_id)
        if export.status not in BatchExport.OPEN:
            return None
        if export.status == BatchExport.Status.RUNNING and not export.lease_expired():
            _check_when_the_lease_ends(export)
            return None
        if export.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            _give_up(export)
            return None
        if export.attempts:
            logger.warning(
                "Batch export %s: attempt %s gave no sign of life, starting again", export.pk, export.attempts
            )
        export.status, export.lease_until = BatchExport.Status.RUNNING, lease_end()
        export.attempts += 1
        export.done = export.total = 0
        export.save(update_fields=["status", "attempts", "lease_until", "done", "total"])
        _check_when_the_lease_ends(export)
        return export.attempts


def _held(export: BatchExport, attempt: int) -> QuerySet[BatchExport]:
    """The export while this attempt holds it (an update through it changes nothing once it is lost)."""
    return BatchExport.objects.filter(pk=export.pk, status=BatchExport.Status.RUNNING, attempts=attempt)


def _renew(held: QuerySet[BatchExport], **changes: object) -> None:
    """A sign of life: the lease runs on (with `changes`), or LeaseLost when another run has it."""
    if not held.update(lease_until=lease_end(), **changes):
        raise LeaseLost


def run_batch_export(export_id: str) -> BatchExport:
    """Make the zip of one export, as the attempt `claim` hands out. A second run of an export that is
    finished, or held by a live worker, does nothing."""
    attempt = claim(export_id)
    export = BatchExport.objects.select_related("requested_by", "group__location", "location").get(pk=export_id)
    if attempt is None:
        return export
    try:
        with translation.override(export.language):
            _build(export, attempt)
    except LeaseLost:
        logger.warning("Batch export %s: attempt %s was taken over by another run and stops", export.pk, attempt)
    except DATABASE_GONE:  # not the export's fault: it stays in progress, the check at the lease's end retries
        logger.warning("Batch export %s: the database went away; it starts again when its lease ends", export.pk)
        raise
    except Exception as error:
        logger.exception("Batch export %s failed", export.pk)
        _held(export, attempt).update(
            status=BatchExport.Status.FAILED, error=type(error).__name__, finished_at=timezone.now(), lease_until=None
        )
        raise
    export.refresh_from_db()
    return export


def _write_pdfs(
    export: BatchExport, children: list[Child], archive: zipfile.ZipFile, held: QuerySet[BatchExport]
) -> tuple[list[int], list[dict[str, object]]]:
    """Each child's PDF into the zip, renewing the lease after each; (children included, failures)."""
    failures: list[dict[str, object]] = []
    included: list[int] = []
    day = made_on(export)
    for child in children:
        try:
            data = _child_pdf(export, child, day)
        except DATABASE_GONE:
            raise  # not this child's fault: the whole export starts again
        except Exception as error:  # one child's PDF never sinks the batch: it is listed
            logger.exception("Batch export %s: the PDF of child %s failed", export.pk, child.pk)
            failures.append({"child": child.pk, "name": child.full_name, "error": type(error).__name__})
        else:
            archive.writestr(_zip_name(child, export.kind), data)
            included.append(child.pk)
        _renew(held, done=F("done") + 1)
    if failures:
        lines = [_("These PDFs could not be made:"), *(str(f["name"]) for f in failures)]
        archive.writestr(FAILURES_FILE, "\n".join(lines) + "\n")
    return included, failures


def _build(export: BatchExport, attempt: int) -> None:
    held = _held(export, attempt)
    children = list(export_children(export))
    _renew(held, total=len(children))
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
            included, failures = _write_pdfs(export, children, archive, held)
        spool.seek(0)
        prefix = "oudergesprekken" if export.kind == BatchExport.Kind.HANDOUTS else "pdfs"
        name = f"{prefix}-{safe_filename_part(export.subject)}-{made_on(export):%Y-%m-%d}-{str(export.pk)[:8]}.zip"
        _renew(held)  # the upload may take a while
        export.file.save(name, File(spool), save=False)
    _finish(export, held, included, failures)


def _finish(
    export: BatchExport, held: QuerySet[BatchExport], included: list[int], failures: list[dict[str, object]]
) -> None:
    """Store the zip's lists, unless one of its children was removed while it was made: the zip then
    holds (or names) a child whose record is gone, and goes. The children's rows are locked first, so
    an erasure (which locks its child, privacy/erasure.py) either waits for this export's lists and
    removes the zip itself (batch_export.services.forget_child), or has gone before and is seen here."""
    listed = {*included, *(cast(int, f["child"]) for f in failures)}
    now = timezone.now()
    with transaction.atomic():
        present = set(Child.objects.select_for_update().filter(pk__in=listed).values_list("pk", flat=True))
        if present != listed:
            export.file.delete(save=False)
            held.update(
                status=BatchExport.Status.FAILED, file="", error=RECORD_REMOVED, finished_at=now, lease_until=None
            )
            return
        finished = held.update(
            status=BatchExport.Status.DONE,
            file=export.file.name,
            children=included,
            failures=failures,
            finished_at=now,
            expires_at=now + datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS),
            lease_until=None,
        )
    if not finished:  # taken over while the zip was stored: the other run's zip counts
        export.file.delete(save=False)
        raise LeaseLost


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
