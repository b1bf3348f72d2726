"""Gunicorn's settings file, read from the working directory whenever gunicorn starts here
(`gunicorn attachment_site.wsgi`): the Prometheus metrics summed over all workers (docs/operations.md).

Each worker writes its metrics to files in PROMETHEUS_MULTIPROC_DIR, and /metrics adds them up
(prometheus-client's multiprocess mode). Without the variable, this file makes a fresh folder for the
run; with it, the folder's old files are removed at the start. A worker that exits is marked dead, so
its gauges leave the sum (its counters stay in it).

It also holds the server's settings, so every way of starting gunicorn here (the README's line, systemd,
`make smoke`, bench/) gets them; a flag on the command line still wins. Why each value:
docs/operations.md#the-web-server-gunicorn. In short: a busy server queues requests, it never resets
them. Threads queue the requests of a worker whose threads are all busy; the kept-alive connections
stay open longer than any client or reverse proxy keeps an idle one, so the client closes first and
never sends a request into a connection gunicorn is closing (that request would get a reset)."""

import os
import tempfile
from pathlib import Path
from typing import Any

# Threaded workers: a request waiting for its PDF (drawn in the niced PDF pool) holds a thread, not the
# worker; a worker whose threads are all busy keeps accepting and queues the requests for its threads.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))  # 3 workers x 4 threads on two cores
threads = 4
# An idle kept-alive connection costs a file descriptor, no thread. 75 s: longer than a reverse proxy's
# idle upstream connections (nginx's keepalive_timeout, 60 s) and a load balancer's idle timeout
# (60 s), so gunicorn never closes one just as a request is sent into it.
keepalive = 75
worker_connections = 1000  # per worker, kept-alive ones included; beyond it answers say "Connection: close"
backlog = 2048  # connections waiting for a worker's accept (Linux caps it at net.core.somaxconn)
timeout = 30  # a worker that stops answering the master this long is restarted (not a request's limit)
graceful_timeout = 30  # on a stop or reload: how long running requests get to finish
# No restarts after N requests: the memory stays flat (bench/pdf_memory.py), and each restart closes
# the worker's kept-alive connections.
max_requests = 0
max_requests_jitter = 0

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
