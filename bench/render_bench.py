"""What the entry form and the child page cost beside their SQL, with and without the fragment cache.

    .venv/bin/python bench/render_bench.py

The database is `bench_render` on $BENCH_DATABASE_SERVER (default postgresql://postgres@127.0.0.1:5432),
created, migrated and filled with `seed_demo` on the first run ($BENCH_DATABASE names another, e.g. a
seed_scale one), and analysed before each run (fresh planner statistics). The pages are asked in-process
through Django's test client with the test settings (DEBUG off), warm, by the demo's staff member for the
child with the most observations. Per page:

- "page": p50 of the whole request (middleware, view, queries, templates);
- "CPU": p50 of this process's CPU time in the request (Python's work, without the waits for the
  database and for the cores other work holds: on a shared machine it moves less than "page");
- "templates": p50 of the time inside the page's template (with its includes and tags);
- "its SQL": the request's statements captured once, then re-run raw on one connection (p50, rolled
  back), as bench/run does;
- "page / SQL", the number the issue asks to bring under 5.

"before" renders with the "fragments" cache replaced by Django's DummyCache (every `{% cache %}` draws
its content anew, as the pages did before it); "after" with the settings' cache. The two alternate
request by request, so the machine's load weighs on both alike; compare the ratios of one run.
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measuring import captured_statements, commit, markdown_table, time_sql

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_DATABASE", "bench_render")
DATABASE_URL = f"{SERVER}/{DATABASE}"
RUNS = int(os.environ.get("BENCH_RUNS", "40"))
WARM = 3
MODES = ("before", "after")


@dataclass
class Measured:
    page: list[float] = field(default_factory=list)
    templates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # the process's CPU time in the request


@dataclass
class Row:
    label: str
    queries: int
    sql: float
    measured: dict[str, Measured]

    def p50(self, mode: str) -> float:
        return statistics.median(self.measured[mode].page)

    def templates(self, mode: str) -> float:
        return statistics.median(self.measured[mode].templates)

    def ratio(self, mode: str) -> float:
        return self.p50(mode) / self.sql

    def cpu(self, mode: str) -> float:
        return statistics.median(self.measured[mode].cpu)


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            return
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    environment = dict(os.environ, DATABASE_URL=DATABASE_URL, DJANGO_SETTINGS_MODULE="attachment_site.settings_test")
    try:
        # --force: the test settings run with DEBUG off, and this database is the bench's own.
        for command in (["migrate", "--noinput"], ["seed_demo", "--force"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=environment, check=True)
    except BaseException:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')  # half made: made anew on the next run
        raise


def analyze() -> None:
    """Fresh planner statistics, as autovacuum keeps them on a database in use: a database just seeded
    has none, and the plans PostgreSQL picks without them (nested loops over every duo-observation of
    the child for each entry) made "its SQL" several times what it is (the child page 10 ms, against 5)."""
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("ANALYZE")


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "attachment_site.settings_test"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import django

    django.setup()


class TemplateClock:
    """The time spent in the backend's Template.render: the page's template, its includes and tags
    inside it (an include renders within its parent, so only the outer call is counted)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.depth = 0

    @contextmanager
    def installed(self) -> Iterator[TemplateClock]:
        from django.template.backends.django import Template

        original = Template.render
        clock = self

        def render(template: Any, *args: Any, **kwargs: Any) -> Any:
            clock.depth += 1
            start = time.perf_counter()
            try:
                return original(template, *args, **kwargs)
            finally:
                clock.depth -= 1
                if clock.depth == 0:
                    clock.spent += time.perf_counter() - start

        Template.render = render  # type: ignore[method-assign,assignment]
        try:
            yield self
        finally:
            Template.render = original  # type: ignore[method-assign]


@contextmanager
def fragment_cache(mode: str) -> Iterator[None]:
    from django.conf import settings
    from django.test import override_settings

    if mode == "after":
        yield
        return
    caches = {**settings.CACHES, "fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=caches):
        yield


def measure(client: Any, label: str, path: str) -> Row:
    measured = {mode: Measured() for mode in MODES}
    clock = TemplateClock()
    with clock.installed():
        for round_ in range(WARM + RUNS):
            for mode in MODES:
                with fragment_cache(mode):
                    clock.spent = 0.0
                    start, cpu_start = time.perf_counter(), time.process_time()
                    response = client.get(path)
                    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
                assert response.status_code == 200, (label, response.status_code)
                if round_ >= WARM:
                    measured[mode].page.append(elapsed)
                    measured[mode].templates.append(clock.spent)
                    measured[mode].cpu.append(cpu)
    statements = captured_statements(lambda: client.get(path))
    return Row(label, len(statements), time_sql(statements, runs=RUNS, warm=WARM, database_url=DATABASE_URL), measured)


def table(rows: list[Row]) -> str:
    header = ["page", "queries", "its SQL (p50)"]
    for mode in MODES:
        header += [f"page {mode}", f"CPU {mode}", f"templates {mode}", f"page / SQL {mode}"]
    lines = []
    for r in rows:
        line = [r.label, str(r.queries), f"{r.sql * 1000:.1f} ms"]
        for mode in MODES:
            line += [
                f"{r.p50(mode) * 1000:.1f} ms",
                f"{r.cpu(mode) * 1000:.1f} ms",
                f"{r.templates(mode) * 1000:.1f} ms",
                f"{r.ratio(mode):.1f} ×",
            ]
        lines.append(line)
    return markdown_table(header, lines)


def main() -> None:
    ensure_database()
    analyze()
    setup_django()
    import logging

    from django.db.models import Count
    from django.test import Client
    from server import signed_in

    from children.models import Child
    from staff.models import User

    logging.disable(logging.INFO)  # the request log lines, not the measurement
    staff = User.objects.get(email="medewerker@example.org")
    child = Child.objects.loggable_by(staff).annotate(n=Count("observations")).order_by("-n", "pk").first()
    if child is None:
        raise RuntimeError(f"no child the demo's staff may log in {DATABASE} (is it seeded with seed_demo?)")
    client = Client()
    signed_in(client, staff)
    rows = [
        measure(client, "entry form GET", f"/kinderen/{child.pk}/waarnemingen/nieuw/"),
        measure(client, "child page (timeline)", f"/kinderen/{child.pk}/"),
    ]
    load = os.getloadavg()
    header = (
        f"# bench/render_bench.py, {datetime.datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"Database `{DATABASE}`, the demo's staff member, the child with the most observations "
        f"({child.observations.count()} observations; the timeline shows 20 a page). In-process test client, "
        "DEBUG off, "
        f"{RUNS} requests a page and mode after {WARM} to warm up, before and after alternating; load "
        f"average at the end {load[0]:.1f} on {os.cpu_count()} cores. Commit {commit()} (plus the work "
        "tree).\n\n"
    )
    text = header + table(rows) + "\n"
    print(text)
    out = ROOT / "bench" / "results" / f"render-{datetime.datetime.now():%Y%m%d-%H%M}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
