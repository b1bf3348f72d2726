"""The administration of people: users and their memberships (the places: organisations/admin.py)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from organisations.admin_scoping import ScopedAdmin, ScopedInline
from staff.access import managed_memberships
from staff.forms import UserAdminChangeForm, UserAdminCreationForm
from staff.models import Membership, User


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
