"""Practice ratings of a calibration round: their own tables, never an Observation or a PillarRating,
so no figure, pattern, export or rollup (all of which read observations) can count them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observations.pillars import PILLAR_CHOICES, SCALE


class PracticeRound(models.Model):
    """One finished calibration round of one person: saved whole, with a rating for every vignette."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_rounds", verbose_name=_("user")
    )
    finished_at = models.DateTimeField(_("finished at"), default=timezone.now)

    class Meta:
        verbose_name = _("calibration round")
        verbose_name_plural = _("calibration rounds")
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.user} – {self.finished_at:%Y-%m-%d}"


class PracticeRating(models.Model):
    """The rating one person gave one vignette, beside the rating the vignette intends (kept as it was
    then, so a later change to the vignettes leaves old results as they were)."""

    round = models.ForeignKey(PracticeRound, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("round"))
    vignette = models.CharField(_("vignette"), max_length=40)
    pillar = models.CharField(_("pillar"), max_length=32, choices=PILLAR_CHOICES)
    value = models.SmallIntegerField(_("rating"))
    intended = models.SmallIntegerField(_("intended rating"))

    class Meta:
        verbose_name = _("practice rating")
        verbose_name_plural = _("practice ratings")
        constraints = [
            models.UniqueConstraint(fields=["round", "vignette"], name="practice_rating_once_per_round"),
            models.CheckConstraint(
                name="practice_rating_on_the_scale", condition=Q(value__gte=min(SCALE), value__lte=max(SCALE))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vignette}: {self.value}"


class PracticeLater(models.Model):
    """A person chose "later" on the offer of a calibration round: the offer stops showing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_later", verbose_name=_("user")
    )
    chosen_at = models.DateTimeField(_("chosen at"), default=timezone.now)

    class Meta:
        verbose_name = _("calibration round postponed")
        verbose_name_plural = _("calibration rounds postponed")

    def __str__(self) -> str:
        return str(self.user)
