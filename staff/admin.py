"""The administration of people: users and their memberships (the places: organisations/admin.py)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from organisations.admin_scoping import ScopedAdmin, ScopedInline
from staff.access import managed_memberships, visible_organisations
from staff.forms import UserAdminChangeForm, UserAdminCreationForm
from staff.models import Membership, SingleSignOn, User


class MembershipInline(ScopedInline):
    """Only the memberships in the organisations the admin manages (all of a user they manage;
    on their own page, not those they hold elsewhere). An organisation admin keeps at least one:
    a user without any membership would drop out of their sight."""

    model = Membership
    fk_name = "user"
    fields = ["organisation", "role", "location", "group"]
    accessor = staticmethod(managed_memberships)

    def get_min_num(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 0 if request.user.is_superuser else 1

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 1 - self.get_min_num(request, obj)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        return super().get_formset(request, obj, validate_min=True, **kwargs)


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin[User]):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active"]
    list_filter = ["is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Access"), {"fields": ("is_active", "is_staff")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "first_name", "last_name", "password1", "password2")}),
    )
    inlines = [MembershipInline]


def managed_single_sign_ons(user: Any) -> Any:
    return SingleSignOn.objects.filter(organisation__in=visible_organisations(user))


def https_by_default(db_field: Any, **kwargs: Any) -> Any:
    """A form field of the model field; an address typed without scheme is taken as https://."""
    if db_field.name == "issuer":
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class SingleSignOnForm(forms.ModelForm[SingleSignOn]):
    """The client secret is written, never shown back: left empty on a change, the stored one stays."""

    client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        max_length=512,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown again once saved. Leave empty to keep the stored secret."),
    )

    class Meta:
        model = SingleSignOn
        fields = [
            "organisation",
            "slug",
            "button_label",
            "issuer",
            "client_id",
            "client_secret",
            "enabled",
            "password_login",
        ]
        formfield_callback = https_by_default

    def clean_client_secret(self) -> str:
        secret: str = self.cleaned_data.get("client_secret") or ""
        if secret:
            return secret
        if self.instance.pk and self.instance.client_secret:
            return self.instance.client_secret
        raise forms.ValidationError(_("Fill in the client secret the provider gave."), code="required")


@admin.register(SingleSignOn)
class SingleSignOnAdmin(ScopedAdmin):
    """An organisation admin sets up their own organisation's sign-on (staff/sso.py)."""

    form = SingleSignOnForm
    accessor = staticmethod(managed_single_sign_ons)
    list_display = ["organisation", "button_label", "slug", "enabled", "password_login"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "issuer":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @method_decorator(sensitive_post_parameters("client_secret"))
    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        return super().changeform_view(request, object_id, form_url, extra_context)
