"""The operator's view of the app (docs/operations.md): one JSON log line per request and per task run,
the Prometheus metrics, and `/metrics` for the operator's network or token.

Ids only, never names or notes: a log line holds the request id, user id, organisation id, view name,
status, duration and query count; a task's line its name, id, outcome, duration and the request id of
the request that queued it (the task's `request_id` keyword, read from organisations/observability.py).
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import sentry_sdk
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.db.utils import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import empty
from django.views.decorators.http import require_safe
from django_tasks import TaskResult, TaskResultStatus
from django_tasks.signals import task_finished, task_started
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

from organisations.observability import (
    reset_request_id,
    sane_request_id,
    set_request_id,
)
from staff.lockout import client_ip_address

request_logger = logging.getLogger("attachment_site.requests")
task_logger = logging.getLogger("attachment_site.tasks")

REQUEST_ID_HEADER = "X-Request-ID"
UNRESOLVED = "<unresolved>"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUESTS = Counter(
    "attachment_requests", "Requests answered, per view, method and status.", ["view", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "attachment_request_duration_seconds",
    "Seconds from the request's arrival to its answer, per view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120),
)
REQUEST_QUERIES = Histogram(
    "attachment_request_db_queries",
    "Database queries of one request, per view.",
    ["view"],
    buckets=(0, 1, 2, 5, 10, 20, 50, 100, 200, 500),
)
DB_QUERIES = Counter("attachment_db_queries", "Database queries run by requests, per view.", ["view"])
TASK_RUNS = Counter("attachment_task_runs", "Task runs finished, per task and outcome.", ["task", "outcome"])
TASK_SECONDS = Histogram(
    "attachment_task_duration_seconds",
    "Seconds one task run took, per task.",
    ["task"],
    buckets=(0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600),
)
LOGIN_FAILURES = Counter("attachment_login_failures", "Failed logins (a wrong password or an unknown address).")
LOGIN_LOCKOUTS = Counter("attachment_login_lockouts", "Logins refused by the lockout (django-axes).")


# --- requests ----------------------------------------------------------------------------------


class QueryCounter:
    """Counts the queries run on the default connection while installed (connection.execute_wrapper)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def view_name(request: HttpRequest) -> str:
    """The URL name of the view (namespaced), or its dotted path; UNRESOLVED for a path no view matched."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNRESOLVED
    return str(match.view_name or match._func_path)


def user_and_organisation(request: HttpRequest) -> tuple[int | None, int | None]:
    """The user's id and organisation id, from what the request already loaded: never a query of its own.
    The organisation is the one of the user's memberships (staff/scope.py caches them on the user) when
    there is exactly one."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None, None
    if not user.is_authenticated:
        return None, None
    scope = getattr(user, "_access_scope", None)
    organisations = {row[3] for row in scope.memberships} if scope is not None else set()
    return int(user.pk), (organisations.pop() if len(organisations) == 1 else None)


class RequestObservabilityMiddleware:
    """The request id (X-Request-ID: a sane incoming one, else a new one; on the answer too), its log line
    and its metrics. First in MIDDLEWARE, so its duration and query count hold every other middleware's
    work and every answer (also a redirect to HTTPS or a refusal) carries the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]  # read by views and the Sentry scope
        token = set_request_id(request_id)
        counter = QueryCounter()
        start = time.perf_counter()
        try:
            _tag_sentry_scope(request_id)
            with connection.execute_wrapper(counter):
                response = self.get_response(request)
        finally:
            reset_request_id(token)
        duration = time.perf_counter() - start
        response[REQUEST_ID_HEADER] = request_id
        self.record(request, response, request_id, duration, counter.count)
        return response

    @staticmethod
    def record(request: HttpRequest, response: HttpResponse, request_id: str, duration: float, queries: int) -> None:
        view = view_name(request)
        user_id, organisation_id = user_and_organisation(request)
        method = request.method if request.method in KNOWN_METHODS else "other"  # labels stay few
        REQUESTS.labels(view=view, method=method, status=str(response.status_code)).inc()
        REQUEST_SECONDS.labels(view=view).observe(duration)
        REQUEST_QUERIES.labels(view=view).observe(queries)
        DB_QUERIES.labels(view=view).inc(queries)
        request_logger.info(
            "request",
            extra={
                "event": "request",
                "request_id": request_id,
                "method": request.method,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 1),
                "queries": queries,
                "user_id": user_id,
                "organisation_id": organisation_id,
            },
        )


def _tag_sentry_scope(request_id: str) -> None:
    """The request id on the Sentry event of an error in this request (attachment_site/sentry.py)."""
    sentry_sdk.set_tag("request_id", request_id)  # nothing is sent without SENTRY_DSN


# --- tasks -------------------------------------------------------------------------------------

_started: dict[str, tuple[float, object]] = {}


def _task_request_id(task_result: TaskResult[Any]) -> str:
    value = task_result.kwargs.get("request_id", "")
    return value if isinstance(value, str) else ""


def task_run_started(sender: object, task_result: TaskResult[Any], **kwargs: object) -> None:
    """The task's request id becomes the current one while it runs (tasks it queues carry it on)."""
    _started[task_result.id] = (time.perf_counter(), set_request_id(_task_request_id(task_result)))


