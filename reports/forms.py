"""The form of the prepare page: every sentence of the handout in its own field (with "leave out"),
per section the staff notes to quote. It validates; reports/prepared.py stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.text import VisibleTextField
from reports.handout import ParentHandout
from reports.prepared import SECTION_PARTS, Sentence, edited, section_choices, section_sentences, sentences

SENTENCE_MAX_LENGTH = 1000


@dataclass(frozen=True)
class SentenceRow:
    text: forms.BoundField
    left_out: forms.BoundField


@dataclass(frozen=True)
class SectionRows:
    heading: str
    rows: list[SentenceRow]
    quotes: forms.BoundField | None


@dataclass(frozen=True)
class Part:
    """A part of the page (the opening, what goes well, ...): its sections, each with its sentences."""

    title: str
    sections: list[SectionRows]


def _rows(text: str) -> int:
    """Lines enough to read the whole sentence on a phone (about 30 characters a line)."""
    return max(2, min(10, -(-len(text) // 30)))


def _out(name: str) -> str:
    return f"{name}-out"


def _quotes(name: str) -> str:
    return f"{name}-quotes"


class PreparedHandoutForm(forms.Form):
    draft = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, handout: ParentHandout, left_out: set[str], draft_pk: int, language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.handout = handout
        self.fields["draft"].initial = draft_pk
        self.sentences = list(sentences(handout))
        numbers = {"sentence": 0, "question": 0}
        for sentence in self.sentences:
            kind = "question" if sentence.name.startswith("questions-") else "sentence"
            numbers[kind] += 1
            label = _("Question %(n)d") if kind == "question" else _("Sentence %(n)d")
            self.fields[sentence.name] = VisibleTextField(
                label=label % {"n": numbers[kind]},
                required=False,
                strip=True,
                max_length=SENTENCE_MAX_LENGTH,
                initial=sentence.text,
                widget=forms.Textarea(attrs={"rows": _rows(sentence.text), "lang": language}),
            )
            self.fields[_out(sentence.name)] = forms.BooleanField(
                label=_("Leave out"), required=False, initial=sentence.name in left_out
            )
        self.choices = list(section_choices(handout))
        for choice in self.choices:
            self.fields[_quotes(choice.name)] = forms.MultipleChoiceField(
                label=_("Staff notes to quote"),
                required=False,
                choices=[(q.key, f"“{q.text}” ({q.when})") for q in choice.options],
                initial=list(choice.chosen),
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "invalid_choice": gettext_lazy(
                        "This note is not one of the notes of this child that fit here: choose from the list."
                    )
                },
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for sentence in self.sentences:
            if sentence.name in self.errors:
                continue
            if not cleaned.get(sentence.name) and not cleaned.get(_out(sentence.name)):
                self.add_error(
                    sentence.name,
                    _("This sentence is empty: write it, or tick “Leave out” to leave it off the handout."),
                )
        return cleaned

    def result(self) -> tuple[ParentHandout, set[str]]:
        """The edited handout (every sentence, the chosen quotes) and the names of the sentences left out."""
        texts = {s.name: self.cleaned_data[s.name] for s in self.sentences}
        chosen = {c.name: list(self.cleaned_data[_quotes(c.name)]) for c in self.choices}
        left_out = {s.name for s in self.sentences if self.cleaned_data[_out(s.name)]}
        return edited(self.handout, texts, chosen), left_out

    def _rows(self, found: list[Sentence]) -> list[SentenceRow]:
        return [SentenceRow(self[s.name], self[_out(s.name)]) for s in found]

    def parts(self) -> list[Part]:
        """The page's parts in the handout's order, for the template."""
        h = self.handout
        by_name = {s.name: s for s in self.sentences}
        parts = []
        opening = [by_name[n] for n in (f"intro-{i}" for i in range(len(h.intro)))]
        if h.to_watch:
            opening.append(by_name["to_watch"])
        parts.append(Part(_("The opening"), [SectionRows("", self._rows(opening), None)]))
        titles = {"good": _("What goes well"), "noticed": _("What stood out to us")}
        for part in SECTION_PARTS:
            sections = []
            for number, section in enumerate(getattr(h, part)):
                name = f"{part}-{number}"
                quotes = self[_quotes(name)] if _quotes(name) in self.fields else None
                sections.append(
                    SectionRows(section.heading, self._rows(section_sentences(part, number, section)), quotes)
                )
            if part == "noticed" and h.not_enough:
                sections.append(SectionRows("", self._rows([by_name["not_enough"]]), None))
            if sections:
                parts.append(Part(titles[part], sections))
        questions = [by_name[f"questions-{i}"] for i in range(len(h.questions))]
        if questions:
            parts.append(Part(_("To talk about together"), [SectionRows("", self._rows(questions), None)]))
        return parts
