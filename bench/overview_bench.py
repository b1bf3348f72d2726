"""Time the group overview and the location page at the demo size and for the scale organisation.

    .venv/bin/python bench/overview_bench.py            # both sizes
    .venv/bin/python bench/overview_bench.py demo       # one size
    .venv/bin/python bench/overview_bench.py scale

Each size has its own database on the server of $BENCH_DATABASE_SERVER (default
postgresql://postgres@127.0.0.1:5432), never the demo or development one:
`bench_demo` (seed_demo) and `bench_scale` (seed_scale: 10,000 children, about 600
groups, 126 locations, two years of entries; the database bench/run uses too). They
are created and filled on the first run and reused after that. Times are warm medians
through Django's test client, so they include sessions, scoping, the queries and
template rendering (bench/run measures through gunicorn).
"""

from __future__ import annotations

import functools
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from server import required, signed_in

if TYPE_CHECKING:
    from django.http import HttpResponseBase

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
DATABASES = {"demo": "bench_demo", "scale": "bench_scale"}
RUNS = 7


def timed(label: str, fn: Callable[[], HttpResponseBase], runs: int = RUNS) -> None:
    fn()  # warm up
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        response = fn()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (label, response.status_code)
    print(f"  {label:<58} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms")


def ensure_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def run(size: str) -> None:
    name = DATABASES[size]
    ensure_database(name)
    os.environ["DATABASE_URL"] = f"{SERVER}/{name}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from children.models import Child
    from observations.models import Observation
    from organisations.calendar import today
    from organisations.models import Group, Location
    from staff.models import User

    setup_test_environment()
    with open(os.devnull, "w") as devnull:
        call_command("migrate", verbosity=0, stdout=devnull)
        if size == "demo":
            call_command("seed_demo", force=True, stdout=devnull)
        else:
            call_command("seed_scale", children=10000, weeks=104, stdout=devnull)

    if size == "demo":
        manager = User.objects.get(email="manager@example.org")
        location = Location.objects.get(name="Kindercentrum De Vlinder")
        group = Group.objects.get(name="Vlinders")
        home_label = "home page, manager of 1 location"
    else:
        manager = User.objects.get(email="manager@scale.example.org")
        location = required(manager.memberships.get().location, "the manager's location")
        group = required(Group.objects.filter(location=location).order_by("name").first(), "a group of the location")
        home_label = "home page, manager of the largest location"
    children = Child.objects.count()
    observations = Observation.objects.count()
    placed = Child.objects.placed_on(today(), groups=[group]).count()
    in_location = Child.objects.placed_on(today(), groups=location.groups.all()).count()
    print(f"\n{size}: database {name}: {children} children, {observations} observations")
    print(f"  group {group.name}: {placed} children; location {location.name}: {in_location} children")

    client = Client()
    signed_in(client, manager)
    pages = [
        (f"group overview, 12 weeks ({placed} children)", f"/groepen/{group.pk}/overzicht/?weken=12"),
        (f"group overview, 52 weeks ({placed} children)", f"/groepen/{group.pk}/overzicht/?weken=52"),
        (
            "group overview, 12 weeks, sorted and filtered",
            f"/groepen/{group.pk}/overzicht/?sort=laatst&filter=aandachtspunten",
        ),
        ("group overview CSV, 12 weeks", f"/groepen/{group.pk}/overzicht.csv?weken=12"),
        (f"location page ({location.groups.count()} groups, {in_location} children)", f"/locaties/{location.pk}/"),
        (home_label, "/"),
    ]
    for label, url in pages:
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        timed(f"{label} [{len(queries)} queries]", functools.partial(client.get, url))


def main(argv: list[str]) -> None:
    sizes = argv[1:] or list(DATABASES)
    if len(sizes) == 1:
        run(sizes[0])
        return
    for size in sizes:  # one process per database: DATABASE_URL is read once, at setup
        subprocess.run([sys.executable, __file__, size], check=True)


if __name__ == "__main__":
    main(sys.argv)
