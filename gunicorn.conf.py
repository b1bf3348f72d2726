"""Gunicorn's settings file, read from the working directory whenever gunicorn starts here
(`gunicorn attachment_site.wsgi`): the Prometheus metrics summed over all workers (docs/operations.md).

Each worker writes its metrics to files in PROMETHEUS_MULTIPROC_DIR, and /metrics adds them up
(prometheus-client's multiprocess mode). Without the variable, this file makes a fresh folder for the
run; with it, the folder's old files are removed at the start. A worker that exits is marked dead, so
its gauges leave the sum (its counters stay in it)."""

import os
import tempfile
from pathlib import Path
from typing import Any

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="attachment-metrics-")


def on_starting(server: Any) -> None:
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.db"):
        old.unlink()


def child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
