"""`manage.py seed_scale`: a large organisation for benchmarks and load tests (demo/scale.py builds it)."""

from __future__ import annotations

import random
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from children.models import Child
from demo.scale import DOMAIN, ORGANISATION, PASSWORD, Builder, remove_organisation
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Build a large organisation with years of observations, with COPY (for benchmarks and load tests)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--children", type=int, default=10000)
        parser.add_argument("--weeks", type=int, default=104)
        parser.add_argument("--per-week", type=float, default=3.0, help="observations per child per week")
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--force", action="store_true", help="run even though other organisations are there")
        parser.add_argument("--replace", action="store_true", help="remove the scale organisation first")

    def handle(self, *args: Any, **options: Any) -> None:
        children, weeks = options["children"], options["weeks"]
        if children < 1 or weeks < 1:
            raise CommandError("--children and --weeks must be at least 1.")
        others = Organisation.objects.exclude(name=ORGANISATION)
        if others.exists() and not options["force"]:
            names = ", ".join(others.order_by("name").values_list("name", flat=True)[:3])
            raise CommandError(
                f"This database holds other organisations ({names}): use a database of its own for the "
                "scale organisation, or --force to add it beside them."
            )
        existing = Organisation.objects.filter(name=ORGANISATION).first()
        if existing is not None and not options["replace"]:
            count = Child.objects.filter(organisation=existing).count()
            self.stdout.write(f"{ORGANISATION} is already there ({count} children); --replace builds it again.")
            return
        started = time.perf_counter()
        with transaction.atomic():
            if existing is not None:
                remove_organisation(existing)
            builder = Builder(random.Random(options["seed"]), children, weeks, options["per_week"])
            counts = builder.build()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        rows = sum(counts.values())
        summary = ", ".join(f"{n:,} {what}" for what, n in counts.items())
        self.stdout.write(f"{ORGANISATION}: {summary}; {rows:,} rows in {elapsed:.1f} s")
        self.stdout.write(
            f"Logins (password {PASSWORD}): manager@{DOMAIN} (largest location), coach@{DOMAIN} (five locations), "
            f"admin@{DOMAIN}"
        )
