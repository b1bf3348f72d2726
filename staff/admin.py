from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from children.admin_scoping import ScopedAdmin, ScopedInline
from staff.forms import UserAdminChangeForm, UserAdminCreationForm
from staff.models import Membership, User
from staff.scope import scope_for


def users_visible_to(queryset, user):
    scope = scope_for(user)
    if scope.all_organisations:
        return queryset
    return queryset.filter(Q(memberships__organisation_id__in=scope.admin_organisation_ids) | Q(pk=user.pk)).distinct()


class MembershipInline(ScopedInline):
    model = Membership
    fk_name = "user"
    fields = ["organisation", "role", "location", "group"]
    extra = 1


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
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

    def scoped(self, queryset, user):
        return users_visible_to(queryset, user)
