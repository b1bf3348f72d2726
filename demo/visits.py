"""The demo gastouderbureau's home visits: the consulent visited Fleur Kramer's home ten weeks ago
(agreements, a waarneming of each child there, the next visit planned) and Yusuf Demir's home thirteen
months ago, so the visits overview flags it ("Geen bezoek in de afgelopen 12 maanden").

Everything goes through the services a consulent uses (`observations/visits.py`,
`observations/services.py`); fixed submission keys make a second run change nothing."""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction

from children.models import Child
from observations.choices import Situation
from observations.models import Visit
from observations.services import RatingInput, observation_create
from observations.visits import visit_create
from organisations.calendar import today
from organisations.models import Location, Organisation
from staff.history import changes_by
from staff.models import User

# uuid5 namespace for the demo's fixed submission keys
_KEYS = uuid.UUID("6f1c2a4e-5d3b-4c8a-9e7f-0a1b2c3d4e5f")

# (home, days ago, agreements, next visit in days or None)
VISITS = [
    (
        "Gastouder Fleur Kramer",
        70,
        "Fleur houdt bij het brengen van Ruben een vast afscheidsritueel aan (zwaaien bij het raam). "
        "Bij het volgende bezoek kijken we samen naar de waarnemingen van Troost zoeken.",
        21,
    ),
    ("Gastouder Yusuf Demir", 400, "Yusuf vraagt de ouders van Elif naar haar slaapritme thuis.", None),
]


def _key(*parts: object) -> uuid.UUID:
    return uuid.uuid5(_KEYS, "/".join(str(p) for p in parts))


@transaction.atomic
def seed_demo_visits(agency: Organisation, consultant_email: str) -> int:
    """The demo's home visits; returns how many were created now."""
    consultant = User.objects.get(email=consultant_email)
    with changes_by(consultant):  # the history names the consulent, as if they had recorded it on the page
        return _record_visits(agency, consultant)


def _record_visits(agency: Organisation, consultant: User) -> int:
    created_visits = 0
    for home_name, days_ago, agreements, next_in in VISITS:
        home = Location.objects.get(organisation=agency, name=home_name)
        visited_on = today() - datetime.timedelta(days=days_ago)
        next_visit_on = today() + datetime.timedelta(days=next_in) if next_in is not None else None
        visit, created = visit_create(
            location=home,
            consultant=consultant,
            visited_on=visited_on,
            agreements=agreements,
            next_visit_on=next_visit_on,
            submission_key=_key("visit", home_name),
        )
        created_visits += created
        _observe_during(visit, consultant)
    return created_visits


def _observe_during(visit: Visit, consultant: User) -> None:
    """A short waarneming by the consulent of each child placed at the home on the day of the visit."""
    children = Child.objects.placed_on(visit.visited_on, groups=visit.location.groups.all()).order_by("pk")
    for child in children:
        observation_create(
            child=child,
            observer=consultant,
            visit=visit,
            submission_key=_key("visit-observation", visit.location.name, child.pk),
            date=visit.visited_on,
            situation=Situation.FREE_PLAY,
            circumstances=[],
            note="Waargenomen tijdens het huisbezoek.",
            ratings=[
                RatingInput("positive_affect", kind="typical"),
                RatingInput("exploration", kind="typical"),
            ],
        )
