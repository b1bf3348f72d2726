"""The calibration round's form: every vignette rated with the entry form's own chips (observations/forms.py),
so the chips' labels are the entry's. The rules live in calibration/services.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from calibration.selectors import rating_kind
from calibration.services import PracticeAnswer
from calibration.vignettes import Vignette, all_vignettes
from observations.forms import KIND_CHOICES, STRENGTH_CHOICES, PillarRow
from observations.pillars import Pillar, Strength, rating_strength

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

KIND_PREFIX, STRENGTH_PREFIX = "kind_", "strength_"


@dataclass
class PracticeRow(PillarRow):
    """One vignette: its text, then the entry chips of its pillar, without "not seen" and without a note."""

    vignette: Vignette | None = None

    @property
    def options(self) -> list[tuple[str, StrOrPromise, str]]:
        return [option for option in super().options if option[0]]


class PracticeForm(forms.Form):
    def __init__(self, *args: Any, vignettes: tuple[Vignette, ...] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.vignettes = all_vignettes() if vignettes is None else vignettes
        for vignette in self.vignettes:
            self.fields[f"{KIND_PREFIX}{vignette.code}"] = forms.ChoiceField(
                label=vignette.pillar.name, choices=KIND_CHOICES, required=False
            )
            self.fields[f"{STRENGTH_PREFIX}{vignette.code}"] = forms.ChoiceField(
                label=_("Strength"), choices=STRENGTH_CHOICES, required=False
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        sent = {key for key in self.data if key.startswith((KIND_PREFIX, STRENGTH_PREFIX))}
        if sent - set(self.fields):
            raise ValidationError(_("The form holds a situation that does not exist. Start the round again."))
        return cleaned

    def rows(self) -> list[PracticeRow]:
        return [
            PracticeRow(
                pillar=v.pillar,
                kind=self[f"{KIND_PREFIX}{v.code}"],
                strength=self[f"{STRENGTH_PREFIX}{v.code}"],
                note=None,
                vignette=v,
            )
            for v in self.vignettes
        ]

    def answers(self) -> dict[str, PracticeAnswer]:
        data = self.cleaned_data
        return {
            v.code: PracticeAnswer(
                kind=data.get(f"{KIND_PREFIX}{v.code}") or "", strength=data.get(f"{STRENGTH_PREFIX}{v.code}") or ""
            )
            for v in self.vignettes
        }

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's messages beside their vignette (keyed by its code), the rest above the form."""
        for key, messages in error.message_dict.items():
            field = f"{KIND_PREFIX}{key}" if f"{KIND_PREFIX}{key}" in self.fields else NON_FIELD_ERRORS
            for message in messages:
                self.add_error(None if field == NON_FIELD_ERRORS else field, message)


def chip_labels(pillar: Pillar) -> dict[str, StrOrPromise]:
    """The entry chips' label of each side of `pillar`'s scale ('typical', 'low', 'high'): how the results
    name a rating, in the same words as the chips."""
    form = PracticeForm(vignettes=())
    form.fields["kind"] = forms.ChoiceField(choices=KIND_CHOICES, required=False)
    form.fields["strength"] = forms.ChoiceField(choices=STRENGTH_CHOICES, required=False)
    row = PracticeRow(pillar=pillar, kind=form["kind"], strength=form["strength"], note=None)
    return {value: label for value, label, _tone in row.options}


def practice_label(pillar: Pillar, value: int) -> str:
    """A rating in the chips' words: "typical", or the pole's chip and its strength."""
    label = str(chip_labels(pillar)[rating_kind(value)])
    strength = rating_strength(value)
    return f"{label}, {Strength(strength).label}" if strength else label
