"""The filter of the access-log page (GET parameters in Dutch, like the other pages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from access_log.models import AccessLog
from access_log.selectors import AccessLogFilter
from organisations.text import VisibleTextField
from staff.access import members_of, visible_organisations
from staff.models import User
from staff.scope import AnyUser


class AccessLogFilterForm(forms.Form):
    kind = VisibleTextField(label=_("Child"), required=False, max_length=100, help_text=_("Name or pseudonym"))
    kind_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    gebruiker: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.none(), required=False, empty_label=_("everyone")
    )
    actie = forms.ChoiceField(label=_("Action"), required=False)
    van = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    tot = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = visible_organisations(user).values_list("id", flat=True)
        users = members_of(organisations)
        self.fields["gebruiker"].queryset = users.order_by("first_name", "last_name", "email")  # type: ignore[attr-defined]
        self.fields["actie"].choices = [("", _("every action")), *AccessLog.Action.choices]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("van"), data.get("tot")
        if start and end and end < start:
            raise ValidationError({"tot": _("The end date cannot be before the start date.")})
        return data

    def access_filter(self) -> AccessLogFilter:
        """The filter of the fields that are valid (the page shows the errors of the others)."""
        if not self.is_bound:
            return AccessLogFilter()
        self.is_valid()
        data = self.cleaned_data
        return AccessLogFilter(
            child=data.get("kind") or "",
            child_id=data.get("kind_id"),
            user=data.get("gebruiker"),
            action=data.get("actie") or "",
            date_from=data.get("van"),
            date_until=data.get("tot"),
        )
