from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.calibration import seed_demo_practice_rounds
from demo.conversations import seed_demo_conversations
from demo.observations import seed_demo_observations
from demo.organisation import AGENCY, CONSULTANT, ORGANISATION, seed_demo_agency, seed_demo_organisation
from demo.second_factor import DEMO_SECRET, seed_demo_second_factors
from demo.visits import seed_demo_visits
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Create the demo organisation, its children and the demo logins. Running it again changes nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--password", default="demo", help="Password of every demo login (default: demo).")
        parser.add_argument("--force", action="store_true", help="Seed even when DEBUG is off.")

    def handle(self, *args: Any, password: str, force: bool, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: demo logins with a known password do not belong on a real server. "
                "Use --force if this really is a demo server."
            )
        report = seed_demo_organisation(password)
        self.stdout.write(f"Demo organisation: {ORGANISATION}")
        for kind, count in report.created.items():
            self.stdout.write(f"  {kind}: {count} created")
        observations = seed_demo_observations(Organisation.objects.get(name=ORGANISATION))
        self.stdout.write(
            f"  observations: {observations.created} created ({observations.ratings} pillar ratings), "
            f"{observations.existing} already there; {observations.duos} duo-observations planned"
        )
        for pattern, children in observations.patterns.items():
            self.stdout.write(f"    {pattern}: {children}")
        conversations = seed_demo_conversations(Organisation.objects.get(name=ORGANISATION))
        self.stdout.write(f"  parent conversations: {conversations} created (Daan Mulder, with a focus)")
        self.stdout.write(f"  practice rounds: {seed_demo_practice_rounds()} created (four staff of De Vlinder)")
        made = seed_demo_second_factors(Organisation.objects.get(name=ORGANISATION).pk)
        self.stdout.write(f"  second step: {made} authenticator apps created, key {DEMO_SECRET}")
        agency_report = seed_demo_agency(password)
        agency = Organisation.objects.get(name=AGENCY)
        self.stdout.write(f"Demo gastouderbureau: {AGENCY}")
        for kind, count in agency_report.created.items():
            self.stdout.write(f"  {kind}: {count} created")
        agency_observations = seed_demo_observations(agency)
        self.stdout.write(
            f"  observations: {agency_observations.created} created ({agency_observations.ratings} pillar ratings), "
            f"{agency_observations.existing} already there"
        )
        visits = seed_demo_visits(agency, CONSULTANT[0])
        self.stdout.write(f"  home visits: {visits} created (Fleur Kramer ten weeks ago, Yusuf Demir 13 months ago)")
        made = seed_demo_second_factors(agency.pk)
        self.stdout.write(f"  second step: {made} authenticator apps created, key {DEMO_SECRET}")
        self.stdout.write(
            "Logins (password as given): medewerker@example.org, manager@example.org, coach@example.org, "
            "admin@example.org"
        )
        self.stdout.write(
            "Gastouderbureau (password as given): gastouder@example.org (gastouder Fleur Kramer), "
            "consulent@example.org (consulent of Fleur Kramer and Yusuf Demir)"
        )
        self.stdout.write(
            "Manager, coach, consulent and admin: the second step's code of the moment is `manage.py demo_code`."
        )
