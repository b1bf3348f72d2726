"""Forms of the group tablet: registering a device, unlocking with a PIN or the password, setting a PIN."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from devices.services import registrable_groups, validate_pin
from organisations.models import Group
from organisations.text import VisibleTextField
from staff.lockout import validate_own_password
from staff.models import User


def pin_widget(autofocus: bool = False) -> forms.PasswordInput:
    attrs = {
        "inputmode": "numeric",
        "autocomplete": "off",
        "pattern": "[0-9]*",
        "minlength": "4",
        "maxlength": "6",
        "class": "pin-input",
    }
    if autofocus:
        attrs["autofocus"] = "autofocus"
    return forms.PasswordInput(attrs=attrs)


class GroupChoiceField(forms.ModelChoiceField[Group]):
    def label_from_instance(self, obj: Group) -> str:
        return f"{obj.name} ({obj.location.name})"


class TabletRegistrationForm(forms.Form):
    group = GroupChoiceField(label=_("Group"), queryset=Group.objects.none(), empty_label=None)
    name = VisibleTextField(
        label=_("Name of this tablet"),
        max_length=80,
        help_text=_("For your overview of tablets, e.g. “Tablet Vlinders by the window”."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ModelChoiceField)
        group_field.queryset = registrable_groups(user)


class PinUnlockForm(forms.Form):
    pin = forms.CharField(label=_("Your PIN"), max_length=6, strip=True, widget=pin_widget(autofocus=True))


class PasswordUnlockForm(forms.Form):
    """Switch to oneself with the full password, checked and throttled like the login."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": "autofocus"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_own_password(
            self.request, self.user, password, wrong_message=_("This password is not right. Please try again.")
        )
        return password


class PinSetForm(forms.Form):
    """Set a PIN: the full password first (checked and throttled like the login), then the new PIN twice."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    pin = forms.CharField(
        label=_("New PIN"), help_text=_("4 to 6 digits."), max_length=6, strip=True, widget=pin_widget()
    )
    pin_again = forms.CharField(label=_("New PIN again"), max_length=6, strip=True, widget=pin_widget())

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        validate_own_password(self.request, self.user, password, wrong_message=_("This is not your password."))
        return password

    def clean_pin(self) -> str:
        pin: str = self.cleaned_data["pin"]
        validate_pin(pin)
        return pin

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("pin") and cleaned.get("pin_again") and cleaned["pin"] != cleaned["pin_again"]:
            self.add_error("pin_again", _("The two PINs differ."))
        return cleaned
