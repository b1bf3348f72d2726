"""The conversation form and its agreement rows. They check the shape; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from children.entries import ChangeEntryForm, EntryForm, NewEntryForm
from conversations.models import FOCUS_MAX_WEEKS, TEXT_MAX_LENGTH
from conversations.services import AgreementInput
from observations.pillars import all_pillars
from organisations.text import VisibleTextField

DATE_WIDGET = {"type": "date"}


class AgreementForm(forms.Form):
    text = VisibleTextField(
        label=_("What was agreed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_MAX_LENGTH}),
    )
    who = VisibleTextField(label=_("Who"), required=False, max_length=200)
    follow_up = forms.DateField(
        label=_("Look back on"), required=False, widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d")
    )
    due_by = forms.DateField(
        label=_("Done by"),
        required=False,
        help_text=_("Optional: the day it should be done."),
        widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"),
    )
    for_group = forms.BooleanField(label=_("The group's staff see this agreement"), required=False)
    focus_pillars = forms.MultipleChoiceField(
        label=_("The group watches these pillars"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    focus_weeks = forms.IntegerField(label=_("for weeks"), required=False, min_value=1, max_value=FOCUS_MAX_WEEKS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        focus = self.fields["focus_pillars"]
        assert isinstance(focus, forms.ChoiceField)
        focus.choices = [(p.code, p.name) for p in all_pillars()]

    def agreement_input(self) -> AgreementInput:
        data = self.cleaned_data
        return AgreementInput(
            text=data.get("text") or "",
            who=data.get("who") or "",
            follow_up=data.get("follow_up"),
            due_by=data.get("due_by"),
            for_group=bool(data.get("for_group")),
            focus_pillars=tuple(data.get("focus_pillars") or ()),
            focus_weeks=data.get("focus_weeks"),
        )


AGREEMENTS_PREFIX = "afspraak"
AgreementFormSet = forms.formset_factory(AgreementForm, extra=3, max_num=10, absolute_max=10, validate_max=True)


class ConversationForm(EntryForm):
    """The conversation with its agreement rows (`agreements`, a formset: filled from the initial
    value "agreements" on a change)."""

    service_fields = (
        "date",
        "participants",
        "parents_context",
        "parents_words_in_report",
        "parents_recognise",
        "next_date",
    )

    date = forms.DateField(label=_("Date of the conversation"), widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d"))
    participants = VisibleTextField(
        label=_("Who took part"), max_length=300, help_text=_("For example: mother, father, mentor, coach.")
    )
    parents_context = VisibleTextField(
        label=_("What the parents told"),
        required=False,
        help_text=_("Context from home, in the parents' words."),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX_LENGTH}),
    )
    parents_words_in_report = forms.BooleanField(
        label=_("The parents agree that their words are in the report"),
        required=False,
        help_text=_("Only then does the report for the parents show what they told."),
    )
    parents_recognise = forms.MultipleChoiceField(
        label=_("The parents recognise this: they see it at home too"),
        required=False,
        help_text=_(
            "The pillars where the parents recognise what you see. Their view counts as a second view: "
            "what one person saw can then become a pattern."
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    next_date = forms.DateField(
        label=_("Next conversation"), required=False, widget=forms.DateInput(DATE_WIDGET, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recognise = self.fields["parents_recognise"]
        assert isinstance(recognise, forms.ChoiceField)
        recognise.choices = [(p.code, p.name) for p in all_pillars()]
        self.agreements = AgreementFormSet(
            self.data if self.is_bound else None, prefix=AGREEMENTS_PREFIX, initial=self.initial.get("agreements")
        )

    def is_valid(self) -> bool:
        return super().is_valid() and self.agreements.is_valid()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        for message in self.agreements.non_form_errors():  # too many rows: on top of the form
            self.add_error(None, message)
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        return {**super().service_arguments(), "agreements": [row.agreement_input() for row in self.agreements]}


class NewConversationForm(NewEntryForm, ConversationForm):
    pass


class EditConversationForm(ChangeEntryForm, ConversationForm):
    pass
