"""Saving a calibration round, and the offer of one. A round is saved whole or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from calibration.models import PracticeLater, PracticeRating, PracticeRound
from calibration.vignettes import VIGNETTE_BY_CODE, Vignette, all_vignettes
from observations.models import Observation
from observations.pillars import Direction, Strength, rating_value
from observations.services import TYPICAL_KIND
from organisations.compiled import CompiledQuery
from staff.access import user_access
from staff.models import User


@dataclass(frozen=True)
class PracticeAnswer:
    """How a person rated one vignette, as the entry chips send it: `kind` 'typical', 'low' or 'high'
    ('' when not rated), `strength` 'slight', 'clear' or ''."""

    kind: str = ""
    strength: str = ""


def _answer_problem(vignette: Vignette, answer: PracticeAnswer) -> str | None:
    """What is wrong with one answer (None: nothing), in the words of the entry form."""
    pillar = vignette.pillar
    if not answer.kind:
        return _("Choose a rating for this situation.")
    if answer.kind == TYPICAL_KIND:
        return _("A typical rating has no strength.") if answer.strength else None
    if answer.kind not in Direction.values or not pillar.allows(answer.kind):
        return _("%(pillar)s has no such pole: choose one of the chips shown.") % {"pillar": pillar.name}
    if answer.strength not in Strength.values:
        return _("Choose slight or clear.")
    return None


def answer_value(answer: PracticeAnswer) -> int:
    direction = None if answer.kind == TYPICAL_KIND else answer.kind
    return rating_value(direction, answer.strength)


def practice_round_save(*, user: User, answers: Mapping[str, PracticeAnswer]) -> PracticeRound:
    """Save a round with an answer for every vignette. Raises ValidationError (keys: vignette codes,
    NON_FIELD_ERRORS) and saves nothing when an answer is missing, off its pillar's scale, or names a
    vignette that does not exist."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(answers) - set(VIGNETTE_BY_CODE))
    if unknown:
        errors[NON_FIELD_ERRORS] = [_("The form holds a situation that does not exist. Start the round again.")]
    for vignette in all_vignettes():
        problem = _answer_problem(vignette, answers.get(vignette.code, PracticeAnswer()))
        if problem:
            errors[vignette.code] = [problem]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        practice_round = PracticeRound.objects.create(user=user)
        PracticeRating.objects.bulk_create(
            PracticeRating(
                round=practice_round,
                vignette=v.code,
                pillar=v.pillar_code,
                value=answer_value(answers[v.code]),
                intended=v.intended,
            )
            for v in all_vignettes()
        )
    return practice_round


def practice_round_later(user: User) -> None:
    """The person chose "later": the offer stops showing (the round stays open to them)."""
    PracticeLater.objects.get_or_create(user=user)


def _not_started(user_id: int) -> QuerySet[User, tuple[int]]:
    """The person `user_id` while they have no observation, no finished round and no "later"."""
    return (
        User.objects.filter(pk=user_id)
        .exclude(Exists(Observation.objects.filter(observer=OuterRef("pk"))))
        .exclude(Exists(PracticeRound.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(PracticeLater.objects.filter(user=OuterRef("pk"))))
        .values_list("pk")
    )


# Asked on every home page and entry form: compiled once (organisations/compiled.py).
_NOT_STARTED = CompiledQuery(_not_started, user_id=int)


def practice_round_offered(user: User) -> bool:
    """Offer the round to a staff member who logs observations, before their first entry: no
    observation yet, never finished a round, never chose "later". One query, whatever the answer."""
    if not user_access(user).logs_observations:
        return False
    return bool(_NOT_STARTED.rows(user_id=user.pk))
