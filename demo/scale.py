"""Build a large organisation for benchmarks and load tests, loaded with PostgreSQL's COPY.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_scale \\
        .venv/bin/python manage.py seed_scale --children 10000 --weeks 104

Shape (for 10,000 children): about 125 locations of 2 to 12 groups, about 600 groups of 12 to 20
children, two or three staff per group, a manager per location, a coach per five locations and an
organisation admin. Placements change over time: about one child in eight moves to another group
of its location during the period, some leave and some join later. About three observations per
child per week on weekdays while placed, each rating two to five pillars by a staff member of the
group of that day; mostly typical, now and then atypical, with circumstances on about one entry in
seven. Some children have patterns: a recurring attention point on one pillar (from some week on),
atypical ratings mostly on days with circumstances, or scattered atypical ratings.

Logins (password `demo`, as for every user made here): manager@scale.example.org (manager of the
largest location), coach@scale.example.org (coach of five locations, the largest among them),
admin@scale.example.org; staff are staff.<group>.<n>@scale.example.org.

It refuses to run in a database that holds any other organisation unless --force is given (it
never touches them), and does nothing when the scale organisation is already there unless
--replace is given. Everything goes in in one transaction; the big tables with COPY. The same
--seed gives the same organisation.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection

from access_log.models import AccessLog
from children.models import Child, Mentorship, Placement
from children.names import split_surname
from observations.choices import Circumstance, Situation
from observations.pillars import PILLARS, Direction
from organisations.calendar import current_week, today
from organisations.models import Group, Location, Organisation
from staff.models import Membership, Role, User

ORGANISATION = "Schaal Kinderopvang"
DOMAIN = "scale.example.org"
PASSWORD = "demo"
CHILDREN_PER_GROUP = 16.5
GROUPS_PER_LOCATION = 4.8
LARGEST_LOCATION_GROUPS = 12
LOCATIONS_PER_COACH = 5
CHUNK = 400  # children per COPY round
NULL = "\\N"  # COPY's text format
# The rollup's triggers (observations/migrations/0002_pillar_week_rollup.py) this command steps around.
RATING_INSERT_TRIGGER = (("observations_pillarrating", "observations_rating_inserted"),)
ROLLUP_DELETE_TRIGGERS = (
    ("observations_pillarrating", "observations_rating_deleted"),
    ("observations_observation", "observations_observation_deleted"),
)

FIRST = [
    "Sem", "Emma", "Noah", "Julia", "Liam", "Mila", "Luuk", "Tess", "Daan", "Sophie", "Finn", "Zoë",
    "Lucas", "Nora", "Levi", "Saar", "Milan", "Yara", "Jesse", "Lotte", "Bram", "Evi", "Mees", "Noor",
]  # fmt: skip
LAST = [
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Peters", "Hendriks",
    "van Dijk", "de Boer", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Vermeulen", "Kok", "Jacobs", "Willems",
]  # fmt: skip
STAFF_FIRST = ["Anouk", "Bas", "Carla", "Dewi", "Esther", "Fatima", "Gijs", "Hanneke", "Inge", "Joris", "Karin"]
TOWNS = [
    "Utrecht", "Amersfoort", "Zeist", "Houten", "Nieuwegein", "Veenendaal", "Woerden", "IJsselstein",
    "Bunnik", "Soest", "Baarn", "Leusden", "Maarssen", "Vianen", "Culemborg", "Doorn",
]  # fmt: skip
GROUP_NAMES = ["Vlinders", "Egeltjes", "Uiltjes", "Kikkers", "Bijtjes", "Vosjes", "Zonnetjes", "Sterren"]
GROUP_NAMES += ["Regenboog", "Lieveheersbeestjes", "Dolfijnen", "Pinguïns"]
NOTES = [
    "Zocht na het vallen geen troost, speelde alleen verder.",
    "Bleef lang huilen bij het afscheid.",
    "Liep meteen naar de nieuwe invalkracht toe.",
    "Wilde steeds op schoot, ook bij het spelen.",
    "Keek niet op toen mama binnenkwam.",
    "Deed alles meteen wat we vroegen, zonder te protesteren.",
]
SITUATIONS = list(Situation.values)
CIRCUMSTANCES = [c for c in Circumstance.values if c != Circumstance.OTHER]


PlacementPlan = list[tuple[int, datetime.date, datetime.date | None]]  # (group index, start, end), oldest first
OBSERVATION_COLUMNS = (
    "id, child_id, group_id, observer_id, date, situation, circumstances, note, submission_key, version, "
    "created_at, updated_at, removed_at, removed_by_id"
)
PILLAR_CODES = [p.code for p in PILLARS]
DIRECTIONS = {p.code: [d.value for d in p.directions] for p in PILLARS}


@dataclass
class ChildPattern:
    pillar: str
    direction: str
    recurring_from: int  # day index from which the pillar is a recurring attention point (past the end: never)
    with_circumstances: bool = False
    scattered: bool = False


def remove_organisation(organisation: Organisation) -> None:
    """Remove the scale organisation and everything in it (the big tables in SQL)."""
    org = organisation.pk
    children = "SELECT id FROM children_child WHERE organisation_id = %s"
    observations = f"SELECT id FROM observations_observation WHERE child_id IN ({children})"
    with connection.cursor() as cursor:
        for table in ("observations_historicalpillarrating",):
            cursor.execute(f"DELETE FROM {table} WHERE observation_id IN ({observations})", [org])
        # Every observation of these children goes: their rollup rows go with them, without a recount.
        _switch_triggers(ROLLUP_DELETE_TRIGGERS, "DISABLE")
        cursor.execute(f"DELETE FROM observations_pillarweek WHERE child_id IN ({children})", [org])
        cursor.execute(f"DELETE FROM observations_pillarrating WHERE observation_id IN ({observations})", [org])
        cursor.execute(f"DELETE FROM observations_historicalobservation WHERE child_id IN ({children})", [org])
        cursor.execute(f"DELETE FROM observations_observation WHERE child_id IN ({children})", [org])
        _switch_triggers(ROLLUP_DELETE_TRIGGERS, "ENABLE")
        cursor.execute(f"DELETE FROM {AccessLog._meta.db_table} WHERE organisation_id = %s", [org])
    Mentorship.objects.filter(child__organisation=organisation).delete()
    Placement.objects.filter(child__organisation=organisation).delete()
    Child.objects.filter(organisation=organisation).delete()
    Membership.objects.filter(organisation=organisation).delete()
    User.objects.filter(email__endswith=f"@{DOMAIN}").delete()
    Group.objects.filter(location__organisation=organisation).delete()
    Location.objects.filter(organisation=organisation).delete()
    organisation.delete()


def _switch_triggers(triggers: tuple[tuple[str, str], ...], state: str) -> None:
    """ENABLE or DISABLE these (table, trigger) pairs, in this transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the checks still pending: ALTER TABLE needs none
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, trigger in triggers:
            cursor.execute(f"ALTER TABLE {table} {state} TRIGGER {trigger}")


