"""The entry and edit forms. They check the shape of the input; the rules live in services."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from children.access import places_today
from children.entries import ChangeEntryForm, EntryForm, NewEntryForm
from children.models import Child, Placement
from observations.choices import Circumstance, Situation
from observations.models import NOTE_MAX_LENGTH, DuoObservation
from observations.pillars import PILLAR_CHOICES, Direction, Pillar, Strength, all_pillars
from observations.services import TYPICAL_KIND, RatingInput, people_of_groups
from organisations.calendar import today
from organisations.models import Group
from organisations.text import VisibleTextField
from staff.models import User

if TYPE_CHECKING:
    from django.forms.utils import ErrorList
    from django_stubs_ext import StrOrPromise

# Every kind the server understands; a pillar's own widget only offers its directions,
# so a direction the pillar lacks can only arrive by tampering and gets a clear message.
KIND_CHOICES = [("", _("not seen")), (TYPICAL_KIND, _("typical")), *Direction.choices]
STRENGTH_CHOICES = [("", "–"), *Strength.choices]


@dataclass
class PillarRow:
    pillar: Pillar
    kind: forms.BoundField
    strength: forms.BoundField
    note: forms.BoundField | None  # None: no note (the calibration round's practice rows)

    @property
    def errors(self) -> ErrorList:
        return self.kind.errors

    @property
    def options(self) -> list[tuple[str, StrOrPromise, str]]:
        """(value, label, css modifier) of the chips: not seen, typical, then the pillar's own poles
        by their names ("checkt niet terug", "durft nauwelijks weg")."""
        return [
            ("", _("not seen"), "secondary"),
            (TYPICAL_KIND, _("typical"), "success"),
            *((str(d), self.pillar.pole_name(d), "warning") for d in self.pillar.directions),
        ]

    @property
    def descriptions(self) -> tuple[tuple[StrOrPromise, StrOrPromise], ...]:
        return self.pillar.descriptions

    @property
    def untouched(self) -> bool:
        """Nothing chosen, written or refused yet (an unbound form without initial values): the row is
        then the same for every child and every person, so its markup may be kept per language."""
        fields = (self.kind, self.strength) if self.note is None else (self.kind, self.strength, self.note)
        return not self.kind.form.is_bound and not any(field.value() for field in fields)


class ReadOnceChoiceIterator(ModelChoiceIterator):
    """The choices read by evaluating the queryset: one plain query, its rows kept on it for the
    rest of the request. Django's own iterator reads through `.iterator()`, which on PostgreSQL is a
    server-side cursor (DECLARE ... WITH HOLD, FETCH, CLOSE: the rows materialised at the implicit
    commit and three round trips) for a list of a few people."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class PersonChoiceField(forms.ModelChoiceField[User]):
    iterator = ReadOnceChoiceIterator

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class ObservationForm(EntryForm):
    service_fields = ("date", "situation", "circumstances", "note", "observed_with")

    child = forms.IntegerField(widget=forms.HiddenInput)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    situation = forms.ChoiceField(
        label=_("Moment"), choices=Situation.choices, widget=forms.RadioSelect(attrs={"class": "btn-check"})
    )
    circumstances = forms.MultipleChoiceField(
        label=_("Circumstances today"),
        choices=Circumstance.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "btn-check"}),
    )
    note = VisibleTextField(
        label=_("General note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        # No max_length here: the service gives the one clear message for a long note.
    )
    observed_with = PersonChoiceField(
        label=_("Observed together with"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Optional: someone who saw this moment together with you and agrees with what you write "
            "(a colleague, the consultant on a visit)."
        ),
    )

    def __init__(self, *args: Any, child: Child, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child_obj = child
        observed_with = self.fields["observed_with"]
        assert isinstance(observed_with, forms.ModelChoiceField)
        # the people of the child's groups today (the service checks the group of the observation's day):
        # in hand when the child was read by child_access, else a subquery
        places = places_today(child)
        if places is None:
            observed_with.queryset = people_of_groups(
                Group.objects.filter(placements__in=Placement.objects.running_on(today()).filter(child=child))
            )
        else:
            observed_with.queryset = people_of_groups(places)
        for pillar in all_pillars():
            self.fields[f"kind_{pillar.code}"] = forms.ChoiceField(
                label=pillar.name, choices=KIND_CHOICES, required=False
            )
            self.fields[f"strength_{pillar.code}"] = forms.ChoiceField(
                label=_("Strength"), choices=STRENGTH_CHOICES, required=False
            )
            self.fields[f"note_{pillar.code}"] = VisibleTextField(
                label=_("What did you see?"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}),
            )
        self.fields["note"].widget.attrs["maxlength"] = NOTE_MAX_LENGTH

    def read_choices(self) -> Self:
        """Before the form is drawn: the people who may be named as having observed together, read now (one
        query) rather than while the template draws the field. The field's queryset keeps its rows, and its
        choices (ReadOnceChoiceIterator) iterate them."""
        observed_with = self.fields["observed_with"]
        assert isinstance(observed_with, forms.ModelChoiceField) and observed_with.queryset is not None
        list(observed_with.queryset)
        return self

    def clean_child(self) -> int:
        value: int = self.cleaned_data["child"]
        if value != self.child_obj.pk:
            raise ValidationError(_("This form belongs to another child. Open the form again."))
        return value

    def pillar_rows(self) -> list[PillarRow]:
        return [
            PillarRow(
                pillar=pillar,
                kind=self[f"kind_{pillar.code}"],
                strength=self[f"strength_{pillar.code}"],
                note=self[f"note_{pillar.code}"],
            )
            for pillar in all_pillars()
        ]

    def rating_inputs(self) -> list[RatingInput]:
        data = self.cleaned_data
        return [
            RatingInput(
                pillar=p.code,
                kind=data.get(f"kind_{p.code}") or "",
                strength=data.get(f"strength_{p.code}") or "",
                note=data.get(f"note_{p.code}") or "",
            )
            for p in all_pillars()
        ]

    def service_arguments(self) -> dict[str, Any]:
        return {**super().service_arguments(), "ratings": self.rating_inputs()}

    def service_error_field(self, key: str) -> str | None:
        """A pillar's messages (keyed by its code) stand beside its rating."""
        pillar_field = f"kind_{key}"
        return pillar_field if pillar_field in self.fields else super().service_error_field(key)


class NewObservationForm(NewEntryForm, ObservationForm):
    pass


class EditObservationForm(ChangeEntryForm, ObservationForm):
    pass


class RemoveObservationForm(ChangeEntryForm):
    pass


class DuoObservationForm(forms.ModelForm[DuoObservation]):
    """A coach plans two staff members to rate one child in the same moment, each on their own."""

    pillars = forms.MultipleChoiceField(
        label=_("Pillars (optional)"),
        choices=PILLAR_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = DuoObservation
        fields = ["child", "staff_a", "staff_b", "planned_date", "pillars"]
        widgets = {
            "child": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "staff_a": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "staff_b": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "planned_date": forms.DateInput(
                format="%Y-%m-%d", attrs={"type": "date", "class": "form-control form-control-sm"}
            ),
        }

    def __init__(self, *args: Any, children: QuerySet[Child], staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children  # type: ignore[attr-defined]
        self.fields["staff_a"].queryset = staff  # type: ignore[attr-defined]
        self.fields["staff_b"].queryset = staff  # type: ignore[attr-defined]

    def clean_planned_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["planned_date"]
        if day < today():
            raise ValidationError(_("Plan a duo-observation for today or a later day."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        a, b = cleaned.get("staff_a"), cleaned.get("staff_b")
        if a is not None and a == b:
            self.add_error("staff_b", _("Choose two different staff members."))
        return cleaned


VISIT_DATE_WIDGET = {"type": "date"}


class VisitEditForm(EntryForm):
    """What was agreed at a home visit and when the next one is (observations/visits.py `visit_update`)."""

    service_fields: tuple[str, ...] = ("agreements", "next_visit_on")

    agreements = VisibleTextField(
        label=_("Agreements with the childminder"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        # No max_length here: the service gives the one clear message for a long text.
    )
    next_visit_on = forms.DateField(
        label=_("Next visit planned"),
        required=False,
        widget=forms.DateInput(VISIT_DATE_WIDGET, format="%Y-%m-%d"),
    )


class VisitForm(VisitEditForm, NewEntryForm):
    """A new home visit (observations/visits.py `visit_create`): its date first."""

    service_fields = ("visited_on", "agreements", "next_visit_on")
    field_order = ("visited_on", "agreements", "next_visit_on")

    visited_on = forms.DateField(
        label=_("Date of the visit"), widget=forms.DateInput(VISIT_DATE_WIDGET, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].widget.attrs["max"] = today().isoformat()  # the browser's picker stops at today


class VisitPlanForm(EntryForm):
    """The next home visit's date, on the visits overview (observations/visits.py `plan_next_visit`)."""

    service_fields = ("planned_on",)

    planned_on = forms.DateField(
        label=_("Next visit planned"), widget=forms.DateInput(VISIT_DATE_WIDGET, format="%Y-%m-%d")
    )
