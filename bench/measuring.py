"""What the page benchmarks share: a page's own SQL captured and re-run, percentiles, the results table.

- `captured_statements(request)`: the statements one request runs (`request()` makes it, through
  Django's test client), in a transaction that is rolled back; savepoints left out.
- `time_sql(statements)`: p50 of re-running them raw on one connection, each round rolled back: the
  "its SQL" beside a page's time in bench/run_bench.py, bench/render_bench.py and bench/scope_bench.py.
- `percentile`, `markdown_table`, `commit`: the numbers and the table the results files show.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "30"))
WARM = 3
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def captured_statements(request: Callable[[], Any], ok: Sequence[int] = (200,)) -> list[str]:
    """The SQL of one request (`request()` returns the test client's response, whose status must be
    one of `ok`), in a transaction that is rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            response = request()
        assert response.status_code in ok, response.status_code
        transaction.set_rollback(True)
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(SAVEPOINTS)]


def time_sql(statements: list[str], *, runs: int = RUNS, warm: int = WARM, database_url: str | None = None) -> float:
    """p50 of running `statements` raw, one after the other, each round rolled back, on one connection
    to `database_url` (default: $DATABASE_URL, the database Django uses)."""
    import psycopg

    times = []
    with psycopg.connect(database_url or os.environ["DATABASE_URL"]) as conn:
        for round_ in range(warm + runs):
            start = time.perf_counter()
            with conn.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql.encode())  # as captured: literal SQL, no placeholders to expand
                    if cursor.description is not None:
                        cursor.fetchall()
            elapsed = time.perf_counter() - start
            conn.rollback()
            if round_ >= warm:
                times.append(elapsed)
    return statistics.median(times)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table: the first column a label (left), the others figures (right)."""
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def commit() -> str:
    """The short hash of the checked-out commit (the results say "plus the work tree")."""
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()
