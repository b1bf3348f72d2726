"""Batch export in the background (issue 13): a manager or coach asks, the task queue (django-tasks,
database backend) makes the zip, the page follows the progress, only the person who asked fetches
it, for a limited time, logged in the access log; a child whose PDF fails is listed and the batch
goes on; a batch that fails as a whole says so. The queue runs for real: `manage.py db_worker`."""

import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from access_log.models import AccessLog
from batch_export import services
from batch_export.models import BatchExport
from conversations.models import Conversation
from organisations.calendar import today, week_of
from reports.models import PreparedHandout
from tests import factories as f
from tests.report_data import give_recurring_comfort_pattern
from tests.task_worker import run_worker
from tests.test_prepare_handout import form_data, sentence_name
from tests.test_prepare_handout import url as prepare_url

pytestmark = pytest.mark.django_db(transaction=True)  # the worker commits, as in production


def ask(client, group) -> BatchExport:
    response = client.post(reverse("group_export", args=[group.pk]), {"weken": "12"})
    assert response.status_code == 302
    export = BatchExport.objects.get()
    assert response["Location"] == reverse("export_status", args=[export.pk])
    return export


def pdf_failing_for(child):
    """The summary PDF renderer, broken for `child` alone."""
    real = services.render_child_summary_pdf

    def render(summary, **kwargs):
        if summary.child.pk == child.pk:
            raise RuntimeError(f"the PDF of {child.first_name} breaks")
        return real(summary, **kwargs)

    return render


