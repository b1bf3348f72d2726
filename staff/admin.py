"""The administration of places and people. Places sit one floor down and cannot know
the scope, so their admin lives here, beside the users'."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from organisations.models import Group, Location, Organisation
from staff.access import visible_groups, visible_locations, visible_organisations, visible_users
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
    accessor = staticmethod(visible_locations)
    list_display = ["name", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Group)
class GroupAdmin(ScopedAdmin):
    accessor = staticmethod(visible_groups)
    list_display = ["name", "location", "min_age_months", "max_age_months"]
    list_filter = ["location"]
    search_fields = ["name"]
    list_select_related = ["location"]


class MembershipInline(ScopedInline):
    model = Membership
    fk_name = "user"
    fields = ["organisation", "role", "location", "group"]
    extra = 1


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    accessor = staticmethod(visible_users)
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active"]
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
