"""The eight pillars of attachment behaviour, defined once.

Every form, page, summary and PDF reads them from here. Which atypical
directions a pillar has is data (`directions`), never an if-statement elsewhere;
so are the scale values a rating may take (`allowed_values`, which the database
constraint follows) and the descriptions the entry form shows (`descriptions`).
To add a pillar, add it to PILLARS (see "Adding a pillar" in docs/architecture.md).

The descriptions are our own words after chapter 3 of the seed e-book; the eight
domains follow the LSVG screening list (Stor & Storsbergen 2006), applied here
to behaviour towards childcare staff, an adapted and unvalidated use.

One axis, named per pillar: every rating is a value on the same two-sided scale
(negative: the child keeps its distance or withdraws; positive: too close,
indiscriminate or two-sided), but "too little" beside "Exploring" would read as
"explores too little", the opposite of its low pole. So each atypical pole has a
short name of its own that says what the child does (`low_name`, `high_name`,
`Pillar.pole_name`), and every page, PDF and CSV shows that name; the Direction
values are stored codes, and their labels describe the axis only where no pillar
is at hand (a legend across pillars).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.text import get_text_list
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Direction(models.TextChoices):
    """The two sides of the one axis every pillar shares; the values are what the database stores.
    The labels say what a side means across pillars (legends); a pillar's own poles are named by
    `Pillar.pole_name`."""

    LOW = "low", _("keeps its distance or withdraws")
    HIGH = "high", _("too close, indiscriminate or two-sided")


# The symbol beside a side wherever it is drawn or named (chips, timeline, strips, tables).
DIRECTION_SYMBOLS = {Direction.LOW: "↓", Direction.HIGH: "↑"}


class Strength(models.TextChoices):
    SLIGHT = "slight", _("slight")
    CLEAR = "clear", _("clear")


# A rating is one number on a two-sided scale. Negative: the low pole (keeps its distance,
# withdraws), positive: the high pole (too close, indiscriminate, two-sided), 0: typical.
# 1 is slight, 2 is clear.
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


@dataclass(frozen=True)
class Pillar:
    code: str
    name: StrOrPromise
    typical: StrOrPromise
    low: StrOrPromise | None  # what the low pole looks like, or None if the pillar has no such pole
    high: StrOrPromise | None  # what the high pole looks like, or None
    low_name: StrOrPromise | None = None  # the low pole in two to four words: what the child does
    high_name: StrOrPromise | None = None  # the high pole in two to four words

    def __post_init__(self) -> None:
        if not self.directions:
            raise ValueError(f"Pillar {self.code!r} needs a description of its low or its high pole.")
        for direction, text, name in (
            (Direction.LOW, self.low, self.low_name),
            (Direction.HIGH, self.high, self.high_name),
        ):
            if bool(text) != bool(name):
                raise ValueError(f"Pillar {self.code!r}: its {direction} pole needs both a description and a name.")

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
        """(heading, text) of what typical looks like, then of each atypical pole the pillar has,
        headed by its name ("opvallend: checkt niet terug")."""
        return (
            (_("typical"), self.typical),
            *((self.pole_heading(d), self.description_of(d)) for d in self.directions),
        )

    def allows(self, direction: str) -> bool:
        return direction in self.directions

    def pole_name(self, direction: str) -> StrOrPromise:
        """The short name of one of the pillar's atypical poles: what the child does."""
        name = self.low_name if direction == Direction.LOW else self.high_name if direction == Direction.HIGH else None
        if not name:
            raise ValueError(f"Pillar {self.code!r} has no {direction!r} pole.")
        return name

    def pole_heading(self, direction: str) -> str:
        """'opvallend: checkt niet terug': a pole as the entry form heads its description."""
        return gettext("atypical: %(pole)s") % {"pole": self.pole_name(direction)}

    def pole_choice(self) -> str:
        """The pillar's poles as a choice in words: "“zoekt geen troost” of “zoekt en duwt weg”"."""
        return get_text_list([f"“{self.pole_name(d)}”" for d in self.directions], gettext("or"))

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
        low_name=_("shows little warmth"),
        high_name=_("too familiar with strangers"),
    ),
    Pillar(
        "comfort_seeking",
        _("Seeking comfort"),
        _("When hurt, scared or unwell, goes to one particular, chosen caregiver for comfort."),
        _("Does not look for comfort when hurt, frightened or ill."),
        _("Looks for comfort in an odd, two-sided way, for example seeks contact and then pushes the caregiver away."),
        low_name=_("seeks no comfort"),
        high_name=_("seeks and pushes away"),
    ),
    Pillar(
        "trust_help",
        _("Trust and asking for help"),
        _("Turns to a familiar caregiver for help when something is too difficult."),
        _("Does not ask for support, even when it is clearly needed."),
        _("Depends on the caregiver far more than usual, also for things it can do itself."),
        low_name=_("seeks no help"),
        high_name=_("wants help with everything"),
    ),
    Pillar(
        "cooperation",
        _("Cooperation"),
        _("Usually goes along with the caregiver's requests and agreements."),
        _("Keeps ignoring requests and does not keep to agreements."),
        _("Unusually compliant: does everything asked, straight away, without any protest."),
        low_name=_("ignores requests"),
        high_name=_("complies without any protest"),
    ),
    Pillar(
        "exploration",
        _("Exploring"),
        _("Uses the caregiver as a safe base: goes off to explore and checks back now and then."),
        _("Explores without ever checking whether the caregiver is still there."),
        _("Hardly dares to leave the caregiver to play or explore."),
        low_name=_("does not check back"),
        high_name=_("hardly lets go"),
    ),
    Pillar(
        "controlling",
        _("Controlling behaviour"),
        _("Shows few signs of trying to control the caregiver."),
        _("Looks after the caregiver in a worried way, caring beyond its age."),
        _("Bossy, punishing or controlling towards the caregiver."),
        low_name=_("cares like a parent"),
        high_name=_("bosses and punishes"),
    ),
    Pillar(
        "reunion",
        _("Reaction at reunion"),
        _("After a separation, makes positive contact again, with or without words."),
        _("Ignores or avoids the caregiver after a separation; shows little affection."),
        _("Reacts to a reunion with strong anger, or with distress that does not settle."),
        low_name=_("ignores or avoids"),
        high_name=_("very angry or inconsolable"),
    ),
    Pillar(
        "strangers",
        _("Reaction to strangers"),
        _("Somewhat reserved with strangers at first, more so in an unfamiliar place."),
        None,  # reserve with strangers is typical at this age: there is no low pole
        _("Approaches strangers straight away, seeks a lot of physical contact, would go along with a stranger."),
        high_name=_("goes off with anyone"),
    ),
)

