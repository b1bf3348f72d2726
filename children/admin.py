from django.contrib import admin

from children.admin_scoping import ScopedAdmin, ScopedInline
from children.models import Child, Group, Location, Mentorship, Organisation, Placement


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "meldcode_url"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Location)
class LocationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "organisation"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Group)
class GroupAdmin(ScopedAdmin):
    list_display = ["name", "location", "min_age_months", "max_age_months"]
    list_filter = ["location"]
    search_fields = ["name"]
    list_select_related = ["location"]


class PlacementInline(ScopedInline):
    model = Placement
    fields = ["group", "start_date", "end_date"]


class MentorshipInline(ScopedInline):
    model = Mentorship
    fields = ["mentor", "start_date", "end_date"]


@admin.register(Child)
class ChildAdmin(ScopedAdmin):
    list_display = ["first_name", "last_name", "date_of_birth"]
    search_fields = ["first_name", "last_name"]
    inlines = [PlacementInline, MentorshipInline]
