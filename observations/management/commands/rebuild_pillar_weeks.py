"""Count the weekly rollup (observations.PillarWeek) again from the raw observations and ratings.

    python manage.py rebuild_pillar_weeks

The triggers keep the rollup exact on every write; this is for repair and after a bulk load that
went around them (for instance a restore of the observation tables alone). Writers wait while it
runs (a lock on the rollup, one transaction); readers keep reading the old rows until it commits.
"""

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction


class Command(BaseCommand):
    help = "Count the weekly rollup of ratings per child, pillar and week again from the raw rows."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT observations_pillar_weeks_rebuild()")
            (made,) = cursor.fetchone()
        self.stdout.write(f"{made} rows (child, pillar, week) counted in {time.monotonic() - started:.1f} s")
