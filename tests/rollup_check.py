"""The weekly rollup (observations.PillarWeek) against the raw observations and ratings, counted here
in Python, independently of the SQL that keeps it."""

import datetime
from collections import Counter, defaultdict

from observations.models import PillarRating, PillarWeek


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def expected_rollup() -> dict[tuple[int, datetime.date, str], dict]:
    """Every (child, week, pillar) with ratings of live observations, counted in Python."""

    def empty_cell():
        return {"values": Counter(), "with_circ": 0, "observers": set(), "atypical_observers": set(), "circ": Counter()}

    cells: dict[tuple[int, datetime.date, str], dict] = defaultdict(empty_cell)
    ratings = PillarRating.objects.filter(observation__removed_at__isnull=True).select_related("observation")
    for rating in ratings:
        o = rating.observation
        cell = cells[(o.child_id, monday(o.date), rating.pillar)]
        cell["values"][rating.value] += 1
        seen_by = {o.observer_id, o.observed_with_id} - {None}  # whoever observed together counts too
        cell["observers"] |= seen_by
        if rating.value:
            cell["atypical_observers"] |= seen_by
            cell["with_circ"] += bool(o.circumstances)
            cell["circ"].update(o.circumstances)
    return {
        key: {
            "ratings": sum(c["values"].values()),
            "low_clear": c["values"][-2],
            "low_slight": c["values"][-1],
            "typical": c["values"][0],
            "high_slight": c["values"][1],
            "high_clear": c["values"][2],
            "atypical_with_circumstances": c["with_circ"],
            "observer_ids": sorted(c["observers"]),
            "atypical_observer_ids": sorted(c["atypical_observers"]),
            "circumstances_on_atypical": dict(c["circ"]),
        }
        for key, c in cells.items()
    }


def stored_rollup() -> dict[tuple[int, datetime.date, str], dict]:
    fields = [
        "ratings", "low_clear", "low_slight", "typical", "high_slight", "high_clear",
        "atypical_with_circumstances", "observer_ids", "atypical_observer_ids", "circumstances_on_atypical",
    ]  # fmt: skip
    return {
        (row["child_id"], row["week"], row["pillar"]): {name: row[name] for name in fields}
        for row in PillarWeek.objects.values("child_id", "week", "pillar", *fields)
    }


def assert_rollup_exact() -> None:
    expected, stored = expected_rollup(), stored_rollup()
    assert stored.keys() == expected.keys()
    for key, row in expected.items():
        assert stored[key] == row, key
