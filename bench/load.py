"""Load: 20 staff logging observations and 5 managers and coaches reading overviews and PDFs, at once.

    .venv/bin/python bench/load.py            # 60 seconds; LOAD_SECONDS=120 for longer
    LOAD_STAFF=60 .venv/bin/python bench/load.py   # 60 staff: the machine saturated

Against the production-like server of bench/run (gunicorn on 127.0.0.1, DEBUG off, 3 workers of 4
threads, PDFs in the niced pool) on the scale organisation (seed_scale). Each person is a thread
with a browser of their own that logs in through the login form, then works until the time is up,
with a short pause between requests:

- staff (20, each in another group of the largest locations): the group's day view, the entry form
  of a child placed in the group, and the entry saved (POST);
- managers and coaches (3 + 2): the group overview (12 weeks), the location page, their home page,
  and a child's 12-week summary PDF.

It reports p50/p95/p99 per kind of request, the errors (any unexpected status or failure: there
should be none), whether the database holds exactly the entries that were sent (by their
submission keys), the requests the server closed or reset instead of answering (sent once more on a
new connection, as browsers do: none when gunicorn keeps connections longer than the browsers here,
which close theirs after 60 idle seconds as nginx does), and the day view's p95 while PDFs were
being drawn. One table, printed and
written to bench/results/.
"""

from __future__ import annotations

import datetime
import functools
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measuring import percentile
from run_bench import entry_data, setup_django
from server import (
    CHILDREN,
    CLOSED,
    ROOT,
    WEEKS,
    Browser,
    ProductionServer,
    Response,
    ensure_scale_database,
    forget_apps,
    required,
)

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
PDFS = os.environ.get("LOAD_PDFS", "1") != "0"  # LOAD_PDFS=0: the same run without PDFs, to compare
STAFF = int(os.environ.get("LOAD_STAFF", "20"))  # LOAD_STAFF=60: the machine saturated
READERS = (3, 2)  # managers, coaches
PAUSE = (0.3, 1.2)  # seconds between one person's requests


class StaffPerson(TypedDict):
    email: str
    group: int  # the pk of their group
    children: list[int]  # the pks of the children placed in it


class Reader(TypedDict):
    email: str
    location: int  # the pk of their location
    groups: list[int]
    children: list[int]


Person = TypeVar("Person", StaffPerson, Reader)


class Facts(TypedDict):
    requests: int
    errors: int
    throughput: float  # requests a second
    day_view_p95_during_pdfs: float | None
    day_view_during_pdfs: int
    error_details: list[str]


@dataclass
class Record:
    kind: str
    start: float
    end: float
    ok: bool
    detail: str = ""


@dataclass
class Results:
    records: list[Record] = field(default_factory=list)
    sent_keys: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record, key: str | None = None) -> None:
        with self.lock:
            self.records.append(record)
            if key:
                self.sent_keys.append(key)


def timed(results: Results, kind: str, call: Callable[[], Response], expected: int) -> Response | None:
    start = time.perf_counter()
    try:
        response = call()
        ok, detail = response.status == expected, str(response.status)
    except Exception as error:  # a failed request is an error of the run, never the end of it
        response, ok, detail = None, False, type(error).__name__
    results.add(Record(kind, start, time.perf_counter(), ok, detail))
    return response if ok else None


def staff_loop(browser: Browser, person: StaffPerson, results: Results, stop: float, rng: random.Random) -> None:
    while time.perf_counter() < stop:
        timed(results, "group day view", lambda: browser.get(f"/groepen/{person['group']}/"), 200)
        child = rng.choice(person["children"])
        path = f"/kinderen/{child}/waarnemingen/nieuw/"
        form = timed(results, "entry form GET", functools.partial(browser.get, path), 200)
        time.sleep(rng.uniform(*PAUSE))
        if form is None or time.perf_counter() >= stop:
            continue
        data = entry_data(form.text, child)
        start = time.perf_counter()
        try:
            response = browser.post(path, data)
            ok, detail = response.status == 302, str(response.status)
        except Exception as error:
            ok, detail = False, type(error).__name__
        results.add(
            Record("entry POST", start, time.perf_counter(), ok, detail), key=data["submission_key"] if ok else None
        )
        time.sleep(rng.uniform(*PAUSE))


