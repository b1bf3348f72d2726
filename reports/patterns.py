"""From a pillar's weekly figures to its pattern over the window: pure functions.

The rules, in the order they are applied (thresholds are named settings, see
"# Pattern rules" in attachment_site/settings.py):

1. Not enough observations: the pillar was rated in fewer than
   PATTERN_MIN_RATED_WEEKS distinct weeks, or has fewer than PATTERN_MIN_OBSERVERS
   independent views over the window. A view is a distinct observer (whoever
   observed together with an observer is one too) or the parents' own view: the
   pillar recognised in a parent conversation of the window (`PatternCounts.views`).
   So a childminder who works alone, or one staff member, is "seen by one person"
   until a second view confirms it: a colleague or the agency's consultant
   observing, observing together, or the parents recognising it.
2. Typical: atypical ratings fell in fewer than PATTERN_TYPICAL_MAX_WEEK_SHARE of
   the rated weeks (no atypical ratings at all is typical too).
3. Mixed, with circumstances: at least PATTERN_CIRCUMSTANCE_SHARE of the atypical
   ratings fell on days with recorded circumstances. The most frequent
   circumstances are named ("mostly after sleeping badly"). Never a recurring
   attention point.
4. Recurring attention point: atypical in at least PATTERN_RECURRING_MIN_WEEKS
   distinct weeks AND in at least PATTERN_RECURRING_MIN_WEEK_SHARE of the rated
   weeks, with at least PATTERN_RECURRING_MIN_OBSERVERS views of the atypical ratings
   (their observers, and the parents' recognition),
   and at least PATTERN_DIRECTION_SHARE of the atypical ratings in one direction.
5. Everything else: mixed.

A pattern describes one pillar, never the child as a whole.
"""

from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from observations.choices import Circumstance
from observations.pillars import DIRECTION_SYMBOLS, Direction, Pillar
from organisations.labels import choice_labels
from reports.figures import PatternCounts, PillarFigures

# Shares are compared with a little slack so that "exactly on the threshold"
# (2 of 3 against 2/3) counts as reaching it despite float rounding.
_EPSILON = 1e-9
NAMED_CIRCUMSTANCES = 2


class PatternKind(models.TextChoices):
    NOT_ENOUGH = "not_enough", gettext_lazy("not enough observations")
    TYPICAL = "typical", gettext_lazy("typical pattern")
    MIXED = "mixed", gettext_lazy("mixed")
    RECURRING = "recurring", gettext_lazy("recurring attention point")


@dataclass(frozen=True)
class Thresholds:
    min_rated_weeks: int = 3
    min_views: int = 2  # independent views: observers, and the parents' recognition (PatternCounts.views)
    typical_max_week_share: float = 0.25
    circumstance_share: float = 0.5
    recurring_min_weeks: int = 3
    recurring_min_week_share: float = 0.5
    recurring_min_views: int = 2  # views of the atypical ratings (PatternCounts.atypical_views)
    direction_share: float = 2 / 3

    # whole percentages for the "how to read this overview" text
    @property
    def typical_percent(self) -> int:
        return round(self.typical_max_week_share * 100)

    @property
    def circumstance_percent(self) -> int:
        return round(self.circumstance_share * 100)

    @property
    def recurring_week_percent(self) -> int:
        return round(self.recurring_min_week_share * 100)

    @property
    def direction_percent(self) -> int:
        return round(self.direction_share * 100)

    @property
    def fewest_recurring_atypical_weeks(self) -> int:
        """The fewest atypical weeks a recurring attention point has under these thresholds: rule 4 asks
        for at least `recurring_min_weeks` of them, and rule 2 calls a pillar without any typical. A pillar
        with fewer is never recurring, whatever else its counts say (`decide`; tests/test_attention_sql.py
        checks it on random counts), so a page that looks only for recurring points may pass it by
        (reports/attention.py)."""
        return max(1, self.recurring_min_weeks)

    @classmethod
    def from_settings(cls) -> "Thresholds":
        return cls(
            min_rated_weeks=settings.PATTERN_MIN_RATED_WEEKS,
            min_views=settings.PATTERN_MIN_OBSERVERS,
            typical_max_week_share=settings.PATTERN_TYPICAL_MAX_WEEK_SHARE,
            circumstance_share=settings.PATTERN_CIRCUMSTANCE_SHARE,
            recurring_min_weeks=settings.PATTERN_RECURRING_MIN_WEEKS,
            recurring_min_week_share=settings.PATTERN_RECURRING_MIN_WEEK_SHARE,
            recurring_min_views=settings.PATTERN_RECURRING_MIN_OBSERVERS,
            direction_share=settings.PATTERN_DIRECTION_SHARE,
        )


