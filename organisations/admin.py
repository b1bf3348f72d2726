"""The administration of places: organisations, locations and groups. Which of them an admin sees
and may choose comes from the scope staff plugs in (organisations/admin_scoping.py)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from organisations.admin_scoping import ScopedAdmin
from organisations.models import Group, Location, Organisation


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "meldcode_url"]
    list_filter = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Organisation | None = None) -> Any:
        """The kind decides which roles and places exist there (ROLE_RULES): set when the platform adds it."""
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else [*fields, "kind"]

    def has_delete_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Location)
class LocationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Group)
class GroupAdmin(ScopedAdmin):
    list_display = ["name", "location", "min_age_months", "max_age_months"]
    # Only the locations of the listed groups: the plain filter would name every location there is.
    list_filter = [("location", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    list_select_related = ["location"]
