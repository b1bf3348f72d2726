"""The children's administration: the child with its placements and mentors.

`ChildAdmin` is registered once, by privacy/admin.py, which extends it with the parents' rights
(erasure as the only way to remove a child, and the access export): those live floors above, and
this app knows nothing of them.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from children.models import Child, Mentorship, Placement
from organisations.admin_scoping import ScopedAdmin, ScopedInline
from staff.access import members_of, visible_organisations
from staff.scope import AnyUser


def managed_children(user: AnyUser) -> QuerySet[Child]:
    return Child.objects.managed_by(user)


class PlacementInline(ScopedInline):
    model = Placement
    fields = ["group", "start_date", "end_date"]

    def choices_for(self, db_field: Any, request: HttpRequest) -> QuerySet[Any]:
        choices = super().choices_for(db_field, request)
        child = self.parent_object(request)
        if db_field.name == "group" and child is not None:
            return choices.filter(location__organisation_id=child.organisation_id)
        return choices


class MentorshipInline(ScopedInline):
    """Mentors: users with a membership in the child's organisation (on the add page, in one of
    the organisations the admin manages; Mentorship.clean then holds them to the child's)."""

    model = Mentorship
    fields = ["mentor", "start_date", "end_date"]

    def choices_for(self, db_field: Any, request: HttpRequest) -> QuerySet[Any]:
        if db_field.name != "mentor":
            return super().choices_for(db_field, request)
        child = self.parent_object(request)
        if child is not None:
            return members_of([child.organisation_id])
        return members_of(visible_organisations(request.user).values_list("id", flat=True))


class ChildAdmin(ScopedAdmin):
    accessor = staticmethod(managed_children)
    list_display = ["last_name", "tussenvoegsel", "first_name", "date_of_birth", "external_id"]
    list_display_links = ["last_name", "first_name"]
    search_fields = ["first_name", "tussenvoegsel", "last_name", "external_id"]
    inlines = [PlacementInline, MentorshipInline]
