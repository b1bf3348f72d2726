"""`manage.py task_worker`: django-tasks-db's `db_worker`, with the same options, that outlives the
database going away.

The library's worker leaves on any database error but a locked table (its issue #49): a PostgreSQL
restart, a fail-over or a network hiccup ends it, and every export asked for afterwards waits in the
queue until someone starts it again. This command runs the library's worker unchanged and, when the
database cannot be reached, logs so, waits `--database-retry-seconds` and tries again until the
database answers, then starts the worker anew. It stops on SIGTERM or SIGINT as `db_worker` does,
also while it waits. Run it as a service that restarts it anyway (README, "Production: workers").
"""

from __future__ import annotations

import time
from argparse import ArgumentParser
from contextlib import suppress
from typing import Any

from django.db import DatabaseError, InterfaceError, OperationalError, connections, router
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

logger = db_worker.logger  # the worker's own log: its level and handler follow --verbosity
UNREACHABLE = (OperationalError, InterfaceError)
DEFAULT_RETRY_SECONDS = 5.0
LOG_EVERY_SECONDS = 60  # while the database stays away, a line a minute says the worker still waits


def describe(error: BaseException) -> str:
    """The error on one line (psycopg's messages span several)."""
    return f"{type(error).__name__}: {' '.join(str(error).split())}"


def database_answers() -> bool:
    """Whether the database of the task queue takes a connection now."""
    connection = connections[router.db_for_write(DBTaskResult)]
    with suppress(DatabaseError):
        connection.close()  # a broken connection is thrown away, never reused
    try:
        connection.ensure_connection()
    except UNREACHABLE:
        return False
    return True


def wait_for_database(pause: float) -> None:
    """Try the database every `pause` seconds until it answers, saying so in the log."""
    waited, last_said = 0.0, 0.0
    while True:
        time.sleep(pause)
        waited += pause
        if database_answers():
            logger.warning("Database reachable again after %.0f s: the worker goes on.", waited)
            return
        if waited - last_said >= LOG_EVERY_SECONDS:
            logger.warning("Database still unreachable after %.0f s: trying again every %s s.", waited, pause)
            last_said = waited


class Command(db_worker.Command):
    help = "Run the task worker (django-tasks-db's db_worker) and wait for the database when it goes away."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--database-retry-seconds",
            type=db_worker.valid_interval,
            default=DEFAULT_RETRY_SECONDS,
            help="How long to wait between two tries when the database cannot be reached (default: %(default)r)",
        )

    def handle(self, **options: Any) -> None:
        pause = float(options.pop("database_retry_seconds", DEFAULT_RETRY_SECONDS))
        while True:
            try:
                super().handle(**options)
                return
            except UNREACHABLE as error:
                logger.warning(
                    "Database unreachable (%s): the worker waits and tries again every %s s.",
                    describe(error),
                    pause,
                )
            wait_for_database(pause)
