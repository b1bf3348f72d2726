"""Bulk data for the group and location overview tests: many children, many weeks, many entries."""

import datetime

from observations.models import Observation, PillarRating
from observations.pillars import PILLARS
from organisations.calendar import current_week
from tests import factories as f


def fill_group(group, observers, *, children: int, weeks: int, per_week: int = 2, prefix: str = "Kind"):
    """`children` extra children in `group`, each observed `per_week` times in each of the last
    `weeks` weeks by the observers in turn, rating all pillars; every third child has 'comfort
    seeking' too little in most weeks (a recurring attention point)."""
    made = [f.make_child(group, f"{prefix}{n:02d}", mentor=observers[n % len(observers)]) for n in range(children)]
    rows = []
    for c_index, child in enumerate(made):
        for week in range(weeks):
            for k in range(per_week):
                rows.append(
                    Observation(
                        child=child,
                        group=group,
                        observer=observers[(week + k) % len(observers)],
                        date=current_week().start - datetime.timedelta(weeks=week) + datetime.timedelta(days=k),
                        situation="free_play",
                        circumstances=["slept_badly"] if (week + c_index) % 7 == 0 else [],
                    )
                )
    Observation.objects.bulk_create(rows)
    ratings = []
    for i, observation in enumerate(rows):
        child_index = made.index(observation.child) if len(made) < 40 else 0
        for j, pillar in enumerate(PILLARS):
            if pillar.code == "comfort_seeking" and child_index % 3 == 0:
                value = -2 if i % 4 else 0
            else:
                value = 0 if (i + j) % 5 else (1 if pillar.code == "strangers" else -1)
            ratings.append(PillarRating(observation=observation, pillar=pillar.code, value=value))
    PillarRating.objects.bulk_create(ratings)
    return made
