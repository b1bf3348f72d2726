"""The demo's practice rounds (/oefenen/): four staff of the Vlinders and Rupsjes did the round, so the
agreement page of Kindercentrum De Vlinder shows its calibration results per pillar. Their misses are
the ones the named sides are meant to prevent: a child who hardly dares to explore rated as the other
side, a two-sided way of seeking comfort taken for typical. Lotte Jansen (medewerker@) did no round, so
the round is still hers to open from the menu. Running it again changes nothing."""

from __future__ import annotations

from calibration.models import PracticeRound
from calibration.services import PracticeAnswer, practice_round_save
from calibration.vignettes import all_vignettes
from observations.pillars import rating_direction, rating_strength
from staff.models import User

# Who did the round, and which vignettes they rated otherwise than intended (vignette code: value).
ROUNDS: dict[str, dict[str, int]] = {
    "joost@example.org": {"explore_high_slept_badly": -1, "comfort_high": 0},
    "priya@example.org": {"explore_high_slept_badly": -2},
    "sanne@example.org": {"comfort_high": 0, "control_low": 0},
    "fatima@example.org": {},
}


def seed_demo_practice_rounds() -> int:
    """Practice rounds for the staff in ROUNDS who have none yet; how many were made."""
    made = 0
    for email, misses in ROUNDS.items():
        user = User.objects.filter(email=email).first()
        if user is None or PracticeRound.objects.filter(user=user).exists():
            continue
        answers = {}
        for vignette in all_vignettes():
            value = misses.get(vignette.code, vignette.intended)
            answers[vignette.code] = PracticeAnswer(
                kind=rating_direction(value) or "typical", strength=rating_strength(value) or ""
            )
        practice_round_save(user=user, answers=answers)
        made += 1
    return made