def test_the_worker_makes_the_zip_and_only_the_asker_fetches_it_once_logged(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    f.make_child(cast.group_a, "Anna")
    client = client_for(cast.manager)
    export = ask(client, cast.group_a)
    # waiting in the queue: a task row in PostgreSQL, the page says so and refreshes itself without JavaScript
    task = DBTaskResult.objects.get()
    assert task.status == "READY" and task.args_kwargs["args"] == [str(export.pk)]
    page = client.get(reverse("export_status", args=[export.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh"' in page and "export.js" in page
    progress = client.get(reverse("export_progress", args=[export.pk])).json()
    assert progress["status"] == "queued" and progress["download_url"] is None

    run_worker()

    export.refresh_from_db()
    assert export.status == BatchExport.Status.DONE and (export.done, export.total) == (2, 2)
    progress = client.get(reverse("export_progress", args=[export.pk])).json()
    assert progress["percent"] == 100 and progress["finished"] and progress["failures"] == []
    assert progress["download_url"] == reverse("export_download", args=[export.pk])
    page = client.get(reverse("export_status", args=[export.pk])).content.decode()
    assert "<noscript>" not in page  # finished: no more refreshing

    # someone else (even the coach of the location) gets nothing
    for other in (cast.coach, cast.staff_a):
        other_client = client_for(other)
        for name in ("export_status", "export_progress", "export_download"):
            assert other_client.get(reverse(name, args=[export.pk])).status_code == 404
    client = client_for(cast.manager)
    response = client.get(progress["download_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(archive.namelist())
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    assert all(archive.read(n).startswith(b"%PDF") for n in names)
    logged = AccessLog.objects.filter(user=cast.manager, action=AccessLog.Action.EXPORT)
    assert sorted(logged.values_list("child__first_name", flat=True)) == ["Anna", "Sem"]
    assert logged.first().path == progress["download_url"]


def test_a_child_whose_pdf_fails_is_listed_and_the_batch_goes_on(cast, client_for, monkeypatch):
    anna = f.make_child(cast.group_a, "Anna")
    monkeypatch.setattr(services, "render_child_summary_pdf", pdf_failing_for(anna))
    client = client_for(cast.coach)
    export = ask(client, cast.group_a)
    run_worker()
    export.refresh_from_db()
    assert export.status == BatchExport.Status.DONE and (export.done, export.total) == (2, 2)
    assert export.children == [cast.child_a.pk]
    assert export.failures == [{"child": anna.pk, "name": anna.full_name, "error": "RuntimeError"}]
    progress = client.get(reverse("export_progress", args=[export.pk])).json()
    assert progress["failures"] == [anna.full_name] and progress["download_url"]
    page = client.get(reverse("export_status", args=[export.pk])).content.decode()
    assert anna.full_name in page
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(progress["download_url"]).streaming_content)))
    assert len([n for n in archive.namelist() if n.endswith(".pdf")]) == 1
    assert anna.full_name in archive.read(services.FAILURES_FILE).decode()
    # only the children in the zip are logged as exported
    assert list(AccessLog.objects.filter(action=AccessLog.Action.EXPORT).values_list("child", flat=True)) == [
        cast.child_a.pk
    ]


def test_a_batch_that_fails_as_a_whole_says_so_and_the_task_is_marked_failed(cast, client_for, monkeypatch):
    def broken(export, attempt):
        raise OSError("the storage is full")

    monkeypatch.setattr(services, "_build", broken)
    client = client_for(cast.manager)
    export = ask(client, cast.group_a)
    run_worker()
    export.refresh_from_db()
    assert export.status == BatchExport.Status.FAILED and export.error == "OSError"
    asked = DBTaskResult.objects.order_by("enqueued_at").first()
    assert asked.status == "FAILED"
    progress = client.get(reverse("export_progress", args=[export.pk])).json()
    assert progress["finished"] and progress["download_url"] is None
    assert "Het maken van de zip is mislukt." in client.get(reverse("export_status", args=[export.pk])).content.decode()
    assert client.get(reverse("export_download", args=[export.pk])).status_code == 410


def test_a_task_run_twice_makes_the_zip_once(cast, client_for):
    export = ask(client_for(cast.manager), cast.group_a)
    run_worker()
    first = BatchExport.objects.get().file.name
    assert services.run_batch_export(str(export.pk)).file.name == first  # a second run finds it claimed


def test_the_zip_is_offered_for_a_limited_time(cast, client_for):
    client = client_for(cast.manager)
    export = ask(client, cast.group_a)
    run_worker()
    export.refresh_from_db()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    BatchExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert client.get(reverse("export_progress", args=[export.pk])).json()["status"] == "expired"
    assert client.get(reverse("export_download", args=[export.pk])).status_code == 410
    assert not storage.exists(name)
    assert BatchExport.objects.get().status == BatchExport.Status.EXPIRED
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_expired_zips_are_removed_by_the_command(cast, client_for):
    export = ask(client_for(cast.manager), cast.group_a)
    run_worker()
    export.refresh_from_db()
    BatchExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - datetime.timedelta(hours=1))
    out = io.StringIO()
    call_command("remove_expired_exports", stdout=out)
    assert "1 expired" in out.getvalue() and not export.file.storage.exists(export.file.name)


def test_only_managers_and_coaches_ask_and_a_location_export_covers_its_groups(cast, client_for):
    assert client_for(cast.staff_a).post(reverse("group_export", args=[cast.group_a.pk])).status_code == 404
    assert client_for(cast.admin).post(reverse("location_export", args=[cast.location1.pk])).status_code == 404
    client = client_for(cast.coach)
    response = client.post(reverse("location_export", args=[cast.location1.pk]))
    assert response.status_code == 302
    run_worker()
    export = BatchExport.objects.get()
    assert export.location == cast.location1 and export.total == 2  # the children of groups A and B
    html = client.get(reverse("location_detail", args=[cast.location1.pk])).content.decode()
    assert reverse("location_export", args=[cast.location1.pk]) in html
    assert reverse("location_export", args=[cast.location1.pk]) not in (
        client_for(cast.staff_a).get(reverse("location_detail", args=[cast.location1.pk])).content.decode()
    )


def test_a_removed_child_leaves_every_export_and_its_zip_goes(cast, client_for, monkeypatch):
    """Erasure (privacy/erasure.py): a zip that holds the child's PDF, or names it in niet-gelukt.txt
    (issue 19), is removed from storage, and the child leaves the lists of the exports, the failures
    that name it included; other exports stay."""
    from privacy.erasure import erase_child

    anna = f.make_child(cast.group_a, "Anna")
    client = client_for(cast.coach)
    with_anna = ask(client, cast.group_a)  # Sem in the zip, Anna among the failures
    monkeypatch.setattr(services, "render_child_summary_pdf", pdf_failing_for(anna))
    run_worker()
    monkeypatch.undo()
    with_anna.refresh_from_db()
    assert with_anna.children == [cast.child_a.pk] and with_anna.failures[0]["name"] == anna.full_name
    zip_name = with_anna.file.name
    assert client.post(reverse("group_export", args=[cast.group_b.pk]), {"weken": "12"}).status_code == 302
    run_worker()
    other = BatchExport.objects.get(group=cast.group_b)

    erase_child(anna, rule="request")
    with_anna.refresh_from_db()
    assert with_anna.failures == [] and with_anna.children == [cast.child_a.pk]
    assert with_anna.status == BatchExport.Status.EXPIRED and not with_anna.file
    assert not with_anna.file.storage.exists(zip_name)  # its niet-gelukt.txt named her
    assert client.get(reverse("export_download", args=[with_anna.pk])).status_code == 410
    other.refresh_from_db()
    assert other.status == BatchExport.Status.DONE and other.file.storage.exists(other.file.name)

    erase_child(cast.child_b, rule="request")
    other.refresh_from_db()
    assert other.children == [] and other.status == BatchExport.Status.EXPIRED
    assert not other.file
    with_anna.refresh_from_db()
    assert with_anna.children == [cast.child_a.pk]


def test_the_pdfs_and_the_access_log_cover_the_weeks_of_the_day_it_was_asked_for(cast, client_for):
    client = client_for(cast.manager)
    export = ask(client, cast.group_a)
    asked = timezone.now() - datetime.timedelta(days=7)  # waited a week in the queue
    BatchExport.objects.filter(pk=export.pk).update(created_at=asked)
    run_worker()
    progress = client.get(reverse("export_progress", args=[export.pk])).json()
    b"".join(client.get(progress["download_url"]).streaming_content)
    row = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    asked_week = week_of(timezone.localdate(asked))
    assert (row.period_end, row.weeks) == (asked_week.end, 12)
    assert row.period_start == asked_week.start - datetime.timedelta(weeks=11)


def test_asking_again_shows_the_export_already_asked_for(cast, client_for):
    """15 clicks on the button make one export: each shows the one waiting (or in progress) for the
    same person, place and period. Another period or person, or a finished export, gets a new one."""
    client = client_for(cast.coach)
    url = reverse("location_export", args=[cast.location1.pk])
    responses = [client.post(url, {"weken": "12"}) for _ in range(15)]
    export = BatchExport.objects.get()
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, reverse("export_status", args=[export.pk]))}
    assert DBTaskResult.objects.count() == 1
    assert (
        "Deze zip had je al aangevraagd: hier zie je hoe ver hij is."
        in client.get(responses[-1]["Location"]).content.decode()
    )

    BatchExport.objects.update(status=BatchExport.Status.RUNNING)  # in progress: still the same one
    assert client.post(url, {"weken": "12"})["Location"] == reverse("export_status", args=[export.pk])
    client.post(url, {"weken": "4"})  # another period
    client_for(cast.manager).post(url, {"weken": "12"})  # another person
    assert BatchExport.objects.count() == 3
    BatchExport.objects.filter(pk=export.pk).update(status=BatchExport.Status.DONE)
    assert client_for(cast.coach).post(url, {"weken": "12"})["Location"] != reverse("export_status", args=[export.pk])
    assert BatchExport.objects.count() == 4


