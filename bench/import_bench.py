"""Time reading in a large organisation from its planning system's export (not a test).

    .venv/bin/python bench/import_bench.py [--children 10000]

Uses its own database `bench_import` on $BENCH_DATABASE_SERVER (default postgresql://postgres@127.0.0.1:5432),
migrated on first use. Each run makes a fresh organisation (20 locations of 5 groups) and a CSV
export of 300 staff rows and 10,000 children with their placements and mentors, then times:
the first import (read, plan, apply: everything new), the same file again (everything unchanged,
nothing written), and a later export without 100 children applied with confirm_ending. Then a new
organisation without any location or group reads in a file of its own: its 20 locations and 100
groups come from the file (planned in the dry run, created by the same transaction).
Target: each first import under a minute.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
NAME = os.environ.get("BENCH_IMPORT_DATABASE", "bench_import")
LOCATIONS, GROUPS_PER_LOCATION, STAFF_PER_GROUP = 20, 5, 3
HEADER = [
    "Kindnummer", "Voornaam", "Tussenvoegsel", "Achternaam", "Geboortedatum", "Locatie", "Groep", "Startdatum",
    "Einddatum", "Mentor (e-mail)", "Aanspreekvorm", "E-mail", "Naam", "Rol", "Groepen",
]  # fmt: skip
FIRST = ["Sem", "Emma", "Noah", "Julia", "Liam", "Mila", "Luuk", "Tess", "Daan", "Sophie", "Zoë", "Jip"]
SURNAMES = [("de", "Vries"), ("", "Bakker"), ("van", "Dijk"), ("", "Jansen"), ("van der", "Berg"), ("", "Smit")]


def export(path: Path, stamp: str, children: int, skip: int = 0) -> None:
    """The planning system's export: the staff rows, then one row per child (`skip` children left out)."""
    today = datetime.date.today()
    lines = [";".join(HEADER)]
    for location in range(LOCATIONS):
        for group in range(GROUPS_PER_LOCATION):
            for person in range(STAFF_PER_GROUP):
                email = f"pm-{stamp}-{location}-{group}-{person}@bench.example.org"
                lines.append(
                    f";;;;;Locatie {location + 1};;;;;;{email};Mede Werker;pedagogisch medewerker;Groep {group + 1}"
                )
    for number in range(skip, children):
        location, group = number % LOCATIONS, (number // LOCATIONS) % GROUPS_PER_LOCATION
        tussenvoegsel, last = SURNAMES[number % len(SURNAMES)]
        born = today - datetime.timedelta(days=200 + number % 1000)
        start = born + datetime.timedelta(days=90)
        mentor = f"pm-{stamp}-{location}-{group}-{number % STAFF_PER_GROUP}@bench.example.org"
        lines.append(
            f"K{number:06d};{FIRST[number % len(FIRST)]};{tussenvoegsel};{last};{born:%d-%m-%Y};Locatie {location + 1};"
            f"Groep {group + 1};{start.isoformat()};;{mentor};hij;;;;"
        )
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=10_000)
    children = parser.parse_args().children

    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{NAME}"')
    os.environ["DATABASE_URL"] = f"{SERVER}/{NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_site.settings_test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from organisations.models import Group, Location, Organisation
    from planning_import.applying import apply_import
    from planning_import.columns import recognise_columns
    from planning_import.planning import Status, plan_import
    from planning_import.reading import read_table
    from staff.models import User

    with open(os.devnull, "w") as devnull:
        call_command("migrate", verbosity=0, stdout=devnull)
    stamp = time.strftime("%Y%m%d%H%M%S")
    organisation = Organisation.objects.create(name=f"Bench inlezen {stamp}")
    for location_number in range(LOCATIONS):
        location = Location.objects.create(organisation=organisation, name=f"Locatie {location_number + 1}")
        for group_number in range(GROUPS_PER_LOCATION):
            Group.objects.create(location=location, name=f"Groep {group_number + 1}")
    by = User.objects.create_user(f"beheer-{stamp}@bench.example.org", None)

    def run(label: str, path: Path, *, confirm_ending: bool = False, into: Organisation = organisation) -> None:
        started = time.perf_counter()
        table = read_table(path)
        read = time.perf_counter()
        plan = plan_import(into, table, recognise_columns(table.headers))
        planned = time.perf_counter()
        result = apply_import(plan, by=by, confirm_ending=confirm_ending)
        applied = time.perf_counter()
        counts = {status.value: plan.count(status) for status in Status}
        print(
            f"{label:<36} read {read - started:5.1f} s  plan {planned - read:5.1f} s  apply {applied - planned:5.1f} s"
            f"  total {applied - started:5.1f} s  {counts} refused={len(plan.refused)} "
            f"ended={result.children_ended} staff_new={result.staff_new} "
            f"locations_new={result.locations_new} groups_new={result.groups_new}"
        )

    with tempfile.TemporaryDirectory() as folder:
        full, later = Path(folder) / "export.csv", Path(folder) / "later.csv"
        export(full, stamp, children)
        export(later, stamp, children, skip=100)
        print(f"{children} children, {full.stat().st_size / 1e6:.1f} MB, {LOCATIONS * GROUPS_PER_LOCATION} groups")
        run("first import (all new)", full)
        run("same file again (unchanged)", full)
        run("100 children left (confirmed)", later, confirm_ending=True)
        empty = Organisation.objects.create(name=f"Bench inlezen leeg {stamp}")
        fresh = Path(folder) / "fresh.csv"
        export(fresh, f"{stamp}-leeg", children)
        run("new organisation (places from file)", fresh, into=empty)
        run("new organisation, same file again", fresh, into=empty)


if __name__ == "__main__":
    main()
