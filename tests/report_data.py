"""Observation fixtures for the report tests, built with the ORM directly."""

import datetime

from observations.models import Observation, PillarRating
from organisations.calendar import current_week


def observe(child, observer, day, ratings, circumstances=(), removed=False, situation="free_play", notes=None):
    """One observation with a rating per pillar in `ratings` ({pillar: value})."""
    observation = Observation.objects.create(
        child=child,
        group=child.placements.first().group,
        observer=observer,
        date=day,
        situation=situation,
        circumstances=list(circumstances),
    )
    if removed:
        Observation.objects.filter(pk=observation.pk).update(removed_at=datetime.datetime.now(datetime.UTC))
    notes = notes or {}
    PillarRating.objects.bulk_create(
        PillarRating(observation=observation, pillar=pillar, value=value, note=notes.get(pillar, f"{pillar} {value}"))
        for pillar, value in ratings.items()
    )
    return observation


def weeks_ago(n: int, weekday: int = 1) -> datetime.date:
    return current_week().start - datetime.timedelta(weeks=n) + datetime.timedelta(days=weekday)


def give_recurring_comfort_pattern(child, observers, weeks: int = 6) -> None:
    """Seeking comfort: too little in every one of the last `weeks` weeks, by alternating
    observers; reunion typical; everything on days without circumstances."""
    for n in range(1, weeks + 1):
        observer = observers[n % len(observers)]
        observe(
            child,
            observer,
            weeks_ago(n),
            {"comfort_seeking": -2, "reunion": 0, "exploration": 0},
            notes={"comfort_seeking": "Zocht geen troost na het vallen bij de glijbaan."},
        )


def many_observations(child, observers, count: int) -> None:
    """`count` observations spread over the last 52 weeks, all eight pillars rated."""
    pillars = [
        "positive_affect",
        "comfort_seeking",
        "trust_help",
        "cooperation",
        "exploration",
        "controlling",
        "reunion",
        "strangers",
    ]
    rows, ratings = [], []
    for i in range(count):
        rows.append(
            Observation(
                child=child,
                group=child.placements.first().group,
                observer=observers[i % len(observers)],
                date=current_week().start - datetime.timedelta(days=(i * 3) % 360),
                situation="free_play",
                circumstances=["slept_badly"] if i % 5 == 0 else [],
            )
        )
    Observation.objects.bulk_create(rows)
    for i, observation in enumerate(rows):
        for j, pillar in enumerate(pillars):
            value = 0 if (i + j) % 4 else (1 if pillar == "strangers" else -1)
            ratings.append(PillarRating(observation=observation, pillar=pillar, value=value, note=f"note {i} {j}"))
    PillarRating.objects.bulk_create(ratings)