def _copy(table: str, columns: str, lines: list[str]) -> None:
    if not lines:
        return
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write("".join(lines))


@contextmanager
def _bulk_load(tables: tuple[str, ...]) -> Iterator[None]:
    """Drop the foreign keys, unique constraints and indexes of `tables` (not the primary keys) and
    build them again at the end: one index build and one foreign-key check over the whole table is
    many times faster than keeping them up to date row by row for millions of rows. All of it inside
    the command's transaction: a failure leaves the tables as they were."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint
            WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u')
            ORDER BY contype DESC
            """,
            [list(tables)],
        )
        constraints = cursor.fetchall()  # unique constraints first (foreign keys may need them)
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [list(tables)],
        )
        indexes = cursor.fetchall()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the checks still pending: ALTER TABLE needs none
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in reversed(constraints):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def _rollup_counted_once(children_ids: list[int]) -> Iterator[None]:
    """Load the ratings without their rollup trigger (observations.PillarWeek), then count the weeks
    of these children once, with the function the trigger calls: recounting after every COPY round
    made the load four times slower. The table is the load's alone meanwhile (_bulk_load locks it)
    and all of it is one transaction."""
    _switch_triggers(RATING_INSERT_TRIGGER, "DISABLE")
    yield
    _switch_triggers(RATING_INSERT_TRIGGER, "ENABLE")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT observations_pillar_weeks_recount(array_agg(child_id), array_agg(week))
            FROM (
                SELECT DISTINCT child_id, date_trunc('week', date)::date AS week
                FROM observations_observation WHERE child_id = ANY(%s) AND removed_at IS NULL
            ) AS seeded
            """,
            [children_ids],
        )


def _reserve_ids(table: str) -> int:
    """The first id of a block this command fills with explicit ids (the sequence is moved on after)."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])


