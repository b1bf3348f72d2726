from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from children import selectors
from children.models import Child, Group, Location
from staff.scope import scope_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Takes each role to its work: groups for staff, locations for managers and coaches."""
    scope = scope_for(request.user)
    groups = list(Group.objects.filter(id__in=scope.staff_group_ids).select_related("location"))
    managed = list(Location.objects.filter(id__in=scope.manager_location_ids))
    coached = list(Location.objects.filter(id__in=scope.coach_location_ids))
    return render(
        request,
        "children/home.html",
        {"scope": scope, "groups": groups, "managed_locations": managed, "coached_locations": coached},
    )


@login_required
def location_detail(request: HttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(Location.objects.visible_to(request.user), pk=pk)
    groups = selectors.groups_of_location(location, Group.objects.visible_to(request.user))
    return render(request, "children/location_detail.html", {"location": location, "groups": groups})


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(Group.objects.visible_to(request.user).select_related("location"), pk=pk)
    children = selectors.children_placed_in_group(group)
    return render(request, "children/group_detail.html", {"group": group, "children": children})


@login_required
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    child = get_object_or_404(Child.objects.visible_to(request.user), pk=pk)
    context = {
        "child": child,
        "placements": selectors.placements_of_child(child),
        "mentorships": selectors.mentorships_of_child(child),
    }
    return render(request, "children/child_detail.html", context)