PILLAR_BY_CODE: dict[str, Pillar] = {p.code: p for p in PILLARS}
PILLAR_CHOICES = [(p.code, p.name) for p in PILLARS]


def all_pillars() -> tuple[Pillar, ...]:
    """The pillars, read at call time: what builds something per pillar (the entry form, the
    rating rules, the demo planner) asks here, so a test can add a pillar to PILLARS in memory."""
    return PILLARS


def rating_label(pillar: Pillar, value: int) -> str:
    """A rating of `pillar` as staff read it: 'passend', or its pole and strength:
    'opvallend: checkt niet terug, licht'."""
    direction = rating_direction(value)
    if direction is None:
        return gettext("typical")
    if rating_strength(value) == Strength.CLEAR:
        return gettext("atypical: %(pole)s, clear") % {"pole": pillar.pole_name(direction)}
    return gettext("atypical: %(pole)s, slight") % {"pole": pillar.pole_name(direction)}


class AnswerCounts:
    """Ratings counted per answer, the pillar's own poles named: '6 passend, 4 checkt niet terug,
    0 durft nauwelijks weg' (a pillar without a low pole shows no low count). Translated once, when
    made: a 52-week summary writes one for every week of every pillar."""

    def __init__(self, pillar: Pillar) -> None:
        self.typical = gettext("%(n)d typical")
        pole = gettext("%(n)d %(pole)s")
        self.poles = [
            (d, pole.replace("%(pole)s", str(pillar.pole_name(d)).replace("%", "%%"))) for d in pillar.directions
        ]

    def __call__(self, typical: int, low: int, high: int) -> str:
        counts = {Direction.LOW: low, Direction.HIGH: high}
        return ", ".join([self.typical % {"n": typical}, *(text % {"n": counts[d]} for d, text in self.poles)])


