"""Keep-alive: a connection reused after an idle time near gunicorn's `keepalive` (the cause of the
resets at 60 staff, docs/operations.md#the-web-server-gunicorn).

    .venv/bin/python bench/keepalive.py

Against the production-like server of bench/run, twice: with gunicorn's default keep-alive of 2 s
(`--keep-alive 2`) and with gunicorn.conf.py's. Each of 30 clients asks /health/live/ on a new
connection, waits 1.8 to 2.3 s (uniformly), then asks again on the same connection, 10 times. The
second request is answered, or finds the connection closed (RemoteDisconnected: the server closed it
before the request came), or is reset (ConnectionResetError: the request came while the server closed
it). Only a client that waits less long than the server keeps the connection is always answered. One
table, printed and written to bench/results/. Needs no data (the health probe reads none).
"""

from __future__ import annotations

import datetime
import http.client
import os
import random
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from server import ROOT, ProductionServer

CLIENTS, TRIALS, IDLE = 30, 10, (1.8, 2.3)


def reuse(port: int, rng: random.Random, outcomes: Counter[tuple[str, str]], lock: threading.Lock) -> None:
    for _ in range(TRIALS):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/health/live/")
        conn.getresponse().read()
        idle = rng.uniform(*IDLE)
        time.sleep(idle)
        try:
            conn.request("GET", "/health/live/")
            response = conn.getresponse()
            response.read()
            outcome = f"answered ({response.status})"
        except OSError as error:  # RemoteDisconnected is a ConnectionResetError, an OSError
            outcome = type(error).__name__
        finally:
            conn.close()
        with lock:
            outcomes[("below 2 s" if idle < 2.0 else "2 s or more", outcome)] += 1


def run(flags: str) -> Counter[tuple[str, str]]:
    os.environ["GUNICORN_CMD_ARGS"] = flags
    outcomes: Counter[tuple[str, str]] = Counter()
    lock = threading.Lock()
    with ProductionServer() as server:
        clients = [
            threading.Thread(target=reuse, args=(server.port, random.Random(i), outcomes, lock)) for i in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    del os.environ["GUNICORN_CMD_ARGS"]
    return outcomes


def main() -> None:
    lines = ["| gunicorn | idle before the reuse | outcome | requests |", "| --- | --- | --- | ---: |"]
    for label, flags in (("--keep-alive 2 (gunicorn's default)", "--keep-alive 2"), ("gunicorn.conf.py", "")):
        for (band, outcome), count in sorted(run(flags).items()):
            lines.append(f"| {label} | {band} | {outcome} | {count} |")
    text = (
        f"# bench/keepalive.py, {datetime.datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"{CLIENTS} clients, each {TRIALS} times: a request, {IDLE[0]} to {IDLE[1]} s idle, a request on the same "
        f"connection; on {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f}.\n\n"
        + "\n".join(lines)
        + "\n"
    )
    print("\n" + text)
    out = ROOT / "bench" / "results" / f"keepalive-{datetime.datetime.now():%Y%m%d-%H%M}.md"
    out.write_text(text)
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
