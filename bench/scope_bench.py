"""The home pages as a person's scope grows: a coach with 1,000 children, managers of more and more groups.

    .venv/bin/python bench/scope_bench.py

Its own database, `bench_scope` ($BENCH_DATABASE changes it; never `bench_scale100k`), created if
missing, migrated and filled once with `seed_scale` (3,000 children, 104 weeks of entries:
$BENCH_CHILDREN, $BENCH_WEEKS). Beside the seeded people it adds (once) a coach of as many locations
as it takes to have $BENCH_COACH_CHILDREN (1,000) children placed today in scope, and managers of
1, 2, 4, 8 and 16 locations. For each home page: p50 and p95 over $BENCH_RUNS requests (30) through
gunicorn (bench/server.py), the number of queries, the page's own SQL re-run raw (p50), and the rows
that SQL reads by EXPLAIN ANALYZE (tests/plans.py). Targets: the coach's home under 150 ms at p95 on
two cores; the manager's home flat in the number of groups (the home shows whole locations up to
reports.overview.HOME_GROUPS_PER_PAGE groups a page: "on the first page"). One table, printed and written to
bench/results/scope-*.md.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

os.environ.setdefault("BENCH_DATABASE", "bench_scope")
os.environ.setdefault("BENCH_CHILDREN", "3000")
os.environ.setdefault("BENCH_WEEKS", "104")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measuring import RUNS, percentile, time_sql
from run_bench import Page, capture_sql, setup_django, time_page
from server import DATABASE, ROOT, Browser, ProductionServer, ensure_scale_database

if TYPE_CHECKING:
    from staff.models import User

if DATABASE == "bench_scale100k":
    raise SystemExit("bench_scale100k belongs to another run: choose another $BENCH_DATABASE")

COACH_CHILDREN = int(os.environ.get("BENCH_COACH_CHILDREN", "1000"))
MANAGER_LOCATIONS = (1, 2, 4, 8, 16)
BENCH_DOMAIN = "scope.example.org"


@dataclass
class Person:
    label: str
    user: User
    groups: int
    children: int


def _placed_today(location_ids: list[int]) -> int:
    from children.models import Child
    from organisations.calendar import today
    from organisations.models import Group

    return Child.objects.placed_on(today(), groups=Group.objects.filter(location__in=location_ids)).count()


def _person(email: str, role: str, location_ids: list[int]) -> User:
    """A user with a membership of `role` at each location (made once; the password of the seed), whose
    authenticator app the sign-in sets up afresh in this run (bench/server.py Browser.second_step)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from demo.scale import DOMAIN
    from organisations.models import Location
    from staff.models import Membership, User

    # The seed's password hash (the bench's own settings hash with a test hasher the server does not know).
    password = User.objects.get(email=f"coach@{DOMAIN}").password
    user, made = User.objects.get_or_create(
        email=email, defaults={"first_name": "Bench", "last_name": role, "password": password}
    )
    if made:
        Membership.objects.bulk_create(
            Membership(user=user, role=role, organisation=loc.organisation, location=loc)
            for loc in Location.objects.filter(pk__in=location_ids)
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    return user


def people() -> list[Person]:
    """The coach of COACH_CHILDREN children and the managers of growing numbers of locations, largest
    locations first, each with the groups and children of their scope."""
    from django.db.models import Count

    from demo.scale import ORGANISATION
    from organisations.models import Group, Location
    from staff.models import Role

    locations = list(
        Location.objects.filter(organisation__name=ORGANISATION)
        .annotate(n=Count("groups"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
    )
    coached: list[int] = []
    for pk in locations:
        if coached and _placed_today(coached) >= COACH_CHILDREN:
            break
        coached.append(pk)
    found = []
    coach = _person(f"coach.{COACH_CHILDREN}@{BENCH_DOMAIN}", Role.COACH, coached)
    groups = Group.objects.filter(location__in=coached).count()
    found.append(Person(f"coach's home ({len(coached)} locations)", coach, groups, _placed_today(coached)))
    for n in MANAGER_LOCATIONS:
        managed = locations[:n]
        manager = _person(f"manager.{n}@{BENCH_DOMAIN}", Role.MANAGER, managed)
        groups = Group.objects.filter(location__in=managed).count()
        found.append(Person(f"manager's home ({n} locations)", manager, groups, _placed_today(managed)))
    return found


def groups_on_first_page(user: User) -> int:
    """The groups whose figures the home shows on its first page (reports.overview.locations_page)."""
    from organisations.models import Group
    from reports.overview import locations_page
    from staff.access import user_access, visible_locations

    access = user_access(user)
    shown = []
    for ids in (access.managed_location_ids, access.coached_location_ids):
        shown += locations_page(visible_locations(user).filter(id__in=ids), user, 1).locations
    return Group.objects.filter(location__in=shown).count()


def rows_read(statements: list[str]) -> int:
    """The rows the page's SELECTs read, by EXPLAIN ANALYZE (tests/plans.py), rolled back."""
    import psycopg
    from server import DATABASE_URL

    from tests.plans import is_select
    from tests.plans import rows_read as rows_of

    with psycopg.connect(DATABASE_URL) as conn, conn.cursor() as cursor:
        total = sum(rows_of(cursor, sql) for sql in statements if is_select(sql))
        conn.rollback()
    return total


def second_step(browser: Browser, email: str) -> None:
    """The second step, if the sign-in did not lead there itself: follow the home page's redirects
    to the page that asks for it (setting the app up, for a person without one)."""
    path, response = "/", browser.get("/")
    while response.status == 302:
        path = urllib.parse.urlsplit(response.headers.get("location", "")).path
        if not path.startswith("/tweede-stap/"):
            raise RuntimeError(f"{email}: the home page leads to {path}")
        response = browser.get(path)
    if path != "/":
        browser.second_step(email, path)


def main() -> None:
    ensure_scale_database()
    setup_django()
    sys.path.insert(0, str(ROOT))
    from observations.models import Observation

    persons = people()
    observations = Observation.objects.count()
    lines = [
        "| page | groups | on the first page | children in scope | queries | rows read (EXPLAIN) | p50 | p95 "
        "| its SQL (p50) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    with ProductionServer() as server:
        for person in persons:
            browser = Browser(server.port)
            browser.login(person.user.email)
            second_step(browser, person.user.email)
            page = Page(person.label, "", "/")
            times, _size = time_page(browser, page, 0)
            statements = capture_sql(person.user, page, 0)
            line = (
                f"| {person.label} | {person.groups} | {groups_on_first_page(person.user)} | {person.children:,} | "
                f"{len(statements)} | "
                f"{rows_read(statements):,} | {statistics.median(times) * 1000:,.0f} ms | "
                f"{percentile(times, 0.95) * 1000:,.0f} ms | {time_sql(statements) * 1000:,.1f} ms |"
            )
            lines.append(line)
            print(line, flush=True)
    load = os.getloadavg()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    header = (
        f"# bench/scope_bench.py, {datetime.datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"Database `{DATABASE}`: {observations:,} observations over {os.environ['BENCH_WEEKS']} weeks. gunicorn, "
        f"3 workers of 4 threads, DEBUG off, on {os.cpu_count()} cores ({platform.machine()}), shared with other "
        f"work (load average at the end {load[0]:.1f}); {RUNS} requests a page after 3 to warm up. "
        f"Commit {commit.strip()} (plus the work tree).\n\n"
    )
    text = header + "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / f"scope-{datetime.datetime.now():%Y%m%d-%H%M}.md"
    out.write_text(text)
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
