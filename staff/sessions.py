"""Django's database sessions, read with SQL compiled once (organisations/compiled.py).

Every request of a signed-in person reads their session first; building and compiling that one
look-up cost the ORM more than PostgreSQL takes to answer it. The rows, the table, the expiry and what
Django does with a missing or expired session are Django's own (`SESSION_ENGINE = "staff.sessions"`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from organisations.compiled import CompiledQuery


def _live_session(key: str, now: datetime.datetime) -> QuerySet[Session, tuple[str]]:
    """The data of the session `key` while it has not expired at `now`."""
    return Session.objects.filter(session_key=key, expire_date__gt=now).values_list("session_data")


_LIVE_SESSION = CompiledQuery(_live_session, key=str, now=datetime.datetime)


class SessionStore(DatabaseSessionStore):
    def load(self) -> dict[str, Any]:
        """The session's data, or an empty session (and no key) when it is missing or expired, as
        Django's database store does."""
        key = self.session_key
        rows = _LIVE_SESSION.rows(key=key, now=timezone.now()) if key else []
        if not rows:
            self._session_key = None
            return {}
        data: dict[str, Any] = self.decode(rows[0][0])
        return data
