"""Generate a large organisation for benchmarks: 2,000 children with a year of observations.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_large \\
        .venv/bin/python manage.py generate_large_org --children 2000 --weeks 52

Refuses to run in a database that holds the demo organisation, and does nothing when the
bench organisation is already there (use --replace to build it again). Fast: users,
children, placements, mentorships and observations go in with bulk_create, the pillar
ratings with one INSERT ... SELECT.

Shape: groups of 16 children, 10 groups per location, 2 staff per group (the observers,
in turn, about two entries per child a week, rating four pillars each time: every pillar
every week). One child in eight has "seeking comfort: too little" in three of four entries;
other pillars are atypical now and then. Logins (no password, for force_login in the
bench): bench.manager.1@example.test manages location 1, bench.area@example.test manages
every location.
"""

import datetime
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from children.models import Child, Mentorship, Placement
from observations.models import Observation
from observations.pillars import PILLARS
from organisations.calendar import current_week, today
from organisations.models import Group, Location, Organisation
from staff.models import Membership, Role, User

ORGANISATION = "Bench Kinderopvang"
DEMO_ORGANISATION = "Kinderopvang De Linde"
GROUP_SIZE = 16
GROUPS_PER_LOCATION = 10
STAFF_PER_GROUP = 2
FIRST = ["Sem", "Emma", "Noah", "Julia", "Liam", "Mila", "Luuk", "Tess", "Daan", "Sophie", "Finn", "Zoë"]
LAST = ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Peters", "Hendriks"]