def answer_counts(pillar: Pillar, typical: int, low: int, high: int) -> str:
    """One pillar's ratings counted per answer (see AnswerCounts)."""
    return AnswerCounts(pillar)(typical, low, high)


@dataclass(frozen=True)
class Phrase:
    """A text about the child for parents, in the two ways the child can be referred to.

    `text` names the child once with %(name)s and, later in the same sentence, with the pronouns
    %(he)s, %(him)s and %(his)s ("ook al protesteerde hij weleens"). `name_only`, when given, is
    the same text for a child referred to by first name only, written so the name is said once in
    a sentence ("met af en toe een protest"); without it `text` is used, where %(he)s and %(him)s
    then stand for the name (so it must not name the child twice in one sentence)."""

    text: StrOrPromise
    name_only: StrOrPromise | None = None

    def say(self, words: Mapping[str, str], *, pronouns: bool) -> str:
        chosen = self.text if pronouns or self.name_only is None else self.name_only
        return str(chosen) % words


@dataclass(frozen=True)
class ParentWords:
    """How the parent handout speaks of a pillar: plain words about behaviour, never a label.

    The texts take %(name)s, the child's first name, the pronouns of `Phrase`, and the people who care
    for the child, %(carer)s and %(carers)s (`carer_words`: the familiar staff, or the childminder). `low` and
    `high` are clauses for "<months> ...": in Dutch they start with the verb ("zocht Sem bij pijn
    vaak geen troost bij ons") and take %(often)s ("vaak", "soms" or nothing). `other_moments` is
    the other side of a pillar that stood out, with %(he)s as its subject ("Op andere momenten ging
    hij wel naar een vertrouwde pedagogisch medewerker voor troost")."""

    heading: StrOrPromise  # "Seeking comfort"
    topic: StrOrPromise  # "seeking comfort when hurt or sad": what staff will watch, without the name
    typical: Phrase  # a whole sentence: what goes well
    low: Phrase | None  # a clause: what the low pole looked like
    high: Phrase | None  # a clause: what the high pole looked like
    other_moments: Phrase  # a clause: what the moments that did go well looked like
    question: Phrase  # a question to talk about with the parents

    def clause(self, direction: str | None) -> Phrase | None:
        if direction == Direction.LOW:
            return self.low
        if direction == Direction.HIGH:
            return self.high
        return None


def carer_words(*, childminder: bool) -> dict[str, str]:
    """Who cares for the child, as the parent texts name them (in the active language): at a childminder's
    home one person, the gastouder; elsewhere the familiar staff. `carer` is one of them ("went to %(carer)s
    for comfort"), `carers` all of them ("showed warmth towards %(carers)s")."""
    if childminder:
        return {
            "carer": pgettext("one carer, at a childminder's home", "the childminder"),
            "carers": pgettext("the carers, at a childminder's home", "the childminder"),
        }
    return {
        "carer": pgettext("one carer, at a centre", "a familiar staff member"),
        "carers": pgettext("the carers, at a centre", "the familiar staff"),
    }


def _p(text: StrOrPromise, name_only: StrOrPromise | None = None) -> Phrase:
    return Phrase(text, name_only)


