"""The eight pillars of attachment behaviour, defined once.

Every form, page, summary and PDF reads them from here. Which atypical
directions a pillar has is data (`directions`), never an if-statement elsewhere;
so are the scale values a rating may take (`allowed_values`, which the database
constraint follows) and the descriptions the entry form shows (`descriptions`).
To add a pillar, add it to PILLARS (see "Adding a pillar" in the README).

The descriptions are our own words after chapter 3 of the seed e-book; the eight
domains follow the LSVG screening list (Stor & Storsbergen 2006), applied here
to behaviour towards childcare staff, an adapted and unvalidated use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Direction(models.TextChoices):
    LOW = "low", _("too little")
    HIGH = "high", _("too much")


class Strength(models.TextChoices):
    SLIGHT = "slight", _("slight")
    CLEAR = "clear", _("clear")


# A rating is one number on a two-sided scale. Negative: too little (withdrawn),
# positive: too much (indiscriminate), 0: typical. 1 is slight, 2 is clear.
TYPICAL = 0
SCALE = (-2, -1, 0, 1, 2)


def rating_value(direction: str | None, strength: str | None) -> int:
    """The scale value of a rating; typical when no direction is given."""
    if not direction:
        return TYPICAL
    size = 2 if strength == Strength.CLEAR else 1
    return -size if direction == Direction.LOW else size


def rating_direction(value: int) -> str | None:
    if value < 0:
        return Direction.LOW
    if value > 0:
        return Direction.HIGH
    return None


def rating_strength(value: int) -> str | None:
    if value == 0:
        return None
    return Strength.CLEAR if abs(value) == 2 else Strength.SLIGHT


# How the entry form heads the description of each atypical direction.
DIRECTION_HEADINGS = {Direction.LOW: _("atypical: too little"), Direction.HIGH: _("atypical: too much")}


@dataclass(frozen=True)
class Pillar:
    code: str
    name: StrOrPromise
    typical: StrOrPromise
    low: StrOrPromise | None  # what "too little" looks like, or None if the pillar has no such direction
    high: StrOrPromise | None  # what "too much" looks like

    def __post_init__(self) -> None:
        if not self.directions:
            raise ValueError(f"Pillar {self.code!r} needs a 'too little' or a 'too much' description.")

    @property
    def directions(self) -> tuple[Direction, ...]:
        """The atypical directions this pillar has: those with a description."""
        return tuple(d for d, text in ((Direction.LOW, self.low), (Direction.HIGH, self.high)) if text)

    @property
    def allowed_values(self) -> tuple[int, ...]:
        """The scale values a rating on this pillar may take: typical, and both strengths of its directions."""
        return tuple(v for v in SCALE if v == TYPICAL or rating_direction(v) in self.directions)

    @property
    def descriptions(self) -> tuple[tuple[StrOrPromise, StrOrPromise], ...]:
        """(heading, text) of what typical looks like, then of each atypical direction the pillar has."""
        return (
            (_("typical"), self.typical),
            *((DIRECTION_HEADINGS[d], self.description_of(d)) for d in self.directions),
        )

    def allows(self, direction: str) -> bool:
        return direction in self.directions

    def description_of(self, direction: str | None) -> StrOrPromise:
        if direction == Direction.LOW:
            return self.low or ""
        if direction == Direction.HIGH:
            return self.high or ""
        return self.typical


PILLARS: tuple[Pillar, ...] = (
    Pillar(
        "positive_affect",
        _("Positive affection"),
        _("Shows warmth and affection towards familiar adults, in different moments and situations."),
        _("Shows little warmth or affection; few affectionate exchanges with the adults around."),
        _("Overly familiar with adults it hardly knows: clings, cuddles or provokes them."),
    ),
    Pillar(
        "comfort_seeking",
        _("Seeking comfort"),
        _("When hurt, scared or unwell, goes to one particular, chosen caregiver for comfort."),
        _("Does not look for comfort when hurt, frightened or ill."),
        _("Looks for comfort in an odd, two-sided way, for example seeks contact and then pushes the caregiver away."),
    ),
    Pillar(
        "trust_help",
        _("Trust and asking for help"),
        _("Turns to a familiar caregiver for help when something is too difficult."),
        _("Does not ask for support, even when it is clearly needed."),
        _("Depends on the caregiver far more than usual, also for things it can do itself."),
    ),
    Pillar(
        "cooperation",
        _("Cooperation"),
        _("Usually goes along with the caregiver's requests and agreements."),
        _("Keeps ignoring requests and does not keep to agreements."),
        _("Unusually compliant: does everything asked, straight away, without any protest."),
    ),
    Pillar(
        "exploration",
        _("Exploring"),
        _("Uses the caregiver as a safe base: goes off to explore and checks back now and then."),
        _("Explores without ever checking whether the caregiver is still there."),
        _("Hardly dares to leave the caregiver to play or explore."),
    ),
    Pillar(
        "controlling",
        _("Controlling behaviour"),
        _("Shows few signs of trying to control the caregiver."),
        _("Looks after the caregiver in a worried way, caring beyond its age."),
        _("Bossy, punishing or controlling towards the caregiver."),
    ),
    Pillar(
        "reunion",
        _("Reaction at reunion"),
        _("After a separation, makes positive contact again, with or without words."),
        _("Ignores or avoids the caregiver after a separation; shows little affection."),
        _("Reacts to a reunion with strong anger, or with distress that does not settle."),
    ),
    Pillar(
        "strangers",
        _("Reaction to strangers"),
        _("Somewhat reserved with strangers at first, more so in an unfamiliar place."),
        None,  # reserve with strangers is typical at this age: there is no "too little"
        _("Approaches strangers straight away, seeks a lot of physical contact, would go along with a stranger."),
    ),
)

PILLAR_BY_CODE: dict[str, Pillar] = {p.code: p for p in PILLARS}
PILLAR_CHOICES = [(p.code, p.name) for p in PILLARS]


def all_pillars() -> tuple[Pillar, ...]:
    """The pillars, read at call time: what builds something per pillar (the entry form, the
    rating rules, the demo planner) asks here, so a test can add a pillar to PILLARS in memory."""
    return PILLARS


def rating_label(value: int) -> str:
    """The rating as staff read it: 'passend' or 'opvallend: te weinig, licht' and so on."""
    labels = {
        -2: _("atypical: too little, clear"),
        -1: _("atypical: too little, slight"),
        0: _("typical"),
        1: _("atypical: too much, slight"),
        2: _("atypical: too much, clear"),
    }
    return str(labels[value])
