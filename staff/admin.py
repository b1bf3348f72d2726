"""The administration of people: users and their memberships (the places: organisations/admin.py)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import BLANK_CHOICE_DASH, QuerySet
from django.forms import BaseModelForm
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from organisations.admin_scoping import ScopedAdmin, ScopedInline
from staff.access import managed_memberships, managed_users, user_access, visible_organisations
from staff.forms import UserAdminChangeForm, UserAdminCreationForm
from staff.invitations import invite, site_of
from staff.models import Invitation, Membership, Role, SecondFactorReset, SingleSignOn, User, roles_in
from staff.scope import AnyUser
from staff.second_factor import reset_second_factor


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

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The roles that exist in the kinds of organisation the admin manages (ROLE_RULES): a gastouderbureau's
        admin chooses among its roles, a centre organisation's among the centre's. Membership.clean() holds
        the rule for each row."""
        if db_field.name == "role":
            kinds = set(visible_organisations(request.user).values_list("kind", flat=True))
            roles = {role for kind in kinds for role in roles_in(kind)}
            kwargs["choices"] = [
                *BLANK_CHOICE_DASH,
                *((value, label) for value, label in Role.choices if value in roles),
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


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
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    inlines = [MembershipInline]
    actions = ["reset_second_step"]

    @admin.action(description=_("Reset the second step (lost phone or passkey)"), permissions=["change"])
    def reset_second_step(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """A lost second factor: the app, the passkeys and the recovery codes go, the person sets one up at the
        next sign-in. Only people this admin manages (the scoped queryset); each reset is recorded
        (SecondFactorReset) and in the person's admin history."""
        people = list(queryset)
        for person in people:
            reset_second_factor(person, by=request.user)  # type: ignore[arg-type]
            self.log_change(request, person, gettext("Second step reset"))
        self.message_user(
            request,
            ngettext(
                "The second step of %(count)d person was reset; they set it up again at their next sign-in.",
                "The second step of %(count)d people was reset; they set it up again at their next sign-in.",
                len(people),
            )
            % {"count": len(people)},
            messages.SUCCESS,
        )

    def save_related(self, request: HttpRequest, form: BaseModelForm[User], formsets: Any, change: bool) -> None:
        """A person added without a password gets an invitation to choose one (staff/invitations.py),
        from the first organisation of theirs this admin manages, mailed once the addition is saved."""
        super().save_related(request, form, formsets, change)
        user = form.instance
        if change or user.has_usable_password():
            return
        membership = (
            managed_memberships(request.user).filter(user=user).select_related("organisation").order_by("pk").first()
        )
        invitation = invite(
            user,
            organisation=membership.organisation if membership else None,
            by=request.user,  # type: ignore[arg-type]  # the admin is logged in
            site=site_of(request),
        )
        self.log_change(request, user, gettext("Invitation sent, valid until %(date)s.") % _until(invitation))


def _until(invitation: Invitation) -> dict[str, str]:
    local = timezone.localtime(invitation.valid_until)
    return {"date": local.strftime("%d-%m-%Y %H:%M")}


def managed_invitations(user: AnyUser) -> QuerySet[Invitation]:
    """The unused invitations of the organisations the admin manages (platform superusers: all). A person
    who has a password by now (an admin typed one in) no longer waits for theirs: its link is void."""
    unused = Invitation.objects.filter(used_at__isnull=True, user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
    if user_access(user).sees_every_organisation:
        return unused
    return unused.filter(organisation__in=visible_organisations(user))


class InvitationState(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("open", _("open")), ("expired", _("expired"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
        if self.value() == "open":
            return queryset.filter(valid_until__gt=timezone.now())
        if self.value() == "expired":
            return queryset.filter(valid_until__lte=timezone.now())
        return queryset


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    """The invitations nobody used yet, open or expired, of the admin's own organisation(s); sending one
    again makes a new link (the old one stops working) and says so in the history of the invitation and
    of the person. Invitations are made by adding a person without a password, or by an import."""

    accessor = staticmethod(managed_invitations)
    list_display = ["user", "email", "organisation", "invited_by", "sent_at", "valid_until", "state"]
    list_filter = [InvitationState]
    list_select_related = ["user", "organisation", "invited_by"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    fields = readonly_fields = ("user", "organisation", "invited_by", "sent_at", "valid_until")
    actions = ["send_again"]

    @admin.display(description=_("e-mail address"), ordering="user__email")
    def email(self, invitation: Invitation) -> str:
        return invitation.user.email

    @admin.display(description=_("state"))
    def state(self, invitation: Invitation) -> str:
        return gettext("expired") if invitation.is_expired else gettext("open")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send the invitation again"), permissions=["view"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        invitations = list(queryset.select_related("user", "organisation"))
        for invitation in invitations:
            renewed = invite(
                invitation.user,
                organisation=invitation.organisation,
                by=request.user,  # type: ignore[arg-type]  # the admin is logged in
                site=site_of(request),
            )
            message = gettext("Invitation sent again, valid until %(date)s; the previous link no longer works.")
            self.log_change(request, renewed, message % _until(renewed))
            self.log_change(request, renewed.user, message % _until(renewed))
        count = len(invitations)
        self.message_user(
            request,
            ngettext("%(count)d invitation sent again.", "%(count)d invitations sent again.", count) % {"count": count},
            messages.SUCCESS,
        )


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


def resets_administered(user: Any) -> QuerySet[SecondFactorReset]:
    """The resets of the people this admin manages."""
    return SecondFactorReset.objects.filter(user__in=managed_users(user))


@admin.register(SecondFactorReset)
class SecondFactorResetAdmin(ScopedAdmin):
    """Who reset whose second step, when: read only."""

    list_display = ["user", "reset_by", "reset_at"]
    accessor = staticmethod(resets_administered)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
