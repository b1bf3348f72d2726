"""Helpers to build observations through the real service, and POST data for the forms."""

import datetime
import uuid

from observations.services import RatingInput, observation_create
from organisations.calendar import today


def make_observation(child, observer, *, date=None, situation="free_play", circumstances=(), note="", ratings=None):
    """Save an observation through the service (default: comfort seeking, typical)."""
    ratings = ratings or [RatingInput(pillar="comfort_seeking", kind="typical")]
    observation, _ = observation_create(
        child=child,
        observer=observer,
        date=date or today(),
        situation=situation,
        circumstances=list(circumstances),
        note=note,
        ratings=ratings,
    )
    return observation


def entry_data(child, /, **overrides) -> dict:
    """A valid one-pillar entry form POST: comfort seeking, too little, clear."""
    data = {
        "child": str(child.pk),
        "submission_key": str(uuid.uuid4()),
        "date": today().isoformat(),
        "situation": "drop_off",
        "kind_comfort_seeking": "low",
        "strength_comfort_seeking": "clear",
        "note_comfort_seeking": "Viel bij het buitenspelen en bleef stil zitten.",
        "save": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)
