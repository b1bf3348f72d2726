"""Real processes for tests: the task worker (`manage.py task_worker`) and gunicorn, started with the
database connection exactly as Django has it in the test (DATABASE_URL set, or the embedded
PostgreSQL with its socket folder), and stopped, or killed, by their process id."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlencode

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url(settings: dict[str, Any] | None = None) -> str:
    """A DATABASE_URL that dj-database-url reads back into the same connection settings: user,
    password, host (a socket folder goes in the query, as the embedded server's URL has it), port,
    the test database's name and the connection options."""
    settings = settings or connection.settings_dict
    options = {k: v for k, v in (settings.get("OPTIONS") or {}).items() if isinstance(v, str) and k != "options"}
    host, port = str(settings.get("HOST") or ""), str(settings.get("PORT") or "")
    if host.startswith("/"):
        options["host"], host = host, ""
    credentials = quote(str(settings.get("USER") or ""), safe="")
    if settings.get("PASSWORD"):
        credentials += ":" + quote(str(settings["PASSWORD"]), safe="")
    address = f"{credentials}@{host}" + (f":{port}" if port else "")
    query = f"?{urlencode(options)}" if options else ""
    return f"postgresql://{address}/{quote(str(settings['NAME']), safe='')}{query}"


def environment(database: str | None = None, **extra: str) -> dict[str, str]:
    """The test's environment (its settings module, its exports folder) for a process of the app."""
    values = dict(os.environ)
    values.update(
        DATABASE_URL=database or database_url(),
        DJANGO_SETTINGS_MODULE="attachment_site.settings_test",
        PYTHONUNBUFFERED="1",
    )
    values.update(extra)
    return values


def wait_for(condition: Callable[[], object], *, seconds: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(every)


class Process:
    """A process of the app, its output in a file: `with Process([...]) as p:`; SIGTERM at the end
    (SIGKILL when it does not stop), unless the test killed it itself."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.args, self.env = args, env
        self.output = Path(tempfile.mkstemp(prefix="test-process-", suffix=".log")[1])
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def log(self) -> str:
        return self.output.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is cleaned up (an OOM kill, a pulled plug)."""
        os.kill(self.pid, signal.SIGKILL)
        assert self.popen is not None
        self.popen.wait(timeout=10)

    def __enter__(self) -> Process:
        with self.output.open("wb") as out:
            self.popen = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.alive():
            assert self.popen is not None
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=10)
        self.output.unlink(missing_ok=True)


def task_worker(*options: str, database: str | None = None, **env: str) -> Process:
    """`manage.py task_worker` as a service runs it, polling often so that tests stay short."""
    command = [sys.executable, "manage.py", "task_worker", "--interval", "0.1", "--no-startup-delay", *options]
    return Process(command, environment(database, **env))