PARENT_WORDS: dict[str, ParentWords] = {
    "positive_affect": ParentWords(
        _("Warmth and affection"),
        _("showing affection"),
        _p(_("%(name)s showed warmth towards %(carers)s, at different moments of the day.")),
        _p(_("%(name)s %(often)s showed us little warmth or affection")),
        _p(_("%(name)s %(often)s cuddled or clung to adults who were still strangers")),
        _p(_("at other moments %(he)s did show warmth towards %(carers)s")),
        _p(_("How does %(name)s show affection at home, and to whom?")),
    ),
    "comfort_seeking": ParentWords(
        _("Looking for comfort"),
        _("seeking comfort when hurt or sad"),
        _p(_("When hurt or sad, %(name)s went to %(carer)s for comfort.")),
        _p(_("%(name)s %(often)s did not look for comfort with us when hurt or sad")),
        _p(_("%(name)s %(often)s looked for comfort and then pushed us away")),
        _p(_("at other moments %(he)s did go to %(carer)s for comfort")),
        _p(_("Who does %(name)s go to at home when hurt or sad?")),
    ),
    "trust_help": ParentWords(
        _("Asking for help"),
        _("asking for help"),
        _p(_("When something was too difficult, %(name)s came to us for help.")),
        _p(_("%(name)s %(often)s did not ask for help, even when something really did not work out")),
        _p(
            pgettext_lazy("pronoun", "%(name)s %(often)s wanted our help with things %(he)s can already do alone"),
            pgettext_lazy("name only", "%(name)s %(often)s wanted our help with things that already work out alone"),
        ),
        _p(_("at other moments %(he)s did come to us for help")),
        _p(_("Does %(name)s ask for help at home when something does not work out?")),
    ),
    "cooperation": ParentWords(
        _("Going along with agreements"),
        _("going along with what we ask"),
        _p(
            pgettext_lazy(
                "pronoun", "%(name)s usually went along with what we asked, even if %(he)s protested now and then."
            ),
            pgettext_lazy("name only", "%(name)s usually went along with what we asked, with a protest now and then."),
        ),
        _p(_("%(name)s %(often)s did not respond to our requests and agreements")),
        _p(_("%(name)s %(often)s did everything we asked straight away, without any protest")),
        _p(_("at other moments %(he)s did go along with what we asked")),
        _p(_("How does that go at home: listening, and saying no now and then?")),
    ),
    "exploration": ParentWords(
        _("Exploring and playing"),
        _("exploring new things"),
        _p(_("%(name)s went off to play and explore, with a look back at us now and then.")),
        _p(_("%(name)s %(often)s went off without looking back at us")),
        _p(_("%(name)s %(often)s hardly dared to leave us to go and play")),
        _p(_("at other moments %(he)s did go off to explore, with a look back at us now and then")),
        _p(_("What is %(name)s like somewhere new, for example at a playground?")),
    ),
    "controlling": ParentWords(
        _("Who is in charge"),
        _("playing together with us"),
        _p(_("%(name)s played with us without trying to steer us.")),
        _p(_("%(name)s %(often)s looked after us in a worried way, as if the roles were reversed")),
        _p(_("%(name)s %(often)s tried to boss us around or to punish us")),
        _p(_("at other moments %(he)s played with us without trying to steer us")),
        _p(_("Who decides what at home, and how does %(name)s react to that?")),
    ),
    "reunion": ParentWords(
        _("Saying hello again"),
        _("saying hello again after a goodbye"),
        _p(_("After a goodbye, %(name)s made happy contact again, with or without words.")),
        _p(_("%(name)s %(often)s ignored or avoided the person who came back after a goodbye")),
        _p(
            pgettext_lazy(
                "pronoun",
                "%(name)s %(often)s became very angry or upset when someone came back, and %(he)s was hard to comfort",
            ),
            pgettext_lazy(
                "name only",
                "%(name)s %(often)s became very angry or upset when someone came back, and was hard to comfort",
            ),
        ),
        _p(_("at other moments %(he)s did make happy contact again after a goodbye")),
        _p(_("How do goodbyes and hellos go at home, for example with grandparents or a babysitter?")),
    ),
    "strangers": ParentWords(
        _("New people"),
        _("meeting new people"),
        _p(_("With unfamiliar people, %(name)s was a little reserved at first.")),
        None,
        _p(_("%(name)s %(often)s went straight up to unfamiliar people and sought a lot of contact")),
        _p(_("at other moments %(he)s was a little reserved with unfamiliar people at first")),
        _p(_("How does %(name)s react to visitors or to people in the street?")),
    ),
}


def parent_words(pillar: Pillar) -> ParentWords:
    """The parent words of a pillar; a pillar without its own (one added in memory) gets words
    built from its descriptions."""
    found = PARENT_WORDS.get(pillar.code)
    if found is not None:
        return found
    return ParentWords(
        heading=pillar.name,
        topic=pillar.name,
        typical=_p(pillar.typical),
        low=_p(_("%(name)s %(often)s showed this: %(description)s")) if pillar.low else None,
        high=_p(_("%(name)s %(often)s showed this: %(description)s")) if pillar.high else None,
        other_moments=_p(_("at other moments we saw what fits the age")),
        question=_p(_("What do you see of this at home?")),
    )