def reader_loop(browser: Browser, person: Reader, results: Results, stop: float, rng: random.Random) -> None:
    pages: list[tuple[str, Callable[[], str]]] = [
        ("group overview, 12 weeks", lambda: f"/groepen/{rng.choice(person['groups'])}/overzicht/?weken=12"),
        ("location page", lambda: f"/locaties/{person['location']}/"),
        ("home page", lambda: "/"),
        ("PDF, 12 weeks", lambda: f"/kinderen/{rng.choice(person['children'])}/overzicht.pdf?weken=12"),
    ][: None if PDFS else -1]
    while time.perf_counter() < stop:
        for kind, path in pages:
            if time.perf_counter() >= stop:
                break
            target = path()
            timed(results, kind, functools.partial(browser.get, target), 200)
            time.sleep(rng.uniform(*PAUSE))


def cast() -> tuple[list[StaffPerson], list[Reader]]:
    """Staff of 20 groups of the largest locations, and 3 managers and 2 coaches with their places."""
    from children.models import Placement
    from organisations.calendar import today
    from organisations.models import Group, Location
    from staff.models import Membership, Role

    day = today()
    placed: dict[int, list[int]] = {}
    for group_id, child_id in Placement.objects.running_on(day).values_list("group_id", "child_id"):
        placed.setdefault(group_id, []).append(child_id)
    locations = list(Location.objects.filter(organisation__name="Schaal Kinderopvang").order_by("pk"))
    groups = [g for g in Group.objects.filter(location__in=locations).order_by("location_id", "pk") if placed.get(g.pk)]
    staff: list[StaffPerson] = []
    for group in groups[:STAFF]:
        member = required(
            Membership.objects.filter(group=group, role=Role.STAFF).select_related("user").order_by("pk").first(),
            "a staff member of the group",
        )
        staff.append({"email": member.user.email, "group": group.pk, "children": placed[group.pk]})
    readers: list[Reader] = []
    for role, count in ((Role.MANAGER, READERS[0]), (Role.COACH, READERS[1])):
        memberships = Membership.objects.filter(role=role, location__in=locations).select_related("user", "location")
        seen = []
        for m in memberships.order_by("location_id"):
            if m.user.email in seen:
                continue
            seen.append(m.user.email)
            own = [g.pk for g in groups if g.location_id == m.location_id]
            readers.append(
                {
                    "email": m.user.email,
                    "location": required(m.location_id, "the location of a manager or coach"),
                    "groups": own,
                    "children": [c for g in own for c in placed.get(g, [])],
                }
            )
            if len(seen) == count:
                break
    return staff, readers