def reaches(part: int, whole: int, share: float) -> bool:
    """part / whole >= share, with `whole` 0 never reaching anything."""
    return whole > 0 and part / whole + _EPSILON >= share


@dataclass(frozen=True)
class Decision:
    kind: str  # a PatternKind value
    direction: str | None
    consistent_weeks: bool  # atypical in enough weeks, and a large enough share of them, to recur
    mostly_with_circumstances: bool = False  # rule 3: mixed, the atypical ratings mostly on days with circumstances


def dominant_direction(figures: PillarFigures | PatternCounts, share: float) -> str | None:
    """The direction of at least `share` of the atypical ratings, or None if they disagree."""
    for direction, count in ((Direction.LOW, figures.low), (Direction.HIGH, figures.high)):
        if reaches(count, figures.atypical, share):
            return str(direction)
    return None


def decide(c: PatternCounts, t: Thresholds) -> Decision:
    """The rules of the module docstring, in order: which pattern the counts make."""
    direction = dominant_direction(c, t.direction_share) if c.atypical else None
    consistent_weeks = c.atypical_weeks >= t.recurring_min_weeks and reaches(
        c.atypical_weeks, c.rated_weeks, t.recurring_min_week_share
    )
    if c.rated_weeks < t.min_rated_weeks or c.views < t.min_views:  # 1.
        kind = PatternKind.NOT_ENOUGH
    elif c.atypical == 0 or not reaches(c.atypical_weeks, c.rated_weeks, t.typical_max_week_share):  # 2.
        kind = PatternKind.TYPICAL
    elif reaches(c.atypical_with_circumstances, c.atypical, t.circumstance_share):  # 3.
        return Decision(str(PatternKind.MIXED), direction, consistent_weeks, mostly_with_circumstances=True)
    elif consistent_weeks and c.atypical_views >= t.recurring_min_views and direction is not None:  # 4.
        kind = PatternKind.RECURRING
    else:  # 5.
        kind = PatternKind.MIXED
    return Decision(str(kind), direction, consistent_weeks)


@dataclass(frozen=True)
class PillarPattern:
    pillar: Pillar
    kind: str  # a PatternKind value
    dominant_direction: str | None  # Direction.LOW / HIGH when >= direction_share of the atypical ratings agree
    circumstances: tuple[str, ...]  # circumstance codes named: most frequent on atypical days first
    mostly_with_circumstances: bool  # the atypical ratings mostly fell on days with circumstances
    counts: PatternCounts  # what the rules read
    decision: Decision
    thresholds: Thresholds

    @property
    def label(self) -> str:
        return str(PatternKind(self.kind).label)

    @property
    def dominant_pole(self) -> str:
        """The name of the pole most atypical ratings took ("checkt niet terug"), or "" when none did."""
        return str(self.pillar.pole_name(self.dominant_direction)) if self.dominant_direction else ""

    @property
    def dominant_symbol(self) -> str:
        """↓ or ↑ beside that name, or "" when no pole dominates."""
        return DIRECTION_SYMBOLS[Direction(self.dominant_direction)] if self.dominant_direction else ""

    @property
    def circumstance_labels(self) -> list[str]:
        return choice_labels(Circumstance, self.circumstances)

    @cached_property
    def reasons(self) -> tuple[str, ...]:
        """Short sentences in the active language: why this pattern. Written when asked for (the
        child summary and its PDF show them; a matrix of 168 cells does not)."""
        return pattern_reasons(self.counts, self.decision, self.thresholds, self.pillar)


