"""The administration of people: users and their memberships (the places: organisations/admin.py)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from organisations.admin_scoping import ScopedAdmin, ScopedInline
from staff.access import managed_memberships, managed_users
from staff.forms import UserAdminChangeForm, UserAdminCreationForm
from staff.models import Membership, SecondFactorReset, User
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
    actions = ["reset_second_step"]

    @admin.action(description=_("Reset the second step (lost phone)"), permissions=["change"])
    def reset_second_step(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """A lost second factor: the app and the recovery codes go, the person sets them up again at the
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
