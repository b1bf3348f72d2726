"""What calibration rounds show: one person's own round, and the aggregate per pillar of a group of
people (a location's staff) for the agreement page, which never names a person's score."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from calibration.models import PracticeRating, PracticeRound
from calibration.vignettes import VIGNETTE_BY_CODE, Vignette
from observations.pillars import Pillar, all_pillars, rating_direction
from observations.services import TYPICAL_KIND
from organisations.models import Location
from staff.models import User


def rating_kind(value: int) -> str:
    """'typical', 'low' or 'high': what the entry chips call the side of the scale a value is on."""
    return rating_direction(value) or TYPICAL_KIND


def rated_as_intended(value: int, intended: int) -> bool:
    """As intended: on the same side of the scale (typical, or the same pole). The strength is a
    finer point the results page shows beside it."""
    return rating_kind(value) == rating_kind(intended)


@dataclass(frozen=True)
class VignetteResult:
    vignette: Vignette
    value: int

    @property
    def as_intended(self) -> bool:
        return rated_as_intended(self.value, self.vignette.intended)

    @property
    def exactly(self) -> bool:
        return self.value == self.vignette.intended


def round_results(practice_round: PracticeRound) -> list[VignetteResult]:
    """A round's answers in the order of the vignettes, each beside its vignette (rows of vignettes
    no longer in the module are left out)."""
    return [
        VignetteResult(VIGNETTE_BY_CODE[r.vignette], r.value)
        for r in practice_round.ratings.order_by("pk")
        if r.vignette in VIGNETTE_BY_CODE
    ]


def own_round(user: User, pk: int) -> PracticeRound | None:
    return PracticeRound.objects.filter(user=user, pk=pk).first()


@dataclass(frozen=True)
class Confusion:
    """Practice ratings on the side `given` of vignettes that intend `intended` ('typical', 'low', 'high')."""

    intended: str
    given: str
    count: int


@dataclass(frozen=True)
class PillarCalibration:
    pillar: Pillar
    ratings: int  # practice ratings of this pillar's vignettes
    as_intended: int
    confusions: list[Confusion] = field(default_factory=list)  # most frequent first

    @property
    def share_as_intended(self) -> float | None:
        """The share rated as intended (0..1), None without ratings."""
        return self.as_intended / self.ratings if self.ratings else None


def calibration_results(users: Iterable[User] | QuerySet[User]) -> list[PillarCalibration]:
    """Per pillar, over every round of `users`: how many practice ratings, how many as intended, and
    which sides of the scale were taken for which. An aggregate: it names no person."""
    rows = PracticeRating.objects.filter(round__user__in=users).values_list("pillar", "value", "intended")
    totals: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    mixed: dict[str, Counter[tuple[str, str]]] = {}
    for pillar, value, intended in rows:
        totals[pillar] += 1
        if rated_as_intended(value, intended):
            hits[pillar] += 1
        else:
            mixed.setdefault(pillar, Counter())[(rating_kind(intended), rating_kind(value))] += 1
    return [
        PillarCalibration(
            pillar=p,
            ratings=totals[p.code],
            as_intended=hits[p.code],
            confusions=[Confusion(i, g, n) for (i, g), n in mixed.get(p.code, Counter()).most_common()],
        )
        for p in all_pillars()
    ]


def location_staff(location: Location) -> QuerySet[User]:
    """The people working at `location`: a membership in one of its groups or in the location itself."""
    return User.objects.filter(Q(memberships__group__location=location) | Q(memberships__location=location)).distinct()


def location_calibration_results(location: Location) -> list[PillarCalibration]:
    """The calibration results of a location's staff per pillar, for the agreement page."""
    return calibration_results(location_staff(location))