@override_settings(EXPORT_MAX_OPEN=3)
def test_a_person_has_a_few_exports_open_at_most(cast, client_for):
    client = client_for(cast.coach)
    for group in (cast.group_a, cast.group_b, cast.group_c):
        assert client.post(reverse("group_export", args=[group.pk]), {"weken": "12"}).status_code == 302
    refused = client.post(reverse("location_export", args=[cast.location2.pk]), {"weken": "12"})
    assert refused["Location"] == reverse("location_detail", args=[cast.location2.pk])
    assert BatchExport.objects.count() == 3 and DBTaskResult.objects.count() == 3  # nothing saved
    page = client.get(refused["Location"]).content.decode()
    assert "Er worden al 3 zips voor je gemaakt. Wacht tot er een klaar is en vraag dan de volgende aan." in page
    refused = client.post(reverse("group_export", args=[cast.group_b.pk]), {"weken": "4"})
    assert refused["Location"] == reverse("group_overview", args=[cast.group_b.pk]) + "?weken=4"

    run_worker()  # the three are made: the next may be asked for
    assert client.post(reverse("location_export", args=[cast.location2.pk]), {"weken": "12"}).status_code == 302
    assert BatchExport.objects.count() == 4


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_handouts_for_the_parents_come_as_a_zip_each_in_its_parents_language(cast, client_for):
    """The batch export makes the parents' handouts too (issue 21): one per child, named so, each in
    the language of its parents; asking for the summaries as well makes a second export, not the same."""
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    anna = f.make_child(cast.group_a, "Anna")
    anna.parents_language = "en"
    anna.save()
    client = client_for(cast.manager)
    page = client.get(reverse("group_overview", args=[cast.group_a.pk])).content.decode()
    assert 'name="soort" value="handouts"' in page
    response = client.post(reverse("group_export", args=[cast.group_a.pk]), {"weken": "12", "soort": "handouts"})
    assert response.status_code == 302
    handouts = BatchExport.objects.get()
    assert handouts.kind == BatchExport.Kind.HANDOUTS
    assert "handout voor de ouders van elk kind" in client.get(response["Location"]).content.decode()
    summaries = client.post(reverse("group_export", args=[cast.group_a.pk]), {"weken": "12"})
    assert summaries.status_code == 302 and BatchExport.objects.count() == 2
    assert summaries["Location"] != response["Location"]

    run_worker()

    handouts.refresh_from_db()
    assert handouts.status == BatchExport.Status.DONE and handouts.file.name.split("/")[-1].startswith(
        "oudergesprekken-"
    )
    download = client.get(reverse("export_download", args=[handouts.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = sorted(archive.namelist())
    assert names[0].startswith("oudergesprek-Anna-") and names[0].endswith(f"-{anna.pk}.pdf")
    assert names[1].startswith("oudergesprek-Sem-")
    english, dutch = (_pdf_text(archive.read(n)) for n in names)
    assert "not a diagnosis" in english and "diagnose" not in english
    assert "geen diagnose" in dutch and "not a diagnosis" not in dutch


def test_an_unknown_kind_of_export_is_refused_with_a_dutch_message(cast, client_for):
    response = client_for(cast.manager).post(reverse("group_export", args=[cast.group_a.pk]), {"soort": "alles"})
    assert response.status_code == 400 and "overzichten voor het team" in response.content.decode()
    assert not BatchExport.objects.exists()


def test_the_handouts_zip_holds_the_handout_prepared_for_the_coming_conversation(cast, client_for):
    """Where the coach prepared the handout (issue 21), the zip holds it as it was made ready, not a new
    one; once it was handed over at a recorded conversation, the next zip draws a new one."""
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    coach = client_for(cast.coach)
    page = coach.get(prepare_url(cast.child_a))
    intro = sentence_name(page, "intro")
    coach.post(
        prepare_url(cast.child_a), form_data(page, **{intro: "Een zin die de coach zelf schreef.", "action": "ready"})
    )
    assert PreparedHandout.objects.filter(child=cast.child_a, status="ready").exists()

    def sem_in_zip() -> str:
        BatchExport.objects.all().delete()
        client = client_for(cast.manager)
        client.post(reverse("group_export", args=[cast.group_a.pk]), {"weken": "12", "soort": "handouts"})
        run_worker()
        export = BatchExport.objects.get()
        archive = zipfile.ZipFile(
            io.BytesIO(b"".join(client.get(reverse("export_download", args=[export.pk])).streaming_content))
        )
        (name,) = [n for n in archive.namelist() if n.startswith("oudergesprek-Sem-")]
        return _pdf_text(archive.read(name))

    assert "Een zin die de coach zelf schreef." in sem_in_zip()
    Conversation.objects.create(child=cast.child_a, date=today(), participants="Moeder, coach", recorded_by=cast.coach)
    assert "Een zin die de coach zelf schreef." not in sem_in_zip()