def task_run_finished(sender: object, task_result: TaskResult[Any], **kwargs: object) -> None:
    """One log line and the metrics of a finished task run: name, id, outcome, duration, request id."""
    began, token = _started.pop(task_result.id, (None, None))
    if began is not None:
        duration = time.perf_counter() - began
    elif task_result.started_at is not None:
        duration = (timezone.now() - task_result.started_at).total_seconds()
    else:
        duration = 0.0
    if token is not None:
        reset_request_id(token)
    name = task_result.task.module_path
    outcome = "successful" if task_result.status == TaskResultStatus.SUCCESSFUL else "failed"
    TASK_RUNS.labels(task=name, outcome=outcome).inc()
    TASK_SECONDS.labels(task=name).observe(duration)
    task_logger.info(
        "task",
        extra={
            "event": "task",
            "task": name,
            "task_id": task_result.id,
            "outcome": outcome,
            "duration_ms": round(duration * 1000, 1),
            "request_id": _task_request_id(task_result),
            "error": (task_result.errors[-1].exception_class_path if task_result.errors else None),
        },
    )


# --- logins ------------------------------------------------------------------------------------


def login_failed(sender: object, **kwargs: object) -> None:
    LOGIN_FAILURES.inc()


def locked_out(sender: object, **kwargs: object) -> None:
    LOGIN_LOCKOUTS.inc()


def connect_signals() -> None:
    from axes.signals import user_locked_out

    task_started.connect(task_run_started, dispatch_uid="observability.task_started")
    task_finished.connect(task_run_finished, dispatch_uid="observability.task_finished")
    user_login_failed.connect(login_failed, dispatch_uid="observability.login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="observability.locked_out")


# --- the task queue, read at each scrape --------------------------------------------------------


class TaskQueueCollector(Collector):
    """The task queue's depth (tasks ready to run now) and the age of the oldest of them, from the
    database (django-tasks-db), so every worker and process answers the same."""

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily("attachment_task_queue_depth", "Tasks waiting in the queue, ready to run now.")
        age = GaugeMetricFamily(
            "attachment_task_queue_oldest_age_seconds", "Seconds the oldest task ready to run has waited (0: none)."
        )
        try:
            waiting, oldest = task_queue_state()
        except DatabaseError:
            return
        depth.add_metric([], waiting)
        age.add_metric([], oldest)
        yield depth
        yield age


def task_queue_state() -> tuple[int, float]:
    """(tasks ready to run now, seconds the oldest of them has waited since it could run: since it was
    queued, or since its run_after for a task queued to run later)."""
    from django.db.models import Case, Count, F, Min, When
    from django_tasks_db.models import DBTaskResult, get_date_max

    could_run = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    ready = DBTaskResult.objects.ready().aggregate(count=Count("id"), since=Min(could_run))
    if not ready["count"]:
        return 0, 0.0
    return int(ready["count"]), max(0.0, (timezone.now() - ready["since"]).total_seconds())


# --- /metrics ----------------------------------------------------------------------------------


def _client_allowed(request: HttpRequest) -> bool:
    """The client's address (behind DJANGO_BEHIND_PROXY the one our outermost proxy saw, as for the login
    lockout: a proxy on the same machine does not make every client local) is in METRICS_ALLOWED_CIDRS."""
    address = client_ip_address(request) or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(cidr, strict=False) for cidr in settings.METRICS_ALLOWED_CIDRS)


def _token_given(request: HttpRequest) -> bool:
    expected = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(expected) and secrets.compare_digest(given.encode(), f"Bearer {expected}".encode())


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text format, for the operator's network (METRICS_ALLOWED_CIDRS) or the bearer token
    (METRICS_TOKEN); a 404 for anyone else. Summed over gunicorn's workers when
    PROMETHEUS_MULTIPROC_DIR is set (gunicorn.conf.py sets it)."""
    if not (_token_given(request) or _client_allowed(request)):
        raise Http404
    queue = CollectorRegistry()
    queue.register(TaskQueueCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus-client leaves it unannotated
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    response = HttpResponse(body + generate_latest(queue), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
