"""The pages on the scale organisation, through a warm production-like server; see bench/run.

For each page: p50 and p95 over BENCH_RUNS requests (default 30, after 3 to warm up) by a logged-in
person through gunicorn; beside it the page's own SQL: the queries the same request runs, captured
through Django's test client in a transaction that is rolled back, then re-run raw on one
connection BENCH_RUNS times (p50), and the ratio page / SQL. One table, printed and written to
bench/results/.
"""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measuring import RUNS, WARM, captured_statements, commit, markdown_table, percentile, time_sql
from server import (
    DATABASE,
    DATABASE_URL,
    ROOT,
    Browser,
    ProductionServer,
    ensure_scale_database,
    forget_apps,
    hidden,
    required,
    signed_in,
)

if TYPE_CHECKING:  # the models are imported after django.setup()
    from children.models import Child
    from organisations.models import Group, Location
    from staff.models import User


@dataclass
class Page:
    label: str
    who: str  # "staff", "manager", "coach"
    path: str
    post: bool = False
    status: int = 200  # of a GET


@dataclass
class Result:
    page: Page
    queries: int
    size: int
    p50: float
    p95: float
    sql: float

    @property
    def ratio(self) -> float:
        return self.p50 / self.sql if self.sql else float("nan")


class Targets(TypedDict):
    manager: User
    coach: User
    staff: User
    location: Location
    group: Group
    child: Child
    children_in_group: int
    children_in_location: int


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def targets() -> Targets:
    """The people and objects the pages are about: the largest location, its fullest group, the child
    of that group with the most observations."""
    from django.db.models import Count, Q

    from children.models import Child
    from organisations.calendar import today
    from organisations.models import Group
    from staff.models import User

    manager = User.objects.get(email="manager@scale.example.org")
    location = required(manager.memberships.get(role="manager").location, "the scale manager's location")
    placed = Child.objects.placed_on(today())
    group = required(
        Group.objects.filter(location=location)
        .annotate(n=Count("placements", filter=Q(placements__child__in=placed, placements__end_date__isnull=True)))
        .order_by("-n", "pk")
        .first(),
        "a group of the largest location",
    )
    staff = required(User.objects.filter(memberships__group=group).order_by("email").first(), "staff of that group")
    child = required(
        Child.objects.placed_on(today(), groups=[group]).annotate(n=Count("observations")).order_by("-n", "pk").first(),
        "a child placed in that group",
    )
    return {
        "manager": manager,
        "coach": User.objects.get(email="coach@scale.example.org"),
        "staff": staff,
        "location": location,
        "group": group,
        "child": child,
        "children_in_group": Child.objects.placed_on(today(), groups=[group]).count(),
        "children_in_location": Child.objects.placed_on(today(), groups=location.groups.all()).count(),
    }


def entry_data(html: str, child_pk: int) -> dict[str, str]:
    from organisations.calendar import today

    return {
        "csrfmiddlewaretoken": hidden(html, "csrfmiddlewaretoken") if html else "",
        "submission_key": hidden(html, "submission_key") if html else str(uuid.uuid4()),
        "child": str(child_pk),
        "date": today().isoformat(),
        "situation": "free_play",
        "note": "",
        "kind_reunion": "typical",
        "kind_comfort_seeking": "low",
        "strength_comfort_seeking": "slight",
        "note_comfort_seeking": "Zocht geen troost na het vallen.",
    }


def capture_sql(user: User, page: Page, child_pk: int) -> list[str]:
    """The SQL of one request of `page`, in a transaction that is rolled back."""
    from django.test import Client

    client = Client()
    signed_in(client, user)
    if page.post:
        data = entry_data("", child_pk)
        return captured_statements(lambda: client.post(page.path, data), ok=(200, 204, 302))
    return captured_statements(lambda: client.get(page.path), ok=(200, 204, 302))


def time_page(browser: Browser, page: Page, child_pk: int) -> tuple[list[float], int]:
    times, size = [], 0
    for round_ in range(WARM + RUNS):
        if page.post:
            form = browser.get(page.path)
            data = entry_data(form.text, child_pk)
            start = time.perf_counter()
            response = browser.post(page.path, data)
            elapsed = time.perf_counter() - start
            expected = 302
        else:
            start = time.perf_counter()
            response = browser.get(page.path)
            elapsed = time.perf_counter() - start
            expected = page.status
        if response.status != expected:
            raise RuntimeError(f"{page.label}: {response.status} for {page.path}")
        size = len(response.body)
        if round_ >= WARM:
            times.append(elapsed)
    return times, size


