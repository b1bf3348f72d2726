from django.contrib import admin
from django.db.models import QuerySet

from children.models import Child, Mentorship, Placement
from staff.admin_scoping import ScopedAdmin, ScopedInline
from staff.scope import AnyUser


def visible_children(user: AnyUser) -> QuerySet[Child]:
    return Child.objects.visible_to(user)


class PlacementInline(ScopedInline):
    model = Placement
    fields = ["group", "start_date", "end_date"]


class MentorshipInline(ScopedInline):
    model = Mentorship
    fields = ["mentor", "start_date", "end_date"]


@admin.register(Child)
class ChildAdmin(ScopedAdmin):
    accessor = staticmethod(visible_children)
    list_display = ["first_name", "last_name", "date_of_birth"]
    search_fields = ["first_name", "last_name"]
    inlines = [PlacementInline, MentorshipInline]
