"""Run the task queue's worker in a test, as `make run` runs it beside the web server."""

import signal

from django.core.management import call_command

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)


def run_worker() -> None:
    """`manage.py task_worker --batch` (django-tasks-db's db_worker that waits out a lost database):
    every task waiting in the queue, then return. The worker installs its own signal handlers
    (graceful shutdown); the test process gets its own back afterwards."""
    saved = {s: signal.getsignal(s) for s in SIGNALS}
    try:
        call_command("task_worker", batch=True, startup_delay=False, interval=0.1)
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
