"""The one rule for free text: text that shows nothing is no text.

Text made only of characters that show nothing counts as empty, in every free-text field of every
form (observation notes, parent conversations, names of tablets, children, staff and places...):
a required field answers Django's own "Dit veld is verplicht.", an optional one is stored as "".
Characters that show nothing on their own:

- white space (Unicode White_Space: spaces of every width, the no-break spaces U+00A0 and U+202F,
  the ideographic space U+3000, line and paragraph separators) and control characters (Cc);
- format characters (Cf): zero-width space U+200B, word joiner U+2060, byte-order mark U+FEFF,
  soft hyphen U+00AD, the bidirectional marks, embeddings, overrides and isolates, tags...;
- Unicode's default-ignorable code points, which include letters drawn as nothing: the Hangul
  fillers U+115F, U+1160, U+3164 and U+FFA0, variation selectors, the combining grapheme joiner;
- the blank braille pattern U+2800.

Visible text keeps its invisible characters (a zero-width joiner inside an emoji, bidi marks in a
right-to-left name); only the white space around it goes. The classes come from the `regex`
library's Unicode tables, so they follow Unicode rather than a hand-kept list.

Forms use `VisibleTextField`; the admin gets it for every plain CharField and TextField of a model
through `VisibleTextInAdmin`; services that take text from elsewhere use `visible_text`.
"""

from __future__ import annotations

from typing import Any

import regex
from django import forms
from django.db import models
from django.http import HttpRequest

_SHOWS_NOTHING = regex.compile(r"[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{Zs}\u2800]*")


def shows_nothing(text: str) -> bool:
    """True when `text` has no character that shows (see the module's docstring)."""
    return _SHOWS_NOTHING.fullmatch(text) is not None


def visible_text(text: str | None) -> str:
    """`text` without surrounding white space, or "" when nothing visible is left."""
    text = (text or "").strip()
    return "" if shows_nothing(text) else text


class VisibleTextField(forms.CharField):
    """A free-text form field under the visible-text rule: text that shows nothing is empty, so a
    required field refuses it with Django's required message and an optional one cleans to ""."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values or not isinstance(text, str):
            return text
        return visible_text(text) or self.empty_value


def is_free_text(db_field: models.Field[Any, Any]) -> bool:
    """A plain text column a person types in: CharField or TextField without choices (not an
    e-mail address, a URL, a slug or a password hash: those are subclasses or kept out by name)."""
    return (
        type(db_field) in (models.CharField, models.TextField) and not db_field.choices and db_field.name != "password"
    )


class VisibleTextInAdmin:
    """For a ModelAdmin or an inline: every free-text field of its forms is a VisibleTextField
    (the admin's own widgets stay)."""

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if is_free_text(db_field):
            kwargs.setdefault("form_class", VisibleTextField)
        field: forms.Field | None = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        return field
