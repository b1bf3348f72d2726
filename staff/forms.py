from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    AuthenticationForm,
    PasswordChangeForm,
    UserChangeForm,
)
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from staff.lockout import normalise_email, validate_own_password
from staff.models import SingleSignOn, User


class NormalisedEmailField(forms.EmailField):
    """An e-mail address in its one spelling (see staff.lockout.normalise_email), before it is validated."""

    def to_python(self, value: object) -> str | None:
        value = super().to_python(value)
        return normalise_email(value) if value else value


class EmailAuthenticationForm(AuthenticationForm):
    """The login form, with an e-mail field instead of a user name. The address is normalised before
    authentication, the same key django-axes counts failures under."""

    username = NormalisedEmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": _("This e-mail address and password do not match. Please try again."),
        "inactive": _("This account is inactive."),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        refuse_password_sign_in_if_off(user)


class AdminLoginForm(AdminAuthenticationForm):
    """The administration's own login page (/beheer/login/): Django's, with the same rule as the
    login form, so password sign-in switched off for an organisation holds there too."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        refuse_password_sign_in_if_off(user)


def refuse_password_sign_in_if_off(user: User) -> None:
    """The right password, but the person's organisation signs in only through its own accounts
    (staff/sso.py): said only after the right password, so a login form never tells whose it is."""
    config = SingleSignOn.refusing_password_of(user)
    if config is not None:
        raise forms.ValidationError(password_off_message(config), code="password_login_off")


def password_off_message(config: SingleSignOn) -> str:
    """The organisation signs in with its own accounts: the sentence, with a link to its login page."""
    return format_html(
        gettext(
            "{organisation} signs in with its own accounts, not with a password: "
            '<a href="{url}">log in with {label}</a>.'
        ),
        organisation=config.organisation.name,
        label=config.button_label,
        url=reverse("sso_login", args=[config.slug]),
    )


class OwnPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the current password checked and throttled like the login
    (staff.lockout.validate_own_password): guessing it here locks this page and the login alike."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("This is not your current password. Please try again."),
    }

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    @sensitive_variables("old_password")
    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        validate_own_password(
            self.request, self.user, old_password, wrong_message=self.error_messages["password_incorrect"]
        )
        return old_password


class UserAdminCreationForm(AdminUserCreationForm):
    """A person is added with an invitation to choose their own password (staff/invitations.py), or,
    when the admin asks for it, with a password typed in now."""

    usable_password = forms.ChoiceField(
        label=_("Password"),
        required=False,
        initial="false",
        choices={"false": _("Send an invitation by e-mail"), "true": _("Set a password now")},
        widget=forms.RadioSelect(attrs={"class": "radiolist"}),
        help_text=_(
            "With an invitation the person gets a link by e-mail to choose a password; it works once, "
            "for a limited time. Open invitations are listed under Invitations."
        ),
    )

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserAdminChangeForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "is_active", "is_staff")


class SecondStepForm(forms.Form):
    """The code of the second step: six digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
