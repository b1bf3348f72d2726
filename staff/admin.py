"""The administration of places and people. Places sit one floor down and cannot know
the scope, so their admin lives here, beside the users'."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from organisations.models import Group, Location, Organisation
from staff.access import managed_groups, managed_locations, managed_memberships, managed_users, visible_organisations
from staff.admin_scoping import ScopedAdmin, ScopedInline
from staff.forms import UserAdminChangeForm, UserAdminCreationForm
from staff.models import Membership, User


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    accessor = staticmethod(visible_organisations)
    list_display = ["name", "meldcode_url"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Location)
class LocationAdmin(ScopedAdmin):
    accessor = staticmethod(managed_locations)
    list_display = ["name", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Group)
class GroupAdmin(ScopedAdmin):
    accessor = staticmethod(managed_groups)
    list_display = ["name", "location", "min_age_months", "max_age_months"]
    # Only the locations of the listed groups: the plain filter would name every location there is.
    list_filter = [("location", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["location"]


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
    accessor = staticmethod(managed_users)
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
