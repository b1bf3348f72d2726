"""The task worker outlives the database going away (issue 19): `manage.py task_worker` runs
django-tasks-db's worker and, when PostgreSQL cannot be reached, says so in its log and tries again
with a pause, instead of leaving with OperationalError while every export asked for afterwards waits
"in de wachtrij". Proven against a PostgreSQL cluster of the test's own, stopped and started again
as an operator would (pg_ctl stop -m fast, pg_ctl start), with a real worker process."""

from collections.abc import Iterator
from contextlib import contextmanager

import dj_database_url
import pytest
from django.db import connection

from batch_export.models import BatchExport
from batch_export.services import request_batch_export
from tests.privacy_data import database_dump
from tests.processes import task_worker, wait_for
from tests.throwaway_postgres import ThrowawayPostgres

pytestmark = pytest.mark.django_db(transaction=True)  # the dump and the worker read committed rows


@contextmanager
def connected_to(url: str) -> Iterator[None]:
    """This test process's queries go to the database of `url` (the throwaway cluster), then back."""
    saved = dict(connection.settings_dict)
    target: dict[str, object] = dict(dj_database_url.parse(url))
    connection.close()
    connection.settings_dict.update({key: target[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_the_worker_waits_for_a_restarted_database_and_then_makes_the_export_asked_for(cast):
    with ThrowawayPostgres() as postgres:
        postgres.load(database_dump())  # the test database as it stands: its tables and the cast
        with task_worker("--database-retry-seconds", "0.2", database=postgres.url) as worker:
            wait_for(lambda: "Starting worker" in worker.log(), seconds=60, what="the worker starts")
            postgres.stop()
            wait_for(
                lambda: "Database unreachable" in worker.log() or not worker.alive(),
                seconds=20,
                what="the worker notices",
            )
            assert worker.alive(), worker.log()  # db_worker itself leaves here with OperationalError
            postgres.start()
            wait_for(lambda: "Database reachable again" in worker.log(), seconds=20, what="the worker reconnects")

            with connected_to(postgres.url):
                export, _ = request_batch_export(user=cast.manager, weeks=4, group=cast.group_a)
                wait_for(
                    lambda: BatchExport.objects.get(pk=export.pk).status == BatchExport.Status.DONE,
                    seconds=60,
                    what="the export asked for after the restart is made",
                )
                assert BatchExport.objects.get(pk=export.pk).total == 1
            assert worker.alive(), worker.log()
