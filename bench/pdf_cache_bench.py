"""A PDF download drawn anew against one served from the PDF cache (reports/pdf_cache.py).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<db> \\
        .venv/bin/python -m pytest -q -s -p no:cacheprovider bench/pdf_cache_bench.py   # BENCH_COUNT=20

Runs through the whole stack (Django test client, real PostgreSQL, the PDF pool): the test cast
(tests/conftest.py), its child Sem with twelve weeks of observations with notes; the coach downloads the
team's summary and the parents' handout `count` times with PDF_CACHE off (drawn every time), then
`count` times with it on (the first draws and keeps, the others are served). Prints the median and
the 95th percentile in milliseconds; not part of the suite (pytest's testpaths is tests/).
"""

import os
import statistics
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import build_cast
from tests.report_data import observe, weeks_ago


def timed(client: Client, url: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    return times


def line(name: str, times: list[float]) -> str:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
    return f"{name:<34} {statistics.median(times):8.1f} {p95:8.1f}"


@pytest.mark.django_db
def test_cached_against_drawn(client: Client, settings: Any) -> None:
    count = int(os.environ.get("BENCH_COUNT", "20"))
    cast = build_cast()
    child: Any = cast.child_a
    for n in range(12):
        observe(  # type: ignore[no-untyped-call]  # the tests' helpers carry no annotations
            child,
            (cast.staff_a, cast.coach)[n % 2],
            weeks_ago(n + 1, weekday=n % 5),
            {"comfort_seeking": -2 if n % 3 else 0, "reunion": 0},
            notes={"comfort_seeking": f"Zocht geen troost na het vallen, week {n}.", "reunion": "Zwaaide blij."},
        )
    coach: Any = cast.coach
    client.force_login(coach)
    urls = {
        "team summary": reverse("child_summary_pdf", args=[child.pk]),
        "parent handout": reverse("child_parent_handout_pdf", args=[child.pk]),
    }
    rows = [f"{'download (ms)':<34} {'median':>8} {'p95':>8}"]
    for name, url in urls.items():
        settings.PDF_CACHE = False
        timed(client, url, 2)  # the pool started, fonts read
        rows.append(line(f"{name}, drawn every time", timed(client, url, count)))
        settings.PDF_CACHE = True
        first = timed(client, url, 1)
        rows.append(line(f"{name}, first (drawn and kept)", first))
        rows.append(line(f"{name}, served from the cache", timed(client, url, count)))
    print("\n" + "\n".join(rows))
