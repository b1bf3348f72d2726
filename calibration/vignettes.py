"""The vignettes of the calibration round: short written situations, each about one pillar, with the
rating it intends and why. Data, like the pillars (observations/pillars.py): a vignette is a line here,
never a database row. Every pillar has at least one vignette per value kind it allows (typical and
each of its poles); some name circumstances that explain the behaviour (observations/choices.py).

Our own words, after the pillar descriptions and the seed e-book; the children and staff are made up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from observations.choices import Circumstance
from observations.pillars import PILLAR_BY_CODE, Pillar, rating_direction

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Vignette:
    code: str  # stable: stored with each practice rating
    pillar_code: str
    text: StrOrPromise
    intended: int  # the scale value it intends (observations/pillars.py SCALE)
    why: StrOrPromise  # the explanation shown after the round
    circumstances: tuple[Circumstance, ...] = ()

    def __post_init__(self) -> None:
        if self.intended not in self.pillar.allowed_values:
            raise ValueError(f"Vignette {self.code!r} intends {self.intended}, not on its pillar's scale.")

    @property
    def pillar(self) -> Pillar:
        return PILLAR_BY_CODE[self.pillar_code]

    @property
    def explanation(self) -> str:
        """`why`, with the intended side named as the chips name it (“checkt niet terug”), never as
        "too little" or "too much", which read the wrong way for some pillars."""
        direction = rating_direction(self.intended)
        if direction is None:
            return str(self.why)
        return str(self.why) % {"pole": f"“{self.pillar.pole_name(direction)}”"}


V = Vignette
SLEPT_BADLY, AFTER_ABSENCE, UNFAMILIAR = (
    Circumstance.SLEPT_BADLY,
    Circumstance.AFTER_ABSENCE,
    Circumstance.UNFAMILIAR_STAFF,
)

VIGNETTES: tuple[Vignette, ...] = (
    # Positive affection
    V(
        "affect_typical",
        "positive_affect",
        _(
            "During free play Noor (2 years) walks up to a staff member of her group and shows her a drawing, "
            "beaming. Later she climbs onto the lap of another familiar staff member for a book and leans "
            "against her."
        ),
        0,
        _("Warmth towards familiar adults, at different moments and with more than one of them: typical."),
    ),
    V(
        "affect_low",
        "positive_affect",
        _(
            "Daan (3 years) has been in the group for eight months. He rarely looks at the staff, does not smile "
            "back when they greet him and turns away when someone offers a cuddle. All week no one saw him seek "
            "warm contact with any of the staff."
        ),
        -2,
        _(
            "Hardly any warmth towards staff he has known for months: the side %(pole)s. Clear, because it is"
            " the same every day and with everyone."
        ),
    ),
    V(
        "affect_high",
        "positive_affect",
        _(
            "A father who comes to pick up another child sits down in the play corner. Lotte (2 years), who has "
            "never seen him before, climbs onto his lap straight away, puts her arms around his neck and does "
            "not want to let go. The staff member has to lift her off."
        ),
        2,
        _(
            "Cuddling and clinging to an adult she does not know: overly familiar, the side %(pole)s. Clear, "
            "because she seeks it out herself and holds on."
        ),
    ),
    # Seeking comfort
    V(
        "comfort_typical",
        "comfort_seeking",
        _(
            "Finn (18 months) trips in the garden and grazes his knee. He cries, looks around and walks straight "
            "to Ilse, the staff member he knows best, with his arms up. On her lap he calms down within a few "
            "minutes."
        ),
        0,
        _("Going to one chosen, familiar caregiver when hurt, and settling there: typical."),
    ),
    V(
        "comfort_low",
        "comfort_seeking",
        _(
            "Mila (3 years) bumps her head hard against the table and her eyes fill with tears. She turns away "
            "from the staff member who comes over, goes to a corner and sits there alone, rubbing her head. When "
            "the staff member kneels beside her, she looks at the floor."
        ),
        -2,
        _(
            "Clearly hurt, yet she does not look for comfort and even avoids it: the side %(pole)s. Clear, "
            "because the pain is obvious and she turns comfort down."
        ),
    ),
    V(
        "comfort_high",
        "comfort_seeking",
        _(
            "Bram (2 years) is frightened by a loud bang and runs crying to a staff member with his arms up. On "
            "her lap he arches his back, pushes her away and kicks, then cries to be picked up again when she "
            "puts him down. This goes back and forth for ten minutes."
        ),
        2,
        _(
            "Seeking contact and pushing it away in turn: the odd, two-sided way of seeking comfort, the side"
            " %(pole)s. Clear, because it keeps going back and forth and comfort does not help."
        ),
    ),
    # Trust and asking for help
    V(
        "help_typical",
        "trust_help",
        _(
            "Saar (3 years) tries to open her water bottle and cannot. She tries twice more, then walks to a "
            "staff member, holds out the bottle and says “open?”. Once it is open she goes back to the table."
        ),
        0,
        _("She tries first, then asks a familiar adult for help with something that is really too hard: typical."),
    ),
    V(
        "help_low",
        "trust_help",
        _(
            "Outside, the sleeve of Jesse (2½ years) gets stuck in the zip of his coat. He pulls at it, gets more "
            "and more upset and starts to cry, but does not look at or go to the staff member standing nearby. "
            "Only when she sees him and comes over does he let her help."
        ),
        -1,
        _(
            "He clearly needs help but does not ask for it: the side %(pole)s. Slight rather than clear, "
            "because he accepts the help once it is offered."
        ),
    ),
    V(
        "help_high",
        "trust_help",
        _(
            "Evi (3½ years) can put on her own shoes and eat her yoghurt herself; the staff have often seen her "
            "do both. Yet at every meal and every time the group goes outside she holds out her spoon or her "
            "shoes to a staff member and waits. When asked to try first, she cries and does not start."
        ),
        2,
        _(
            "Depending on the caregiver for things she can clearly do herself, again and again: the side "
            "%(pole)s. Clear, because it happens at every such moment."
        ),
    ),
    # Cooperation
    V(
        "cooperation_typical",
        "cooperation",
        _(
            "At tidy-up time the staff member asks the children to put the blocks in the box. Luuk (3 years) "
            "shouts “no, still playing!”, builds one more tower and then puts the blocks away with the others."
        ),
        0,
        _("A little protest, then going along: typical at this age. Saying no now and then is not atypical."),
    ),
    V(
        "cooperation_low",
        "cooperation",
        _(
            "Nina (3 years) is asked to come to the table for lunch. She walks away and keeps playing, also when "
            "the staff member asks again, kneels beside her and says what will happen. It is the same at tidy-up "
            "time and when going outside: most requests of the day go unanswered."
        ),
        -2,
        _(
            "Ignoring requests and agreements all day, in every situation: the side %(pole)s. Clear, because "
            "it holds for most requests."
        ),
    ),
    V(
        "cooperation_high",
        "cooperation",
        _(
            "Today Thijs (2½ years) stops playing the moment a staff member asks anything and does it straight "
            "away: tidying up, coming to the table, putting on his coat. He does not say no once, not even in "
            "the middle of a game he is clearly enjoying."
        ),
        1,
        _(
            "Doing everything at once without any protest, even in the middle of a game: unusually compliant,"
            " the side %(pole)s. Slight: it stood out on this one day, but he did not seem afraid."
        ),
    ),
    # Exploring
    V(
        "explore_typical",
        "exploration",
        _(
            "In the garden Julia (2 years) runs to the sandpit and digs for a while. Every few minutes she looks "
            "up at the staff member on the bench, and once she walks over to show her a stone before going back "
            "to play."
        ),
        0,
        _("Using the caregiver as a safe base: going off to play and checking back now and then. Typical."),
    ),
    V(
        "explore_low",
        "exploration",
        _(
            "On a walk to the playground Milan (3 years) runs off to the slide and on to the gate at the far end "
            "without once looking back. When the staff member calls him, he does not turn round. In the group "
            "he also wanders into other rooms without checking where the staff are."
        ),
        -2,
        _(
            "Exploring without ever checking whether the caregiver is still there: the side %(pole)s. Clear, "
            "because he does not look back even far away, and in different places."
        ),
    ),
    V(
        "explore_high_slept_badly",
        "exploration",
        _(
            "Roos (20 months) usually plays happily in the play corner. At drop-off her father says she slept "
            "badly last night. All morning she stays on a staff member's lap or holds on to her leg, and cries "
            "when the staff member walks to the kitchen."
        ),
        1,
        _(
            "Rate what you saw: hardly daring to leave the caregiver is the side %(pole)s, slight because it "
            "is unusual for her. Tick “slept badly” too: when it only happens on such days, the summary shows"
            " it as changing with circumstances, not as a pattern."
        ),
        (SLEPT_BADLY,),
    ),
    # Controlling behaviour
    V(
        "control_typical",
        "controlling",
        _(
            "In pretend play Ties (4 years) hands the staff member a plate and says “you are the baby, you must "
            "eat this”. They play it for a while; when the staff member says it is time to tidy up, he puts the "
            "plates away."
        ),
        0,
        _("Directing a game of pretend is play, not control over the caregiver, and he lets her end it. Typical."),
    ),
    V(
        "control_low",
        "controlling",
        _(
            "When a staff member sighs and rubs her forehead, Liv (3½ years) stops playing, brings her a cushion "
            "and strokes her arm, asking “are you sad? are you tired?”. For the rest of the morning she keeps "
            "coming back to check on her."
        ),
        -1,
        _(
            "Looking after the caregiver in a worried way, beyond her age: the side %(pole)s. Slight: one "
            "morning; watch whether it comes back."
        ),
    ),
    V(
        "control_high",
        "controlling",
        _(
            "Jens (3½ years) tells the staff member where to sit, what to sing and when to stop talking to other "
            "children. When she does not do as he says, he shouts “you are stupid, go away!” and throws her cup "
            "on the floor. This happens several times a day."
        ),
        2,
        _("Bossy and punishing towards the caregiver: the side %(pole)s. Clear: strong, and several times a day."),
    ),
    # Reaction at reunion
    V(
        "reunion_typical",
        "reunion",
        _(
            "Hugo (2 years) has been playing with a staff member of another group while his own staff member had "
            "a break. When she comes back into the room, he looks up, smiles and runs over to show her his car "
            "before going back to play."
        ),
        0,
        _("Making happy contact again after a separation, with or without words: typical."),
    ),
    V(
        "reunion_low",
        "reunion",
        _(
            "When staff member Fatima comes back after her lunch break, Zoë (2½ years) looks at her briefly and "
            "turns her back. When Fatima sits down beside her and says hello, Zoë gets up and moves to the other "
            "side of the table. The staff saw the same after every break this week."
        ),
        -2,
        _(
            "Avoiding the caregiver after a separation: the side %(pole)s. Clear, because she moves away and "
            "it happened after every break."
        ),
    ),
    V(
        "reunion_high_after_absence",
        "reunion",
        _(
            "Sem (3 years) is back in the group after three weeks of holiday. When his mentor comes in later that "
            "morning, he screams, hits her leg and cries for twenty minutes; nothing helps him settle."
        ),
        2,
        _(
            "Rate what you saw: strong anger and distress that does not settle after a reunion is the side "
            "%(pole)s, and clear. Tick “after a holiday or absence” too: the summary then shows whether it "
            "mostly happens after time away."
        ),
        (AFTER_ABSENCE,),
    ),
    # Reaction to strangers (no pole of too little: reserve is what we expect)
    V(
        "strangers_typical",
        "strangers",
        _(
            "A new intern introduces herself to the group. Tess (2 years) stands behind the legs of her own staff "
            "member and watches her. After a while she takes a toy from the intern's hand and walks back to her "
            "staff member."
        ),
        0,
        _(
            "Reserved with a stranger at first, then making contact from a safe spot: typical at this age. "
            "This pillar has only one atypical side: reserve is what we expect."
        ),
    ),
    V(
        "strangers_high",
        "strangers",
        _(
            "A plumber comes to fix a tap in the group room. Lucas (3 years) walks straight up to him, takes his "
            "hand, climbs onto his knee and says he wants to come along in the van. The staff member has to call "
            "him back several times."
        ),
        2,
        _(
            "Going straight up to a stranger, seeking physical contact and wanting to go along: the side "
            "%(pole)s. Clear, because he keeps going back."
        ),
    ),
    V(
        "strangers_typical_unfamiliar_staff",
        "strangers",
        _(
            "On Monday a stand-in from the agency works in the group. Fenna (18 months) keeps away from her all "
            "morning and stays close to the one staff member she knows. In the afternoon she lets the stand-in "
            "read her a book."
        ),
        0,
        _(
            "Keeping her distance from an adult she does not know is typical, not atypical. Tick “unfamiliar "
            "staff member”: it explains why the day went differently."
        ),
        (UNFAMILIAR,),
    ),
)

VIGNETTE_BY_CODE: dict[str, Vignette] = {v.code: v for v in VIGNETTES}


def all_vignettes() -> tuple[Vignette, ...]:
    """The vignettes of a round, read at call time (a test may add one in memory)."""
    return VIGNETTES
