"""The operator's side (issue 24, docs/operations.md): /health/live/, /health/ready/, /metrics, the JSON log
lines of requests and tasks, and the scrubbed Sentry event. Ids only: never a child's name or a note."""

import io
import json
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sentry_sdk
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from sentry_sdk.transport import Transport

from attachment_site import urls as site_urls
from attachment_site.sentry import init_sentry
from organisations.observability import REQUEST_ID_PATTERN
from tests import factories as f
from tests.observation_factories import entry_data
from tests.task_worker import run_worker

NOTE = "Viel bij het buitenspelen en bleef stil zitten."


def scrape(client: Client, **headers) -> str:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    return response.content.decode()


def metric_value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples of `name` whose labels include `labels` (0 when there is none)."""
    total = 0.0
    for line in text.splitlines():
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(\{(.*)\})? (\S+)", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(3) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(match.group(4))
    return total


class Lines:
    """The JSON lines the app's configured formatter writes for one logger (its own handler, so the
    logging configuration of settings.py is what is tested)."""

    def __init__(self, name: str):
        self.logger = logging.getLogger(name)
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(self.logger.handlers[0].formatter)

    def __enter__(self) -> "Lines":
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def records(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


# --- health -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_liveness_answers_without_a_login_and_without_child_data(cast, client):
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert cast.child_a.first_name not in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_checks_database_migrations_queue_and_exports_storage(cast, client):
    response = client.get("/health/ready/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body.values()) == {"OK"}
    checks = " ".join(body)
    for name in ("Database", "MigrationsApplied", "TaskQueueAge", "ExportsStorageWritable"):
        assert name in checks
    assert cast.child_a.first_name not in response.content.decode()
    assert "Testmans" not in response.content.decode()


def test_the_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/health/live/").status_code == 200
    assert client.get("/inloggen/").status_code == 301


@pytest.mark.django_db
def test_readiness_fails_when_the_exports_storage_cannot_be_written(client, settings, tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.EXPORTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(blocker / "exports")},  # below a file: no one can make this folder
    }
    response = client.get("/health/ready/")
    assert response.status_code == 503
    failed = {k: v for k, v in response.json().items() if v != "OK"}
    assert list(failed) == ["ExportsStorageWritable()"]
    assert "not writable" in failed["ExportsStorageWritable()"]


@pytest.mark.django_db
def test_readiness_fails_on_a_read_only_exports_folder(client, settings, tmp_path: Path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder; the test above fails the storage for root too")
    folder = tmp_path / "exports"
    folder.mkdir(mode=0o555)
    settings.EXPORTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder)},
    }
    assert client.get("/health/ready/").status_code == 503


@pytest.mark.django_db
def test_readiness_fails_with_a_migration_not_applied(client):
    with connection.cursor() as cursor:  # inside the test's transaction: rolled back afterwards
        cursor.execute(
            "DELETE FROM django_migrations"
            " WHERE id = (SELECT max(id) FROM django_migrations WHERE app = 'batch_export')"
        )
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert "1 migration(s) not applied" in response.json()["MigrationsApplied()"]


@pytest.mark.django_db
def test_readiness_fails_when_the_oldest_waiting_task_is_too_old(client, settings):
    settings.HEALTH_TASK_QUEUE_MAX_AGE_SECONDS = 600
    from staff.password_reset import send_password_reset_mail

    send_password_reset_mail.enqueue(email="x@example.org", domain="testserver", use_https=True, language="nl")
    assert client.get("/health/ready/").status_code == 200  # just queued
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timezone.timedelta(hours=1))
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert "Oldest waiting task 3600 s old" in response.json()["TaskQueueAge()"]
    assert metric_value(scrape(client), "attachment_task_queue_depth") == 1
    assert metric_value(scrape(client), "attachment_task_queue_oldest_age_seconds") >= 3600


# --- /metrics -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_only_for_the_operators_network_or_the_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", **outside).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-token", **outside).status_code == 404
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", **outside)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    settings.METRICS_ALLOWED_CIDRS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


@pytest.mark.django_db
def test_metrics_behind_the_proxy_judge_the_client_not_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    from_outside = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client.get("/metrics", **from_outside).status_code == 404
    forged = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "127.0.0.1, 203.0.113.9"}
    assert client.get("/metrics", **forged).status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200  # on the server itself


@pytest.mark.django_db
def test_metrics_without_a_token_set_refuse_any_bearer(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_request_and_pdf_metrics_after_a_request_and_a_pdf(cast, client_for, client):
    before = scrape(client)
    coach = client_for(cast.coach)
    assert coach.get(reverse("child_detail", args=[cast.child_a.pk])).status_code == 200
    pdf = coach.get(reverse("child_summary_pdf", args=[cast.child_a.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    after = scrape(client)

    def grew(name, **labels):
        return metric_value(after, name, **labels) - metric_value(before, name, **labels)

    assert grew("attachment_requests_total", view="child_detail", method="GET", status="200") == 1
    assert grew("attachment_request_duration_seconds_count", view="child_detail") == 1
    assert grew("attachment_request_db_queries_count", view="child_detail") == 1
    assert grew("attachment_db_queries_total", view="child_detail") > 0
    assert grew("attachment_pdf_render_seconds_count") == 1
    assert "attachment_pdf_queue_length" in after
    assert metric_value(after, "attachment_pdf_queue_length") == 0  # none waiting now
    assert cast.child_a.first_name not in after


@pytest.mark.django_db
def test_login_failures_and_lockouts_are_counted(cast, client, settings):
    before = scrape(client)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post("/inloggen/", {"username": cast.staff_a.email, "password": "wrong"})
    after = scrape(client)
    failures = metric_value(after, "attachment_login_failures_total") - metric_value(
        before, "attachment_login_failures_total"
    )
    lockouts = metric_value(after, "attachment_login_lockouts_total") - metric_value(
        before, "attachment_login_lockouts_total"
    )
    assert failures >= settings.AXES_FAILURE_LIMIT
    assert lockouts >= 1


# --- request log lines --------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_json_line_per_request_with_ids_and_never_a_name_or_a_note(cast, client_for):
    client = client_for(cast.staff_a)
    with Lines("attachment_site.requests") as lines:
        client.get(reverse("child_detail", args=[cast.child_a.pk]), HTTP_X_REQUEST_ID="probe-1234")
        response = client.post(reverse("observation_new", args=[cast.child_a.pk]), entry_data(cast.child_a))
    assert response.status_code == 302
    first, second = lines.records()
    assert first["request_id"] == "probe-1234"
    assert first["view"] == "child_detail" and first["status"] == 200 and first["method"] == "GET"
    assert first["user_id"] == cast.staff_a.pk
    assert first["organisation_id"] == cast.org.pk
    assert first["queries"] > 0 and first["duration_ms"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", first["time"])
    assert second["view"] == "observation_new" and second["status"] == 302
    assert REQUEST_ID_PATTERN.fullmatch(second["request_id"]) and second["request_id"] == response["X-Request-ID"]
    assert NOTE in entry_data(cast.child_a).values()  # the POST held the note...
    for word in (NOTE, "buitenspelen", cast.child_a.first_name, "Testmans", cast.staff_a.email):
        assert word not in lines.text  # ...and no line holds it, nor a name


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["", "a b", "x" * 65, "<script>", "ok\nforged"])
def test_an_insane_request_id_is_replaced(client, incoming):
    response = client.get("/health/live/", HTTP_X_REQUEST_ID=incoming)
    assert response["X-Request-ID"] != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_a_sane_request_id_is_kept(client):
    given = str(uuid.uuid4())
    assert client.get("/health/live/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


# --- task log lines: the request id joins the request to its task ----------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_task_line_carries_the_request_id_of_the_request_that_queued_it(client):
    f.make_user("anna@example.org", first_name="Annabel")
    with Lines("attachment_site.tasks") as tasks, Lines("attachment_site.requests") as requests:
        response = client.post(
            reverse("password_reset"), {"email": "anna@example.org"}, HTTP_X_REQUEST_ID="reset-req-42"
        )
        assert response.status_code == 302
        run_worker()
    (request_line,) = requests.records()
    assert request_line["request_id"] == "reset-req-42" and request_line["view"] == "password_reset"
    (line,) = tasks.records()
    assert line["task"] == "staff.password_reset.send_password_reset_mail"
    assert line["request_id"] == "reset-req-42"
    assert line["outcome"] == "successful"
    assert line["task_id"] == str(DBTaskResult.objects.get().id)
    assert line["duration_ms"] >= 0
    assert "anna@example.org" not in tasks.text and "Annabel" not in tasks.text
    text = scrape(client)
    assert (
        metric_value(
            text,
            "attachment_task_runs_total",
            task="staff.password_reset.send_password_reset_mail",
            outcome="successful",
        )
        >= 1
    )
    assert metric_value(text, "attachment_task_duration_seconds_count") >= 1


# --- Sentry: the real SDK, its events kept in memory ---------------------------------------------------


class MemoryTransport(Transport):
    """sentry-sdk's transport that keeps the envelopes instead of sending them."""

    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)


