"""The demo organisations: Kinderopvang De Linde (two centres, one childminder's home, five groups,
40 children with Dutch names, placements, mentors and the four demo logins), and Gastouderbureau
Het Nest (three gastouders at home, a few children each, one bemiddelingsmedewerker who supports two
of them; `seed_demo_agency`).

Everything is keyed on natural keys, so running it again changes nothing.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.db import transaction

from children.models import Child, FormOfAddress, Mentorship, Placement
from children.names import split_surname
from organisations.calendar import today
from organisations.models import Group, Location, Organisation
from staff.models import Membership, Role, User

ORGANISATION = "Kinderopvang De Linde"

# location name, kind, groups: (group name, min months, max months, children)
LOCATIONS = [
    ("Kindercentrum De Vlinder", Location.Kind.CENTRE, [("Rupsjes", 0, 24, 8), ("Vlinders", 24, 48, 9)]),
    ("Kindercentrum Het Klimrek", Location.Kind.CENTRE, [("Dreumesen", 12, 30, 8), ("Peuters", 24, 48, 9)]),
    ("Gastouder Anja Visser", Location.Kind.CHILDMINDER, [("Bij Anja", 0, 48, 6)]),
]

# How the handouts refer to some demo children after their first name (the others: only the name).
FORMS_OF_ADDRESS = {"Sem": FormOfAddress.HE, "Sophie": FormOfAddress.SHE, "Emma": FormOfAddress.SHE}

# Staff per group: (e-mail, first name, last name). The first demo login is staff of "Vlinders".
GROUP_STAFF = {
    "Rupsjes": [("sanne@example.org", "Sanne", "de Boer"), ("fatima@example.org", "Fatima", "El Amrani")],
    "Vlinders": [
        ("medewerker@example.org", "Lotte", "Jansen"),
        ("joost@example.org", "Joost", "Bakker"),
        ("priya@example.org", "Priya", "Ramdin"),
    ],
    "Dreumesen": [("marieke@example.org", "Marieke", "Smit"), ("kees@example.org", "Kees", "Mulder")],
    "Peuters": [
        ("esra@example.org", "Esra", "Yilmaz"),
        ("bram@example.org", "Bram", "Visser"),
        ("noor@example.org", "Noor", "Hendriks"),
    ],
    "Bij Anja": [("anja@example.org", "Anja", "Visser")],
}

FIRST_NAMES = [
    "Sem",
    "Emma",
    "Noah",
    "Julia",
    "Liam",
    "Mila",
    "Luuk",
    "Tess",
    "Daan",
    "Sophie",
    "Finn",
    "Zoë",
    "Levi",
    "Nora",
    "Milan",
    "Saar",
    "Jesse",
    "Lieke",
    "Bram",
    "Yara",
    "Mees",
    "Fenna",
    "Adam",
    "Evi",
    "Sven",
    "Lina",
    "Gijs",
    "Nova",
    "Ties",
    "Roos",
    "Mohammed",
    "Olivia",
    "Thijs",
    "Isa",
    "Ayoub",
    "Maud",
    "Ravi",
    "Noor",
    "Jip",
    "Hiba",
]
# As the names read after the first name; the seed keeps the tussenvoegsel ("de", "van der") in its own field.
LAST_NAMES = [
    "de Vries",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Groot",
    "Mulder",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Kaya",
    "Ouali",
    "van der Berg",
    "Koster",
    "Prins",
    "Huisman",
    "Kok",
    "Jacobs",
    "Schouten",
    "Vermeulen",
    "van den Heuvel",
    "Willems",
    "Boukhari",
    "Sarmo",
    "Veenstra",
    "Kuipers",
    "Postma",
    "Maas",
    "Ramsaran",
    "Verbeek",
    "Lammers",
    "Yildiz",
]


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, was_created: bool) -> None:
        self.created.setdefault(kind, 0)
        if was_created:
            self.created[kind] += 1


def _user(report: SeedReport, email: str, first: str, last: str, password: str, **extra: bool) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last, **extra})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    report.count("users", created)
    return user


def _membership(
    report: SeedReport,
    user: User,
    organisation: Organisation,
    role: str,
    location: Location | None = None,
    group: Group | None = None,
) -> None:
    _, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, location=location, group=group
    )
    report.count("memberships", created)


# A child who left the Peuters this many days ago (moved away): long enough for the retention
# (RETENTION_MONTHS_AFTER_LEAVING, 3 months) to be due, so `apply_retention --dry-run` names it.
CHILD_WHO_LEFT = ("Jurre", "Vink")
LEFT_DAYS_AGO = 150


def _child_who_left(report: SeedReport, organisation: Organisation, group: Group, day: datetime.date) -> None:
    left = day - datetime.timedelta(days=LEFT_DAYS_AGO)
    child, created = Child.objects.get_or_create(
        organisation=organisation,
        first_name=CHILD_WHO_LEFT[0],
        last_name=CHILD_WHO_LEFT[1],
        defaults={"date_of_birth": day - datetime.timedelta(days=1150)},
    )
    report.count("children who left", created)
    start = left - datetime.timedelta(days=420)
    _, created = Placement.objects.get_or_create(
        child=child, group=group, defaults={"start_date": start, "end_date": left}
    )
    report.count("placements", created)
    mentor = Membership.objects.filter(group=group, role=Role.STAFF).order_by("user__email").first()
    if mentor is not None:
        _, created = Mentorship.objects.get_or_create(
            child=child, defaults={"mentor_id": mentor.user_id, "start_date": start, "end_date": left}
        )
        report.count("mentorships", created)


@transaction.atomic
def seed_demo_organisation(password: str) -> SeedReport:
    report = SeedReport()
    rng = random.Random(20260301)
    day = today()
    organisation, created = Organisation.objects.get_or_create(
        name=ORGANISATION,
        defaults={
            "meldcode_url": "https://www.rijksoverheid.nl/onderwerpen/huiselijk-geweld/meldcode",
            "meldcode_text": "Bij De Linde bespreek je zorgen dezelfde dag met de aandachtsfunctionaris, "
            "Marloes de Wit (030-123 45 67).",
        },
    )
    report.count("organisations", created)

    names = iter(zip(FIRST_NAMES, LAST_NAMES, strict=True))
    groups_by_name: dict[str, Group] = {}
    for location_name, kind, groups in LOCATIONS:
        location, created = Location.objects.get_or_create(
            organisation=organisation, name=location_name, defaults={"kind": kind}
        )
        report.count("locations", created)
        for group_name, low, high, size in groups:
            group, created = Group.objects.get_or_create(
                location=location, name=group_name, defaults={"min_age_months": low, "max_age_months": high}
            )
            report.count("groups", created)
            groups_by_name[group_name] = group
            staff = [_user(report, email, first, last, password) for email, first, last in GROUP_STAFF[group_name]]
            for member in staff:
                _membership(report, member, organisation, Role.STAFF, group=group)
            for index in range(size):
                first, surname = next(names)
                tussenvoegsel, last = split_surname(surname)  # "de Vries": "de" between, sorted under V
                age_months = rng.randint(max(low, 3), max(high - 2, low + 4))
                born = day - datetime.timedelta(days=int(age_months * 30.4) + rng.randint(0, 25))
                child, created = Child.objects.get_or_create(
                    organisation=organisation,
                    first_name=first,
                    tussenvoegsel=tussenvoegsel,
                    last_name=last,
                    defaults={
                        "date_of_birth": born,
                        "form_of_address": FORMS_OF_ADDRESS.get(first, FormOfAddress.NAME),
                    },
                )
                report.count("children", created)
                start = max(child.date_of_birth + datetime.timedelta(days=70), day - datetime.timedelta(days=400))
                _, created = Placement.objects.get_or_create(child=child, group=group, defaults={"start_date": start})
                report.count("placements", created)
                mentor = staff[index % len(staff)]
                _, created = Mentorship.objects.get_or_create(
                    child=child, end_date=None, defaults={"mentor": mentor, "start_date": start}
                )
                report.count("mentorships", created)

    _child_who_left(report, organisation, groups_by_name["Peuters"], day)

    manager = _user(report, "manager@example.org", "Hanneke", "Vos", password)
    _membership(
        report,
        manager,
        organisation,
        Role.MANAGER,
        location=Location.objects.get(organisation=organisation, name="Kindercentrum De Vlinder"),
    )
    coach = _user(report, "coach@example.org", "Ilse", "van Leeuwen", password)
    for location in Location.objects.filter(organisation=organisation, kind=Location.Kind.CENTRE):
        _membership(report, coach, organisation, Role.COACH, location=location)
    admin = _user(report, "admin@example.org", "Wouter", "Dekker", password, is_staff=True)
    _membership(report, admin, organisation, Role.ADMIN)
    return report


# The demo gastouderbureau: its gastouders' homes, each with its one group (the gastouder's children).
AGENCY = "Gastouderbureau Het Nest"
# home (location) name, its group, the gastouder (e-mail, first name, last name), the children
# (first name, surname as it reads, age in months)
AGENCY_HOMES = [
    (
        "Gastouder Fleur Kramer",
        "Bij Fleur",
        ("gastouder@example.org", "Fleur", "Kramer"),
        [("Lotte", "Schipper", 14), ("Ruben", "van Vliet", 26), ("Amira", "Haddou", 33), ("Pepijn", "Wolters", 41)],
    ),
    (
        "Gastouder Yusuf Demir",
        "Bij Yusuf",
        ("yusuf@example.org", "Yusuf", "Demir"),
        [("Elif", "Aydin", 10), ("Hugo", "Brink", 22), ("Vera", "de Lange", 37)],
    ),
    (
        "Gastouder Petra de Jong",
        "Bij Petra",
        ("petra@example.org", "Petra", "de Jong"),
        [("Otis", "Groen", 18), ("Lize", "Timmer", 29), ("Jens", "Bosman", 44)],
    ),
]
# A child with two gastouders, on different days: placed at the first home and at the second.
WITH_TWO_GASTOUDERS = ("Ruben", "van Vliet", "Bij Yusuf")
SECOND_HOME_DAYS_AGO = 120
# The bemiddelingsmedewerker supports the first two homes (not Petra de Jong's).
CONSULTANT = ("consulent@example.org", "Ellen", "Brouwer")
CONSULTANT_HOMES = 2


def _placed_child(
    report: SeedReport,
    organisation: Organisation,
    group: Group,
    name: tuple[str, str],
    born: datetime.date,
    start: datetime.date | None = None,
) -> Child:
    tussenvoegsel, last = split_surname(name[1])
    child, created = Child.objects.get_or_create(
        organisation=organisation,
        first_name=name[0],
        tussenvoegsel=tussenvoegsel,
        last_name=last,
        defaults={"date_of_birth": born},
    )
    report.count("children", created)
    start = start or max(child.date_of_birth + datetime.timedelta(days=70), today() - datetime.timedelta(days=300))
    _, created = Placement.objects.get_or_create(child=child, group=group, defaults={"start_date": start})
    report.count("placements", created)
    return child


@transaction.atomic
def seed_demo_agency(password: str) -> SeedReport:
    """Gastouderbureau Het Nest: each gastouder logs at home (their one group) and is the mentor of its
    children; the bemiddelingsmedewerker (a LOCATION membership per home) reads, prepares and records
    the conversations of the first two homes. Deterministic: ages are fixed, dates relative to today."""
    report = SeedReport()
    day = today()
    organisation, created = Organisation.objects.get_or_create(
        name=AGENCY,
        defaults={
            "kind": Organisation.Kind.AGENCY,
            "meldcode_url": "https://www.rijksoverheid.nl/onderwerpen/huiselijk-geweld/meldcode",
            "meldcode_text": "Zorgen over de veiligheid van een kind? Bel dezelfde dag je consulent, "
            "Ellen Brouwer (030-765 43 21).",
        },
    )
    report.count("organisations", created)
    consultant = _user(report, *CONSULTANT, password)
    groups: dict[str, Group] = {}
    for index, (home_name, group_name, gastouder_name, children) in enumerate(AGENCY_HOMES):
        home, created = Location.objects.get_or_create(
            organisation=organisation, name=home_name, defaults={"kind": Location.Kind.CHILDMINDER}
        )
        report.count("locations", created)
        group, created = Group.objects.get_or_create(
            location=home, name=group_name, defaults={"min_age_months": 0, "max_age_months": 48}
        )
        report.count("groups", created)
        groups[group_name] = group
        gastouder = _user(report, *gastouder_name, password)
        _membership(report, gastouder, organisation, Role.GASTOUDER, group=group)
        if index < CONSULTANT_HOMES:
            _membership(report, consultant, organisation, Role.CONSULTANT, location=home)
        for first, surname, months in children:
            born = day - datetime.timedelta(days=int(months * 30.4))
            child = _placed_child(report, organisation, group, (first, surname), born)
            _, created = Mentorship.objects.get_or_create(
                child=child,
                end_date=None,
                defaults={"mentor": gastouder, "start_date": day - datetime.timedelta(days=60)},
            )
            report.count("mentorships", created)
    first, surname, second_home = WITH_TWO_GASTOUDERS
    shared = Child.objects.get(organisation=organisation, first_name=first, last_name=split_surname(surname)[1])
    since = day - datetime.timedelta(days=SECOND_HOME_DAYS_AGO)
    _placed_child(report, organisation, groups[second_home], (first, surname), shared.date_of_birth, since)
    return report