def _move_sequence(table: str, last_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(%s, (SELECT MAX(id) FROM {table})))",
            [last_id],
        )


class Builder:
    def __init__(self, rng: random.Random, children: int, weeks: int, per_week: float) -> None:
        self.rng = rng
        self.n_children = children
        self.weeks = weeks
        self.per_week = per_week
        self.today = today()
        self.first_monday = current_week().start - datetime.timedelta(weeks=weeks - 1)
        self.days = [self.first_monday + datetime.timedelta(days=d) for d in range(7 * weeks)]
        self.day_text = [d.isoformat() for d in self.days]
        self.run = uuid.uuid4().hex[:16]  # submission keys: this run's prefix and the observation id

    # --- the places and people -----------------------------------------------------------------
    def _plan(self) -> tuple[list[int], list[int]]:
        """Groups per location (largest first) and children per group."""
        rng = self.rng
        n_groups = max(1, round(self.n_children / CHILDREN_PER_GROUP))
        n_locations = max(1, round(n_groups / GROUPS_PER_LOCATION))
        largest = min(LARGEST_LOCATION_GROUPS, n_groups - (n_locations - 1)) if n_locations > 1 else n_groups
        sizes = [largest] + [1] * (n_locations - 1)
        left = n_groups - sum(sizes)
        while left > 0:  # spread the rest over the other locations, 2 to largest - 1 groups each
            i = rng.randrange(1, n_locations) if n_locations > 1 else 0
            if n_locations == 1 or sizes[i] < largest - 1:
                sizes[i] += 1
                left -= 1
        per_group = [self.n_children // n_groups] * n_groups
        for i in range(self.n_children - sum(per_group)):
            per_group[i % n_groups] += 1
        for _ in range(n_groups):  # vary group sizes (12 to 20 for the default shape), same total
            a, b = rng.randrange(n_groups), rng.randrange(n_groups)
            shift = rng.randint(0, 3)
            if per_group[a] - shift >= 1 and per_group[b] + shift <= 24:
                per_group[a] -= shift
                per_group[b] += shift
        return sizes, per_group

    def build(self) -> dict[str, int]:
        rng = self.rng
        sizes, per_group = self._plan()
        organisation = Organisation.objects.create(
            name=ORGANISATION,
            meldcode_url="https://example.org/meldcode",
            meldcode_text="Zorgen over de veiligheid van een kind? Bel de aandachtsfunctionaris.",
        )
        locations = Location.objects.bulk_create(
            Location(organisation=organisation, name=f"Kindercentrum {TOWNS[i % len(TOWNS)]} {i + 1:03d}")
            for i in range(len(sizes))
        )
        group_location = [li for li, size in enumerate(sizes) for _ in range(size)]
        groups = Group.objects.bulk_create(
            Group(
                location=locations[li],
                name=f"{GROUP_NAMES[g % len(GROUP_NAMES)]} {g + 1:03d}",
                min_age_months=0,
                max_age_months=48,
            )
            for g, li in enumerate(group_location)
        )
        password = make_password(PASSWORD)
        staff_plan = [(g, k) for g in range(len(groups)) for k in range(2 + (g % 3 == 0))]
        staff = User.objects.bulk_create(
            User(
                email=f"staff.{g + 1}.{k + 1}@{DOMAIN}",
                first_name=STAFF_FIRST[(g + k) % len(STAFF_FIRST)],
                last_name=f"Medewerker {g + 1}-{k + 1}",
                password=password,
            )
            for g, k in staff_plan
        )
        self.group_staff: list[list[int]] = [[] for _ in groups]
        for (g, _k), user in zip(staff_plan, staff, strict=True):
            self.group_staff[g].append(user.pk)
        managers = User.objects.bulk_create(
            User(
                email=f"manager@{DOMAIN}" if i == 0 else f"manager.{i + 1}@{DOMAIN}",
                first_name="Marieke" if i == 0 else "Manager",
                last_name="de Locatie" if i == 0 else f"Locatie {i + 1}",
                password=password,
            )
            for i in range(len(locations))
        )
        n_coaches = -(-len(locations) // LOCATIONS_PER_COACH)
        coaches = User.objects.bulk_create(
            User(
                email=f"coach@{DOMAIN}" if i == 0 else f"coach.{i + 1}@{DOMAIN}",
                first_name="Carolien" if i == 0 else "Coach",
                last_name="de Coach" if i == 0 else f"Regio {i + 1}",
                password=password,
            )
            for i in range(n_coaches)
        )
        admin = User.objects.create(
            email=f"admin@{DOMAIN}", first_name="Arend", last_name="Beheer", password=password, is_staff=True
        )
        memberships = [
            Membership(user_id=uid, role=Role.STAFF, organisation=organisation, group=groups[g])
            for g, uids in enumerate(self.group_staff)
            for uid in uids
        ]
        memberships += [
            Membership(user=managers[i], role=Role.MANAGER, organisation=organisation, location=loc)
            for i, loc in enumerate(locations)
        ]
        memberships += [
            Membership(user=coaches[i // LOCATIONS_PER_COACH], role=Role.COACH, organisation=organisation, location=loc)
            for i, loc in enumerate(locations)
        ]
        memberships.append(Membership(user=admin, role=Role.ADMIN, organisation=organisation))
        Membership.objects.bulk_create(memberships)

        # --- children and their placements over time ---
        self.location_groups: list[list[int]] = [[] for _ in locations]
        for g, li in enumerate(group_location):
            self.location_groups[li].append(g)
        self.group_location = group_location
        homes = [g for g, n in enumerate(per_group) for _ in range(n)]
        rng.shuffle(homes)
        plans = [self._placements(home) for home in homes]
        surnames = [split_surname(LAST[(i * 7) % len(LAST)]) for i in range(len(plans))]  # "de", "Vries"
        kids = Child.objects.bulk_create(
            Child(
                organisation=organisation,
                first_name=FIRST[i % len(FIRST)],
                tussenvoegsel=surnames[i][0],
                last_name=surnames[i][1],
                date_of_birth=plan[0][1] - datetime.timedelta(days=rng.randint(70, 500)),
            )
            for i, plan in enumerate(plans)
        )
        Placement.objects.bulk_create(
            Placement(child=child, group=groups[g], start_date=start, end_date=end)
            for child, plan in zip(kids, plans, strict=True)
            for g, start, end in plan
        )
        Mentorship.objects.bulk_create(
            Mentorship(child=child, mentor_id=rng.choice(self.group_staff[plan[-1][0]]), start_date=plan[-1][1])
            for child, plan in zip(kids, plans, strict=True)
        )
        self.group_ids = [g.pk for g in groups]
        observations, ratings = self._observations(kids, plans)
        return {
            "locations": len(locations),
            "groups": len(groups),
            "users": len(staff) + len(managers) + len(coaches) + 1,
            "memberships": len(memberships),
            "children": len(kids),
            "placements": sum(len(p) for p in plans),
            "mentorships": len(kids),
            "observations": observations,
            "ratings": ratings,
        }

    def _placements(self, home: int) -> PlacementPlan:
        """(group index, start, end) of one child, oldest first."""
        rng = self.rng
        first, last = self.first_monday, self.today
        span = max((last - first).days, 1)
        before = first - datetime.timedelta(days=rng.randint(0, 300))
        roll = rng.random()
        siblings = [g for g in self.location_groups[self.group_location[home]] if g != home]
        margin = min(28, span // 4)  # changes fall well inside the period
        if span < 8:
            return [(home, before, None)]
        if roll < 0.12 and siblings:  # moves to another group of the location
            move = first + datetime.timedelta(days=rng.randint(margin, span - margin))
            return [(home, before, move - datetime.timedelta(days=1)), (rng.choice(siblings), move, None)]
        if roll < 0.20:  # left during the period
            return [(home, before, first + datetime.timedelta(days=rng.randint(margin, span - margin)))]
        if roll < 0.30:  # joined during the period
            return [(home, first + datetime.timedelta(days=rng.randint(margin, span - margin)), None)]
        return [(home, before, None)]

    # --- observations and ratings, with COPY -----------------------------------------------------
    def _observations(self, kids: list[Child], plans: list[PlacementPlan]) -> tuple[int, int]:
        obs_table, rating_table = "observations_observation", "observations_pillarrating"
        self.obs_id, self.rating_id = _reserve_ids(obs_table), _reserve_ids(rating_table)
        first_obs, first_rating = self.obs_id, self.rating_id
        with _rollup_counted_once([c.pk for c in kids]), _bulk_load((obs_table, rating_table)):
            for start in range(0, len(kids), CHUNK):
                obs_lines: list[str] = []
                rating_lines: list[str] = []
                for child, plan in zip(kids[start : start + CHUNK], plans[start : start + CHUNK], strict=True):
                    self._child_rows(child, plan, obs_lines, rating_lines)
                _copy(obs_table, OBSERVATION_COLUMNS, obs_lines)
                _copy(rating_table, "id, observation_id, pillar, value, note", rating_lines)
        _move_sequence(obs_table, self.obs_id - 1)
        _move_sequence(rating_table, self.rating_id - 1)
        return self.obs_id - first_obs, self.rating_id - first_rating

    def _child_pattern(self) -> ChildPattern:
        """Some children have a pattern on one pillar."""
        rng = self.rng
        pillar = rng.choice(PILLARS)
        pattern = ChildPattern(pillar.code, rng.choice(pillar.directions).value, len(self.days) + 1)
        roll = rng.random()
        if roll < 0.06:  # a recurring attention point from some week on
            pattern.recurring_from = rng.randrange(0, max(1, len(self.days) - 7 * 8))
        elif roll < 0.09:  # atypical mostly on days with circumstances
            pattern.with_circumstances = True
        elif roll < 0.13:  # atypical now and then, in both directions
            pattern.scattered = True
        return pattern

    def _circumstances(self, chance: float) -> list[str]:
        rng = self.rng
        if rng.random() >= chance:
            return []
        first, second = rng.choice(CIRCUMSTANCES), rng.choice(CIRCUMSTANCES)
        if rng.random() < 0.12 and second != first:
            return sorted([first, second], key=Circumstance.values.index)
        return [first]

    def _value(self, code: str, pattern: ChildPattern, index: int, circumstances: list[str]) -> int:
        """One rating: typical mostly, atypical now and then, more so on the pillar of a pattern."""
        rng = self.rng
        atypical, direction = rng.random() < 0.05, rng.choice(DIRECTIONS[code])
        if code == pattern.pillar:
            if index >= pattern.recurring_from:
                atypical, direction = rng.random() < 0.62, pattern.direction
            elif pattern.with_circumstances and circumstances:
                atypical, direction = rng.random() < 0.7, pattern.direction
            elif pattern.scattered:
                atypical = rng.random() < 0.3
        if not atypical:
            return 0
        size = 2 if rng.random() < 0.3 else 1
        return -size if direction == Direction.LOW else size

    def _child_rows(self, child: Child, plan: PlacementPlan, obs_lines: list[str], rating_lines: list[str]) -> None:
        rng = self.rng
        pattern = self._child_pattern()
        chance = 0.35 if pattern.with_circumstances else 0.14
        last_day = (self.today - self.first_monday).days
        for index in range(min(len(self.days), last_day + 1)):
            day = self.days[index]
            if index % 7 >= 5 or rng.random() >= self.per_week / 5:
                continue  # weekends, and days without an entry
            group = next((g for g, start, end in plan if start <= day and (end is None or day <= end)), None)
            if group is None:
                continue
            observer = rng.choice(self.group_staff[group])
            circumstances = self._circumstances(chance)
            rated = rng.sample(PILLAR_CODES, rng.randint(2, 5))
            in_pattern = index >= pattern.recurring_from or (pattern.with_circumstances and circumstances)
            if in_pattern and pattern.pillar not in rated and rng.random() < 0.8:
                rated.append(pattern.pillar)
            for code in rated:
                value = self._value(code, pattern, index, circumstances)
                note = rng.choice(NOTES) if value and rng.random() < 0.3 else ""
                rating_lines.append(f"{self.rating_id}\t{self.obs_id}\t{code}\t{value}\t{note}\n")
                self.rating_id += 1
            created = f"{self.day_text[index]} {9 + rng.randrange(8):02d}:{rng.randrange(60):02d}:00+01"
            removed = rng.random() < 0.01
            note = "Rustige dag, speelde veel met de blokken." if rng.random() < 0.05 else ""
            obs_lines.append(
                f"{self.obs_id}\t{child.pk}\t{self.group_ids[group]}\t{observer}\t{self.day_text[index]}\t"
                f"{rng.choice(SITUATIONS)}\t{{{','.join(circumstances)}}}\t{note}\t{self.run}{self.obs_id:016x}\t1\t"
                f"{created}\t{created}\t{created if removed else NULL}\t{observer if removed else NULL}\n"
            )
            self.obs_id += 1
