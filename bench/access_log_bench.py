"""Time the pages that write an access-log row, at the size of a large organisation.

    .venv/bin/python bench/access_log_bench.py

Uses its own database `bench_access_log` on the server of $BENCH_DATABASE_SERVER (default
postgresql://postgres@127.0.0.1:5432), filled once with `seed_scale` (2,000 children,
a year of entries) and reused after that. Times are warm medians through Django's test client
(sessions, scoping, queries, the access-log insert and rendering), with the number of queries.
Each page is timed twice in the same process, in turns: as it is, and with the access-log write
left out (the page views' reference to it replaced by a no-op), so the difference is the cost of the
log under the same load.
"""

from __future__ import annotations

import contextlib
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from server import required, signed_in

if TYPE_CHECKING:
    from django.http import HttpResponseBase

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
NAME = os.environ.get("BENCH_ACCESS_LOG_DATABASE", "bench_access_log")
RUNS = 9


WRITERS = ("access_log_record", "access_log_record_shown")


@contextlib.contextmanager
def without_access_log() -> Iterator[None]:
    """The page views with their access-log writes replaced by no-ops."""
    from pages.views import conversations, dashboards, entries, overview, summary

    saved: list[tuple[ModuleType, str, object]] = []
    for module in (conversations, dashboards, entries, overview, summary):
        for name in WRITERS:
            if hasattr(module, name):
                saved.append((module, name, getattr(module, name)))
                setattr(module, name, lambda **kwargs: None)
    try:
        yield
    finally:
        for module, name, writer in saved:
            setattr(module, name, writer)


def timed(label: str, fn: Callable[[], HttpResponseBase], runs: int = RUNS) -> None:
    fn()  # warm up
    with without_access_log():
        fn()
    times: list[float] = []
    bare: list[float] = []
    for _ in range(runs):  # in turns, so that both see the same load
        start = time.perf_counter()
        response = fn()
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (label, response.status_code)
        with without_access_log():
            start = time.perf_counter()
            fn()
            bare.append(time.perf_counter() - start)
    with_log, without = statistics.median(times) * 1000, statistics.median(bare) * 1000
    print(f"  {label:<48} without log {without:7.1f} ms   with log {with_log:7.1f} ms")


def main() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{NAME}"')
    os.environ["DATABASE_URL"] = f"{SERVER}/{NAME}"
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
        call_command("seed_scale", children=2000, weeks=52, stdout=devnull)  # nothing when it is there

    manager = User.objects.get(email="manager@scale.example.org")  # the largest location's
    location = Location.objects.get(pk=required(manager.memberships.get().location_id, "the manager's location"))
    group = required(Group.objects.filter(location=location).order_by("name").first(), "a group of the location")
    staff = required(User.objects.filter(memberships__group=group).order_by("email").first(), "staff of the group")
    child = required(
        Child.objects.placed_on(today(), groups=[group]).order_by("first_name", "pk").first(), "a child of the group"
    )
    observation = required(
        Observation.objects.filter(child=child).order_by("-date").first(), "an observation of the child"
    )
    placed = Child.objects.placed_on(today(), groups=[group]).count()
    print(f"\n{NAME}: {Child.objects.count()} children, {Observation.objects.count()} observations")

    as_staff, as_manager = Client(), Client()
    signed_in(as_staff, staff)
    signed_in(as_manager, manager)
    pages = [
        (as_staff, f"group day view ({placed} children)", f"/groepen/{group.pk}/"),
        (as_staff, "child page (timeline)", f"/kinderen/{child.pk}/"),
        (as_staff, "observation page", f"/waarnemingen/{observation.pk}/"),
        (as_staff, "mentor list", "/mijn-mentorkinderen/"),
        (as_manager, f"group overview, 12 weeks ({placed} children)", f"/groepen/{group.pk}/overzicht/"),
        (as_manager, f"location page ({location.groups.count()} groups)", f"/locaties/{location.pk}/"),
        (as_manager, "child summary, 12 weeks", f"/kinderen/{child.pk}/overzicht/"),
    ]
    for client, label, url in pages:
        with without_access_log(), CaptureQueriesContext(connection) as bare:
            client.get(url)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        timed(f"{label} [{len(bare)} -> {len(queries)} queries]", functools.partial(client.get, url))


if __name__ == "__main__":
    main()
