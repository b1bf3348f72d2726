"""Liveness and readiness for the operator's probes (docs/operations.md), with django-health-check.

`/health/live/`: the process answers (no check; a 200 as long as a worker serves). `/health/ready/`: the
database answers, every migration is applied, the task queue's oldest waiting task is younger than
HEALTH_TASK_QUEUE_MAX_AGE_SECONDS, and the exports storage takes a file. A failing check answers 503.
No login, and no data about children: the answer names the checks and their state only."""

from __future__ import annotations

import dataclasses
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from attachment_site.observability import task_queue_state


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):  # type: ignore[misc]  # django-health-check ships no type hints
    """Every migration of the code is applied to the database (a deploy that forgot `migrate`)."""

    async def run(self) -> None:
        await sync_to_async(self.check)()

    def check(self) -> None:
        try:
            executor = MigrationExecutor(connection)
            unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as error:
            raise ServiceUnavailable("Database unavailable") from error
        if unapplied:
            raise ServiceUnavailable(f"{len(unapplied)} migration(s) not applied")


@dataclasses.dataclass
class TaskQueueAge(HealthCheck):  # type: ignore[misc]  # django-health-check ships no type hints
    """The oldest task waiting to run waited less than HEALTH_TASK_QUEUE_MAX_AGE_SECONDS: a worker runs."""

    async def run(self) -> None:
        await sync_to_async(self.check)()

    def check(self) -> None:
        try:
            waiting, oldest = task_queue_state()
        except DatabaseError as error:
            raise ServiceUnavailable("Database unavailable") from error
        limit = settings.HEALTH_TASK_QUEUE_MAX_AGE_SECONDS
        if waiting and oldest > limit:
            raise ServiceUnavailable(f"Oldest waiting task {oldest:.0f} s old (limit {limit} s)")


@dataclasses.dataclass
class ExportsStorageWritable(HealthCheck):  # type: ignore[misc]  # django-health-check ships no type hints
    """The exports storage (EXPORTS_STORAGE, batch_export) takes a file, gives it back and removes it."""

    async def run(self) -> None:
        await sync_to_async(self.check)()

    def check(self) -> None:
        from django.core.files.storage import storages

        storage = storages.create_storage(settings.EXPORTS_STORAGE)
        content = b"health check"
        try:
            name = storage.save("health-check/probe.txt", ContentFile(content))
            try:
                with storage.open(name) as probe:
                    if probe.read() != content:
                        raise ServiceUnavailable("Exports storage gave back other content")
            finally:
                storage.delete(name)
        except OSError as error:
            raise ServiceUnavailable(f"Exports storage not writable ({type(error).__name__})") from error


class _HealthView(HealthCheckView):  # type: ignore[misc]  # django-health-check ships no type hints
    """django-health-check's view, always answering JSON, 503 (not 500) when a check fails."""

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = await super().get(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        return self.render_to_response_json(response_kwargs.get("status", 200))  # type: ignore[no-any-return]


class ReadyView(_HealthView):
    checks = (
        "health_check.checks.Database",
        MigrationsApplied,
        TaskQueueAge,
        ExportsStorageWritable,
    )


@never_cache
@require_safe
def live(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. No checks (the database's state is readiness's question), and a
    plain view, so it answers even where no event loop may be started."""
    return JsonResponse({})


ready = ReadyView.as_view()
