"""A running batch export holds a lease (issue 19): its worker renews it after each PDF; a worker
killed mid-run (SIGKILL: no handler, no clean-up) leaves it to run out, and the next worker takes the
export over and starts it again, instead of it staying "bezig" forever. After EXPORT_MAX_ATTEMPTS cut-off
attempts the export fails and says so in Dutch. Real worker processes, real PostgreSQL."""

import datetime
import io
import zipfile

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from batch_export.models import BatchExport
from tests import factories as f
from tests.processes import task_worker, wait_for
from tests.task_worker import run_worker
from tests.test_batch_export import ask

pytestmark = pytest.mark.django_db(transaction=True)  # the workers read and write committed rows

LEASE = "2"  # seconds: a worker silent this long has lost the export


def export_now() -> BatchExport:
    return BatchExport.objects.get()


def test_an_export_whose_worker_is_killed_is_taken_over_by_the_next_worker(cast, client_for):
    for n in range(16):
        f.make_child(cast.group_a, f"Kind{n:02}")  # with Sem: 17 children, 17 PDFs
    client = client_for(cast.manager)
    export = ask(client, cast.group_a)

    with task_worker(EXPORT_LEASE_SECONDS=LEASE) as first:
        wait_for(lambda: export_now().done >= 4 or not first.alive(), seconds=90, what="4 of 17 PDFs made")
        first.kill()
    export.refresh_from_db()
    assert export.status == BatchExport.Status.RUNNING and 4 <= export.done < 17 and export.attempts == 1
    assert client.get(reverse("export_progress", args=[export.pk])).json()["status"] == "running"

    with task_worker(EXPORT_LEASE_SECONDS=LEASE) as second:
        wait_for(lambda: export_now().status != BatchExport.Status.RUNNING, seconds=90, what="the export is taken over")
        assert "attempt 1 gave no sign of life, starting again" in second.log()

    export.refresh_from_db()
    assert export.status == BatchExport.Status.DONE, export.error
    assert (export.done, export.total, export.attempts, export.lease_until) == (17, 17, 2, None)
    progress = client.get(reverse("export_progress", args=[export.pk])).json()
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(progress["download_url"]).streaming_content)))
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 17


@override_settings(EXPORT_MAX_ATTEMPTS=3)
def test_an_export_cut_off_too_often_fails_and_says_so(cast, client_for):
    client = client_for(cast.manager)
    export = ask(client, cast.group_a)
    # its third attempt's worker went silent a minute ago: the check queued for its lease's end runs
    past = timezone.now() - datetime.timedelta(minutes=1)
    BatchExport.objects.filter(pk=export.pk).update(status=BatchExport.Status.RUNNING, attempts=3, lease_until=past)
    run_worker()
    export.refresh_from_db()
    assert export.status == BatchExport.Status.FAILED and export.error == BatchExport.INTERRUPTED
    assert not DBTaskResult.objects.filter(status="READY").exists()  # nothing left to look at it again
    page = client.get(reverse("export_status", args=[export.pk])).content.decode()
    assert "Het maken van de zip is 3 keer afgebroken voordat hij klaar was." in page
    assert "is mislukt" not in page


def test_a_live_worker_keeps_its_export_and_a_run_that_lost_it_stops(cast, client_for, monkeypatch):
    """The check at the lease's end leaves an export whose worker renewed the lease, and a run whose
    lease another run has taken (it was silent too long) stops without touching the export."""
    from batch_export import services

    client = client_for(cast.manager)
    export = ask(client, cast.group_a)
    future = timezone.now() + datetime.timedelta(minutes=5)
    BatchExport.objects.filter(pk=export.pk).update(status=BatchExport.Status.RUNNING, attempts=1, lease_until=future)
    assert services.run_batch_export(str(export.pk)).attempts == 1  # held by a live worker: left alone
    later = DBTaskResult.objects.filter(run_after__gt=future, run_after__lt=future + datetime.timedelta(minutes=1))
    check = later.get(status="READY")  # looked at again after its lease
    assert check.args_kwargs["args"] == [str(export.pk)]

    real = services.render_child_summary_pdf

    def taken_over_meanwhile(summary, **kwargs):
        BatchExport.objects.filter(pk=export.pk).update(attempts=9)  # another run claimed it
        return real(summary, **kwargs)

    BatchExport.objects.filter(pk=export.pk).update(lease_until=timezone.now())
    monkeypatch.setattr(services, "render_child_summary_pdf", taken_over_meanwhile)
    services.run_batch_export(str(export.pk))
    export.refresh_from_db()
    assert (export.status, export.attempts, export.done, export.file.name) == ("running", 9, 0, "")


def test_an_export_whose_database_went_away_is_left_for_the_check_at_its_lease_end(cast, client_for, monkeypatch):
    from django.db import OperationalError

    from batch_export import services

    def database_gone(summary, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    export = ask(client_for(cast.manager), cast.group_a)
    monkeypatch.setattr(services, "render_child_summary_pdf", database_gone)
    with pytest.raises(OperationalError):
        services.run_batch_export(str(export.pk))
    export.refresh_from_db()
    assert (export.status, export.attempts, export.error) == ("running", 1, "")  # not "mislukt"
    by_lease_end = export.lease_until + datetime.timedelta(seconds=1)
    assert DBTaskResult.objects.filter(status="READY", run_after__lte=by_lease_end).exists()  # it starts again then