def summary(results: Results, wall: float) -> tuple[str, Facts]:
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for r in results.records:
        by_kind[r.kind].append(r)
    lines = [
        "| kind | requests | errors | p50 | p95 | p99 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, records in by_kind.items():
        times = [r.end - r.start for r in records if r.ok] or [0.0]
        errors = sum(1 for r in records if not r.ok)
        lines.append(
            f"| {kind} | {len(records)} | {errors} | {statistics.median(times) * 1000:,.0f} ms | "
            f"{percentile(times, 0.95) * 1000:,.0f} ms | {percentile(times, 0.99) * 1000:,.0f} ms |"
        )
    pdfs = [(r.start, r.end) for r in by_kind.get("PDF, 12 weeks", [])]
    during = [
        r.end - r.start
        for r in by_kind.get("group day view", [])
        if r.ok and any(s < r.end and r.start < e for s, e in pdfs)
    ]
    facts: Facts = {
        "requests": len(results.records),
        "errors": sum(1 for r in results.records if not r.ok),
        "throughput": len(results.records) / wall,
        "day_view_p95_during_pdfs": percentile(during, 0.95) if during else None,
        "day_view_during_pdfs": len(during),
        "error_details": sorted({f"{r.kind}: {r.detail}" for r in results.records if not r.ok}),
    }
    return "\n".join(lines), facts


def closed_line() -> str:
    """The requests the server closed or reset instead of answering (each sent once more on a new
    connection, as browsers and proxies do; only a second failure is an error above)."""
    if not CLOSED:
        return "connections closed or reset by the server instead of an answer: none"
    reused = [c for c in CLOSED if c.reused]
    kinds = ", ".join(sorted({c.error for c in CLOSED}))
    return (
        f"connections closed or reset by the server instead of an answer: {len(CLOSED)} ({kinds}; "
        f"{len(reused)} kept alive, idle up to {max(c.idle for c in CLOSED):.1f} s), "
        f"{sum(1 for c in CLOSED if c.attempt == 1)} answered when sent again on a new connection"
    )


def main() -> None:
    ensure_scale_database()
    setup_django()
    from observations.models import Observation

    staff, readers = cast()
    forget_apps([reader["email"] for reader in readers])
    results = Results()
    with ProductionServer() as server:
        print(f"{len(staff)} staff and {len(readers)} managers/coaches for {SECONDS:.0f} s on port {server.port}")
        window: dict[str, float] = {}

        def begin() -> None:  # run once, when everyone is logged in, before anyone starts
            window["start"] = time.perf_counter()
            window["stop"] = window["start"] + SECONDS

        ready = threading.Barrier(len(staff) + len(readers), action=begin)

        def run(
            loop: Callable[[Browser, Person, Results, float, random.Random], None], person: Person, seed: int
        ) -> None:
            browser = Browser(server.port)
            try:
                browser.login(person["email"])  # the password hashing of a login is not what this measures
            except Exception:
                ready.abort()  # the others stop waiting for this one: the run ends with the login's error
                raise
            ready.wait()
            loop(browser, person, results, window["stop"], random.Random(seed))

        threads = [threading.Thread(target=run, args=(staff_loop, p, i)) for i, p in enumerate(staff)]
        threads += [threading.Thread(target=run, args=(reader_loop, p, 100 + i)) for i, p in enumerate(readers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - window["start"]
    table, facts = summary(results, wall)
    stored = Observation.objects.filter(submission_key__in=results.sent_keys).count()
    load = os.getloadavg()
    flags = os.environ.get("GUNICORN_CMD_ARGS", "")  # settings over gunicorn.conf.py's, for a comparison
    text = (
        f"# bench/load.py, {datetime.datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"{len(staff)} staff logging observations and {len(readers)} managers and coaches reading overviews"
        f"{' and PDFs' if PDFS else ' (no PDFs: LOAD_PDFS=0)'}, at once, "
        f"for {wall:.0f} s against gunicorn (3 workers of 4 threads, gunicorn.conf.py"
        f"{f', GUNICORN_CMD_ARGS {flags!r}' if flags else ''}"
        f", PDFs in a niced pool, DEBUG off) on the scale organisation ({CHILDREN:,} children, {WEEKS} weeks), "
        f"on {os.cpu_count()} cores; load average at the end {load[0]:.1f}.\n\n"
        f"{table}\n\n"
        f"- requests: {facts['requests']} ({facts['throughput']:.1f} a second), errors: {facts['errors']}"
        f"{' (' + ', '.join(facts['error_details']) + ')' if facts['errors'] else ''}\n"
        f"- entries sent: {len(results.sent_keys)}, in the database: {stored}"
        f"{' (equal)' if stored == len(results.sent_keys) else ' (NOT EQUAL)'}\n"
        f"- {closed_line()}\n"
        f"- the group day view's p95 while PDFs were being drawn: "
        + (
            f"{facts['day_view_p95_during_pdfs'] * 1000:,.0f} ms ({facts['day_view_during_pdfs']} requests)\n"
            if facts["day_view_p95_during_pdfs"] is not None
            else "no day view overlapped a PDF\n"
        )
    )
    for closed in CLOSED[:20]:  # on the console only: which requests, after how long an idle connection
        print(closed)
    print("\n" + text)
    out = ROOT / "bench" / "results" / f"load-{datetime.datetime.now():%Y%m%d-%H%M}.md"
    out.write_text(text)
    print(f"written to {out.relative_to(ROOT)}")
    if facts["errors"] or stored != len(results.sent_keys):
        sys.exit(1)


if __name__ == "__main__":
    main()