class Command(BaseCommand):
    help = "Generate a large benchmark organisation (never in the demo database)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--children", type=int, default=2000)
        parser.add_argument("--weeks", type=int, default=52)
        parser.add_argument("--per-week", type=int, default=2, help="entries per child per week")
        parser.add_argument("--replace", action="store_true", help="delete the bench organisation first")

    def handle(self, *args: Any, children: int, weeks: int, per_week: int, replace: bool, **options: Any) -> None:
        if Organisation.objects.filter(name=DEMO_ORGANISATION).exists():
            raise CommandError("This database holds the demo organisation: use a separate bench database.")
        existing = Organisation.objects.filter(name=ORGANISATION).first()
        if existing and not replace:
            count = Child.objects.filter(organisation=existing).count()
            self.stdout.write(f"{ORGANISATION} is already there ({count} children); use --replace to rebuild.")
            return
        started = time.perf_counter()
        with transaction.atomic():
            if existing:
                self._delete(existing)
            counts = self._build(children, weeks, per_week)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        summary = ", ".join(f"{n} {what}" for what, n in counts.items())
        self.stdout.write(f"{ORGANISATION}: {summary} in {time.perf_counter() - started:.0f} s")

    def _delete(self, organisation: Organisation) -> None:
        Observation.objects.filter(child__organisation=organisation).delete()
        Mentorship.objects.filter(child__organisation=organisation).delete()
        Placement.objects.filter(child__organisation=organisation).delete()
        Child.objects.filter(organisation=organisation).delete()
        Membership.objects.filter(organisation=organisation).delete()
        User.objects.filter(email__endswith="@bench.example.test").delete()
        Group.objects.filter(location__organisation=organisation).delete()
        Location.objects.filter(organisation=organisation).delete()
        organisation.delete()

    def _build(self, n_children: int, weeks: int, per_week: int) -> dict[str, int]:
        day = today()
        organisation = Organisation.objects.create(name=ORGANISATION)
        n_groups = -(-n_children // GROUP_SIZE)
        n_locations = -(-n_groups // GROUPS_PER_LOCATION)
        locations = Location.objects.bulk_create(
            Location(organisation=organisation, name=f"Kindercentrum {i + 1:03d}") for i in range(n_locations)
        )
        groups = Group.objects.bulk_create(
            Group(location=locations[g // GROUPS_PER_LOCATION], name=f"Groep {g + 1:04d}") for g in range(n_groups)
        )
        staff = User.objects.bulk_create(
            User(
                email=f"bench.staff.{g + 1}.{k + 1}@bench.example.test",
                first_name=FIRST[(g + k) % len(FIRST)],
                last_name=f"Medewerker {g + 1}-{k + 1}",
                password="!",
            )
            for g in range(n_groups)
            for k in range(STAFF_PER_GROUP)
        )
        manager, area = User.objects.bulk_create(
            [
                User(email="bench.manager.1@bench.example.test", first_name="Bente", last_name="Manager", password="!"),
                User(email="bench.area@bench.example.test", first_name="Ruud", last_name="Regio", password="!"),
            ]
        )
        memberships = [
            Membership(user=staff[g * STAFF_PER_GROUP + k], role=Role.STAFF, organisation=organisation, group=group)
            for g, group in enumerate(groups)
            for k in range(STAFF_PER_GROUP)
        ]
        memberships.append(
            Membership(user=manager, role=Role.MANAGER, organisation=organisation, location=locations[0])
        )
        memberships += [
            Membership(user=area, role=Role.MANAGER, organisation=organisation, location=location)
            for location in locations
        ]
        Membership.objects.bulk_create(memberships)

        start = day - datetime.timedelta(days=7 * weeks + 30)
        kids = Child.objects.bulk_create(
            Child(
                organisation=organisation,
                first_name=FIRST[i % len(FIRST)],
                last_name=f"{LAST[(i // len(FIRST)) % len(LAST)]} {i + 1}",
                date_of_birth=day - datetime.timedelta(days=400 + (i * 37) % 900),
            )
            for i in range(n_children)
        )
        Placement.objects.bulk_create(
            Placement(child=child, group=groups[i // GROUP_SIZE], start_date=max(start, child.date_of_birth))
            for i, child in enumerate(kids)
        )
        Mentorship.objects.bulk_create(
            Mentorship(child=child, mentor=staff[(i // GROUP_SIZE) * STAFF_PER_GROUP + i % 2], start_date=start)
            for i, child in enumerate(kids)
        )

        first_week = current_week().start - datetime.timedelta(weeks=weeks - 1)
        observations = []
        for i, child in enumerate(kids):
            g = i // GROUP_SIZE
            for w in range(weeks):
                for k in range(per_week):
                    date = first_week + datetime.timedelta(weeks=w, days=(i + 2 * k) % 5)
                    if date > day:
                        continue
                    observations.append(
                        Observation(
                            child=child,
                            group=groups[g],
                            observer=staff[g * STAFF_PER_GROUP + (w + k) % STAFF_PER_GROUP],
                            date=date,
                            situation="free_play" if k % 2 == 0 else "drop_off",
                            circumstances=["slept_badly"] if (i + w) % 9 == 0 else [],
                        )
                    )
        Observation.objects.bulk_create(observations, batch_size=5000)
        pillars = ", ".join(f"('{p.code}', {index})" for index, p in enumerate(PILLARS))
        with connection.cursor() as cursor:
            # Four pillars an entry (alternating halves); child ids divisible by 8 show a
            # recurring "comfort seeking, too little"; other atypical ratings are scattered.
            cursor.execute(
                f"""
                INSERT INTO observations_pillarrating (observation_id, pillar, value, note)
                SELECT o.id, p.code,
                    CASE
                        WHEN p.code = 'comfort_seeking' AND o.child_id %% 8 = 0 AND o.id %% 4 <> 0 THEN -2
                        WHEN (o.id * 7 + p.idx) %% 23 = 0 THEN CASE WHEN p.code = 'strangers' THEN 1 ELSE -1 END
                        ELSE 0
                    END,
                    ''
                FROM observations_observation o
                JOIN (VALUES {pillars}) AS p(code, idx) ON p.idx %% 2 = o.id %% 2
                JOIN children_child c ON c.id = o.child_id
                WHERE c.organisation_id = %s
                """,
                [organisation.pk],
            )
            ratings = cursor.rowcount
        return {
            "locations": len(locations),
            "groups": len(groups),
            "staff": len(staff),
            "children": len(kids),
            "observations": len(observations),
            "ratings": ratings,
        }
