"""Reads that may go to a streaming read replica (DATABASE_REPLICA_URL; docs/operations.md).

Without DATABASE_REPLICA_URL none of this is installed (settings.py adds the router only with a replica;
the middleware does nothing) and every query goes to the one database, as before.

With it:
- Every write goes to the primary ("default"), and so does every read, except during a GET or HEAD of
  a view marked `pages.read_only.reads_from_replica` (the overviews, home and location pages,
  summaries, PDFs, CSV files). Those read from "replica", unless:
  - this browser sent a write (any POST, PUT, PATCH or DELETE, the login too) in the last
    DATABASE_REPLICA_PRIMARY_AFTER_WRITE_SECONDS: "read your own writes", a cookie holding the time
    until which its reads stay on the primary;
  - the replica lags more than DATABASE_REPLICA_MAX_LAG_SECONDS behind, or does not answer. The check
    runs at most once per DATABASE_REPLICA_CHECK_SECONDS in each process;
  - the read is inside a transaction on the primary (it may need to see that transaction's writes).
  A page whose replica fails under it (down since the last check) is drawn once more from the primary.
- Sessions, login lockouts (axes) and the task queue are read from the primary always.
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from pages.read_only import READS_FROM_REPLICA

REPLICA = "replica"
COOKIE = "primary_reads_until"
# Apps whose rows decide who is signed in, who is locked out, and which task runs: never read stale.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "django_tasks_db"})

logger = logging.getLogger(__name__)

# Set for the duration of a read-only view that may read from the replica.
_reading_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("reading_replica", default=False)

# Seconds the replica is behind: 0 when it has replayed all it received while streaming; else the age of
# the last transaction it replayed (replay paused or slow, or the stream cut off). NULL: nothing replayed.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
END
"""


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class _Health:
    checked_at: float = float("-inf")
    usable: bool = False


_health = _Health()


def replica_lag_seconds() -> float | None:
    """The replica's lag now, or None when it cannot tell (no answer, nothing replayed yet)."""
    connection = connections[REPLICA]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Read replica unavailable, reading from the primary: %s", error)
        connection.close()
        return None
    return None if row is None or row[0] is None else float(row[0])


def replica_usable() -> bool:
    """Whether reads may go to the replica: it answers and lags at most DATABASE_REPLICA_MAX_LAG_SECONDS.
    Checked at most once per DATABASE_REPLICA_CHECK_SECONDS in this process."""
    now = time.monotonic()
    if now - _health.checked_at >= settings.DATABASE_REPLICA_CHECK_SECONDS:
        lag = replica_lag_seconds()
        usable = lag is not None and lag <= settings.DATABASE_REPLICA_MAX_LAG_SECONDS
        if not usable and lag is not None:
            logger.warning("Read replica %.1f s behind, reading from the primary", lag)
        _health.usable, _health.checked_at = usable, now
    return _health.usable


def forget_replica_health() -> None:
    """Check the replica again at the next read-only page (tests, after stopping or pausing it)."""
    _health.checked_at = float("-inf")


def _recent_write(request: HttpRequest) -> bool:
    try:
        return time.time() < float(request.COOKIES.get(COOKIE, ""))
    except ValueError:
        return False


class ReplicaReadsMiddleware:
    """Marks the requests whose reads may go to the replica (see the module's text), and gives a browser
    that writes its cookie for reading from the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            response = self.get_response(request)
        finally:
            _reading_replica.set(False)
        if replica_configured() and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            window = settings.DATABASE_REPLICA_PRIMARY_AFTER_WRITE_SECONDS
            response.set_cookie(
                COOKIE,
                f"{time.time() + window:.3f}",
                max_age=window,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        if (
            replica_configured()
            and request.method in ("GET", "HEAD")
            and getattr(view, READS_FROM_REPLICA, False)
            and not _recent_write(request)
            and replica_usable()
        ):
            _reading_replica.set(True)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        """The replica failed during the page (it went down since the last check): no reads from it
        until the next check, and the page once more, from the primary."""
        if not (_reading_replica.get() and isinstance(exception, DatabaseError)):
            return None
        logger.warning("Read replica failed during %s, reading from the primary: %s", request.path, exception)
        _reading_replica.set(False)
        _health.usable, _health.checked_at = False, time.monotonic()
        connections[REPLICA].close()
        match = request.resolver_match
        if match is None:
            return None
        response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
        return response


class ReplicaRouter:
    """DATABASE_ROUTERS with a replica: reads of a marked request to "replica", everything else to
    "default"; both hold the same data, so relations between their rows are allowed."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        if (
            _reading_replica.get()
            and model._meta.app_label not in PRIMARY_ONLY_APPS
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS  # also for a row read from the replica

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