def pillar_pattern(figures: PillarFigures, thresholds: Thresholds | None = None) -> PillarPattern:
    """The pattern of one pillar over the window (rules in the module docstring, applied by `decide`)."""
    t = thresholds or Thresholds.from_settings()
    counts = figures.counts
    decision = decide(counts, t)
    # Only mixed and recurring patterns name the circumstances of their atypical days.
    named = decision.kind in (PatternKind.MIXED, PatternKind.RECURRING)
    return PillarPattern(
        pillar=figures.pillar,
        kind=decision.kind,
        dominant_direction=decision.direction,
        circumstances=tuple(list(figures.circumstances_on_atypical)[:NAMED_CIRCUMSTANCES]) if named else (),
        mostly_with_circumstances=decision.mostly_with_circumstances,
        counts=counts,
        decision=decision,
        thresholds=t,
    )


def pattern_reasons(counts: PatternCounts, decision: Decision, t: Thresholds, pillar: Pillar) -> tuple[str, ...]:
    """Why `decide` chose `decision` for `pillar`, in words, in the order of the rules."""
    rated, atypical_weeks = counts.rated_weeks, counts.atypical_weeks
    observers, atypical = counts.observers, counts.atypical
    direction = decision.direction
    weeks_reason = ngettext(
        "Rated in %(rated)d week of the period.", "Rated in %(rated)d weeks of the period.", rated
    ) % {"rated": rated}
    observers_reason = ngettext("By %(n)d observer.", "By %(n)d different observers.", observers) % {"n": observers}
    parents_reason = (
        _("The parents recognise this from home (parent conversation).") if counts.parents_recognise else ""
    )
    # 1. not enough observations
    if decision.kind == PatternKind.NOT_ENOUGH:
        if counts.seen_by_one_person:
            needed = _(
                "Seen by one person only. It becomes a pattern when a second view confirms it: another observer, "
                "someone observing together, or the parents recognising it in a conversation; and at least "
                "%(weeks)d weeks."
            ) % {"weeks": t.min_rated_weeks}
        else:
            needed = _("At least %(weeks)d weeks and %(observers)d observers are needed to speak of a pattern.") % {
                "weeks": t.min_rated_weeks,
                "observers": t.min_views,
            }
        return tuple(r for r in (weeks_reason, observers_reason, parents_reason, needed) if r)
    atypical_reason = ngettext(
        "Atypical in %(n)d of the %(rated)d rated week.", "Atypical in %(n)d of the %(rated)d rated weeks.", rated
    ) % {"n": atypical_weeks, "rated": rated}
    # 2. typical
    if decision.kind == PatternKind.TYPICAL:
        return tuple(r for r in (weeks_reason, observers_reason, parents_reason, atypical_reason) if r)
    # 3. mostly on days with circumstances: mixed, with the circumstances named
    if decision.mostly_with_circumstances:
        circumstances_reason = _(
            "%(n)d of the %(total)d atypical ratings fell on days with recorded circumstances."
        ) % {
            "n": counts.atypical_with_circumstances,
            "total": atypical,
        }
        return tuple(r for r in (weeks_reason, parents_reason, atypical_reason, circumstances_reason) if r)
    # 4. recurring attention point
    if decision.kind == PatternKind.RECURRING and direction is not None:
        seen_as_atypical = ngettext(
            "Seen as atypical by %(n)d observer.",
            "Seen as atypical by %(n)d different observers.",
            counts.atypical_observers,
        ) % {"n": counts.atypical_observers}
        same_side = _("Mostly on the same side: %(pole)s.") % {"pole": pillar.pole_name(direction)}
        return tuple(r for r in (weeks_reason, atypical_reason, seen_as_atypical, parents_reason, same_side) if r)
    # 5. everything else
    if direction is None:
        last = _("The atypical ratings point in different directions.")
    elif not decision.consistent_weeks:
        last = _("Atypical in too few weeks to call it recurring.")
    else:
        last = _("Only one observer saw it as atypical.")
    return tuple(r for r in (weeks_reason, parents_reason, atypical_reason, last) if r)