def failing_entry(request: HttpRequest, pk: int) -> HttpResponse:
    note = request.POST["note"]
    child_name = request.POST["child"]
    raise ValueError(f"could not save {note!r} for {child_name}")


urlpatterns = [path("test/fout/<int:pk>/", failing_entry, name="failing_entry"), *site_urls.urlpatterns]


@pytest.mark.django_db
def test_an_error_reaches_sentry_without_the_note_or_the_childs_name(cast, client_for):
    transport = MemoryTransport()
    init_sentry("https://public@sentry.example.invalid/1", transport=transport)
    try:
        with override_settings(ROOT_URLCONF="tests.test_operations"):
            client = client_for(cast.staff_a)
            client.raise_request_exception = False
            response = client.post(
                f"/test/fout/{cast.child_a.pk}/",
                {"note": NOTE, "child": f"{cast.child_a.first_name} Testmans"},
                HTTP_X_REQUEST_ID="sentry-req-7",
                HTTP_COOKIE="secretcookie=Sem",
            )
            assert response.status_code == 500
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # no DSN: the SDK off again for the other tests
    events = [item.payload.json for env in transport.envelopes for item in env.items if item.type == "event"]
    assert events, "no event reached the transport"
    text = json.dumps(events)
    for word in (NOTE, "buitenspelen", cast.child_a.first_name, "Testmans", "secretcookie", cast.staff_a.email):
        assert word not in text
    (event,) = [e for e in events if e.get("exception")]
    assert event["exception"]["values"][-1]["type"] == "ValueError"
    assert event["tags"]["request_id"] == "sentry-req-7"
    assert event["transaction"] == "/test/fout/{pk}/"
    frames = event["exception"]["values"][-1]["stacktrace"]["frames"]
    assert frames[-1]["function"] == "failing_entry" and all("vars" not in frame for frame in frames)
    assert "data" not in event["request"] and "cookies" not in event["request"]