def pages(t: Targets) -> list[Page]:
    group, child, location = t["group"].pk, t["child"].pk, t["location"].pk
    n_group, n_location = t["children_in_group"], t["children_in_location"]
    return [
        # The floor: what any logged-in request costs (session, user, middleware), then a page of text.
        Page("connection check (no page)", "staff", "/verbinding/", status=204),
        Page("privacy statement (text, no data)", "staff", "/privacy/"),
        Page(f"group day view ({n_group} children)", "staff", f"/groepen/{group}/"),
        Page("entry form GET", "staff", f"/kinderen/{child}/waarnemingen/nieuw/"),
        Page("entry POST", "staff", f"/kinderen/{child}/waarnemingen/nieuw/", post=True),
        Page("child page (timeline)", "staff", f"/kinderen/{child}/"),
        Page("child summary, 12 weeks", "manager", f"/kinderen/{child}/overzicht/?weken=12"),
        Page("child summary, 52 weeks", "manager", f"/kinderen/{child}/overzicht/?weken=52"),
        Page(f"group overview, 12 weeks ({n_group} children)", "manager", f"/groepen/{group}/overzicht/?weken=12"),
        Page(f"group overview, 52 weeks ({n_group} children)", "manager", f"/groepen/{group}/overzicht/?weken=52"),
        Page(f"location page ({n_location} children)", "manager", f"/locaties/{location}/"),
        Page("manager's home (1 location)", "manager", "/"),
        Page("coach's home (5 locations)", "coach", "/"),
        Page("PDF, 12 weeks", "manager", f"/kinderen/{child}/overzicht.pdf?weken=12"),
        Page("PDF, 52 weeks", "manager", f"/kinderen/{child}/overzicht.pdf?weken=52"),
    ]


def table(results: list[Result]) -> str:
    return markdown_table(
        ["page", "queries", "size", "p50", "p95", "its SQL (p50)", "page / SQL"],
        [
            [
                r.page.label,
                str(r.queries),
                f"{r.size / 1024:,.0f} kB",
                f"{r.p50 * 1000:,.0f} ms",
                f"{r.p95 * 1000:,.0f} ms",
                f"{r.sql * 1000:,.1f} ms",
                f"{r.ratio:.1f} ×",
            ]
            for r in results
        ],
    )


def main() -> None:
    ensure_scale_database()
    setup_django()
    from children.models import Child
    from observations.models import Observation, PillarRating

    t = targets()
    child_pk = t["child"].pk
    people = {"staff": t["staff"], "manager": t["manager"], "coach": t["coach"]}
    counts = (Child.objects.count(), Observation.objects.count(), PillarRating.objects.count())
    print(f"{counts[0]:,} children, {counts[1]:,} observations, {counts[2]:,} ratings; {RUNS} runs a page")
    results = []
    forget_apps([user.email for user in people.values()])  # an earlier run's apps: this run sets up its own
    with ProductionServer() as server:
        browsers = {}
        for who, user in people.items():
            browsers[who] = Browser(server.port)
            browsers[who].login(user.email)
        for page in pages(t):
            times, size = time_page(browsers[page.who], page, child_pk)
            statements = capture_sql(people[page.who], page, child_pk)
            result = Result(
                page, len(statements), size, statistics.median(times), percentile(times, 0.95), time_sql(statements)
            )
            results.append(result)
            print(table([result]).splitlines()[-1], flush=True)
    load = os.getloadavg()
    header = (
        f"# bench/run, {datetime.datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"Database `{DATABASE}`: {counts[0]:,} children, {counts[1]:,} observations, {counts[2]:,} ratings. "
        "gunicorn, 3 workers of 4 threads, PDFs in a niced pool, DEBUG off, "
        f"on {os.cpu_count()} cores ({platform.machine()}); {RUNS} requests a page "
        f"after {WARM} to warm up; load average at the end {load[0]:.1f}. Commit {commit()} (plus the work "
        "tree).\n\n"
    )
    text = header + table(results) + "\n"
    print("\n" + table(results))
    out = ROOT / "bench" / "results" / f"run-{datetime.datetime.now():%Y%m%d-%H%M}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(f"\nwritten to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
