"""Time one child's PDF (12 and 52 weeks) and the summary page, warm, in a throwaway database.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/h_rep .venv/bin/python bench/report_bench.py

Builds the fixed test cast and a year of daily observations (all eight pillars,
three observers) for one child in `test_<db>`, which is dropped afterwards.
"""

from __future__ import annotations

import datetime
import functools
import logging
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import translation  # noqa: E402
from server import signed_in  # noqa: E402

if TYPE_CHECKING:
    from organisations.downloads import Download
    from reports.summary import ChildSummary
    from tests.conftest import Cast

RUNS = 5
T = TypeVar("T")


def of_type(value: object, kind: type[T]) -> T:
    """`value` of the test cast (whose fields are typed `object`) as the model it is."""
    if not isinstance(value, kind):
        raise TypeError(f"{value!r} is not a {kind.__name__}")
    return value


def timed(label: str, fn: Callable[[], object], runs: int = RUNS) -> None:
    fn()  # warm up
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    print(f"{label:<44} median {statistics.median(times) * 1000:7.1f} ms   min {min(times) * 1000:7.1f} ms")


def build_year(cast: Cast) -> tuple[int, int]:
    from children.models import Child
    from observations.models import Observation, PillarRating
    from observations.pillars import PILLARS
    from organisations.calendar import current_week
    from organisations.models import Group
    from staff.models import User

    child, group = of_type(cast.child_a, Child), of_type(cast.group_a, Group)
    observers = [of_type(person, User) for person in (cast.staff_a, cast.manager, cast.coach)]
    start = current_week().start - datetime.timedelta(days=364)
    rows = [
        Observation(
            child=child,
            group=group,
            observer=observers[day % 3],
            date=start + datetime.timedelta(days=day),
            situation="free_play",
            circumstances=["slept_badly"] if day % 6 == 0 else [],
            note="",
        )
        for day in range(365)
    ]
    Observation.objects.bulk_create(rows)
    ratings = []
    for i, observation in enumerate(rows):
        for j, pillar in enumerate(PILLARS):
            value = 0 if (i + j) % 5 else (1 if pillar.code == "strangers" else -1)
            ratings.append(
                PillarRating(observation=observation, pillar=pillar.code, value=value, note=f"Notitie {i}-{j}")
            )
    PillarRating.objects.bulk_create(ratings)
    return len(rows), len(ratings)


def main() -> None:
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from children.models import Child
        from organisations.calendar import today
        from reports.pdf import render_child_summary_pdf
        from reports.summary import child_summary
        from staff.models import User
        from tests.conftest import build_cast

        cast = build_cast()
        observations, ratings = build_year(cast)
        print(f"child with {observations} observations and {ratings} ratings over a year\n")
        translation.activate("nl")
        child, coach = of_type(cast.child_a, Child), of_type(cast.coach, User)

        def render(summary: ChildSummary) -> Download:
            return render_child_summary_pdf(summary, made_by=coach, made_on=today())

        def render_weeks(weeks: int) -> Download:
            return render(child_summary(child, weeks))

        for weeks in (12, 52):
            summary = child_summary(child, weeks)
            timed(f"summary data, {weeks} weeks", functools.partial(child_summary, child, weeks))
            timed(f"PDF render only, {weeks} weeks", functools.partial(render, summary))
            timed(f"PDF total (data + render), {weeks} weeks", functools.partial(render_weeks, weeks))
        client = Client()
        signed_in(client, coach)
        for weeks in (12, 52):
            timed(
                f"summary page via test client, {weeks} weeks",
                functools.partial(client.get, f"/kinderen/{child.pk}/overzicht/?weken={weeks}"),
            )
            timed(
                f"PDF download via test client, {weeks} weeks",
                functools.partial(client.get, f"/kinderen/{child.pk}/overzicht.pdf?weken={weeks}"),
            )
        data = render_child_summary_pdf(child_summary(child, 52), made_by=coach, made_on=today()).data
        print(f"\n52-week PDF: {len(data) / 1024:.0f} kB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