@pytest.mark.django_db
def test_a_batch_export_task_carries_the_request_id_of_its_request(cast):
    from batch_export.services import request_batch_export
    from organisations.observability import reset_request_id, set_request_id

    token = set_request_id("export-req-9")
    try:
        request_batch_export(user=cast.coach, weeks=12, group=cast.group_a)
    finally:
        reset_request_id(token)
    (queued,) = DBTaskResult.objects.all()
    assert queued.args_kwargs["kwargs"] == {"request_id": "export-req-9"}


def gunicorn_settings(*flags: str, tmp_path: Path) -> dict[str, str]:
    """The settings gunicorn would start with in the checkout (`--print-config`: the app is loaded, no
    worker is started)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY")}
    environment["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path)  # the app is loaded too: its metrics go here
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    done = subprocess.run(
        [gunicorn, "--print-config", *flags, "attachment_site.wsgi"],
        cwd=Path(__file__).resolve().parents[1],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return dict(re.findall(r"^(\w+)\s+= (.*)$", done.stdout, re.MULTILINE))


def test_gunicorn_starts_with_the_settings_of_gunicorn_conf(tmp_path):
    """However gunicorn is started in the checkout (README, systemd, make smoke, bench/), it reads
    gunicorn.conf.py: threaded workers that queue a busy worker's requests, kept-alive connections that
    outlast a reverse proxy's idle ones (nginx: 60 s), no restarts that close them, and the hooks that
    sum the metrics over the workers. A flag on the command line still wins (docs/operations.md)."""
    settings = gunicorn_settings(tmp_path=tmp_path)
    assert settings["config"] == "./gunicorn.conf.py"
    assert (settings["worker_class"], settings["workers"], settings["threads"]) == ("gthread", "3", "4")
    assert int(settings["keepalive"]) > 60
    assert (settings["max_requests"], settings["backlog"]) == ("0", "2048")
    assert (settings["on_starting"], settings["child_exit"]) == ("<on_starting()>", "<child_exit()>")

    flagged = gunicorn_settings("--workers", "1", "--keep-alive", "5", tmp_path=tmp_path)
    assert (flagged["workers"], flagged["keepalive"], flagged["worker_class"]) == ("1", "5", "gthread")
