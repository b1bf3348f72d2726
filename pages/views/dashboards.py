from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from access_log.models import AccessLog
from access_log.services import access_log_record, access_log_record_shown, children_shown
from calibration.services import practice_round_offered
from children import selectors
from children.access import ChildAccess, child_access
from conversations import selectors as conversation_selectors
from observations import selectors as observation_selectors
from observations.pillars import PILLAR_CHOICES
from pages.http import AuthenticatedHttpRequest
from pages.read_only import reads_from_replica
from reports.overview import (
    STAFF_ACTIVITY_WEEKS,
    group_coverage,
    location_overview,
    locations_overview,
    locations_page,
)
from reports.prepared import latest_ready_handout
from staff.access import loggable_groups, user_access, visible_groups, visible_locations

MANAGED_PAGE = "locaties"
COACHED_PAGE = "begeleid"


@reads_from_replica
@require_safe
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Takes each role to its work: groups for staff, locations for managers and coaches."""
    access = user_access(request.user)
    groups = list(loggable_groups(request.user).select_related("location"))
    # Whole locations up to HOME_GROUPS_PER_PAGE groups a page: ?locaties=N for those managed, ?begeleid=N coached.
    managed = locations_page(
        visible_locations(request.user).filter(id__in=access.managed_location_ids),
        request.user,
        request.GET.get(MANAGED_PAGE, 1),
    )
    coached = locations_page(
        visible_locations(request.user).filter(id__in=access.coached_location_ids),
        request.user,
        request.GET.get(COACHED_PAGE, 1),
    )
    # Those locations with their groups and the children with an attention point by name, in five queries.
    figures = {f.location.pk: f for f in locations_overview(managed.locations + coached.locations, request.user)}
    # Conversations coming up and agreements to look back on (coach, mentor): their text is in the log.
    follow_up = conversation_selectors.follow_up_for(request.user) if access.has_memberships else None
    if follow_up:
        access_log_record_shown(
            user=request.user,
            shown=children_shown(follow_up.children),
            action=AccessLog.Action.VIEW_FOLLOW_UP,
            path=request.get_full_path(),
        )
    return render(
        request,
        "pages/home.html",
        {
            "access": access,
            "groups": groups,
            "managed_locations": [figures[loc.pk] for loc in managed.locations],
            "managed_page": managed,
            "managed_page_key": MANAGED_PAGE,
            "coached_locations": [figures[loc.pk] for loc in coached.locations],
            "coached_page": coached,
            "coached_page_key": COACHED_PAGE,
            "stale_days": settings.OBSERVATION_STALE_DAYS,
            "activity_weeks": STAFF_ACTIVITY_WEEKS,
            "weeks": settings.REPORT_WEEKS_DEFAULT,
            "follow_up": follow_up,
            "practice_offered": practice_round_offered(request.user),
            "duos": observation_selectors.pending_duos(request.user) if access.logs_observations else [],
        },
    )


@reads_from_replica
@require_safe
@login_required
def location_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Per group: children placed today, share observed lately, children with a recurring
    attention point, entries per staff member. Figures only for groups the user may read."""
    location = get_object_or_404(visible_locations(request.user), pk=pk)
    figures = location_overview(location, request.user)
    # One access-log row listing the children whose observations the figures were made of.
    access_log_record_shown(
        user=request.user,
        shown=[(location.organisation_id, child_id) for g in figures.readable_groups for child_id in g.child_ids],
        action=AccessLog.Action.VIEW_LOCATION,
        path=request.get_full_path(),
    )
    context = {
        "location": location,
        "figures": figures,
        "stale_days": settings.OBSERVATION_STALE_DAYS,
        "activity_weeks": STAFF_ACTIVITY_WEEKS,
        "weeks": settings.REPORT_WEEKS_DEFAULT,
        "can_export": user_access(request.user).may_export(location),
        "reads_agreement": user_access(request.user).reads_agreement_at(location),
    }
    return render(request, "pages/location_detail.html", context)


@reads_from_replica
@require_safe
@login_required
def group_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The group's day view: each child placed today, entries this week, last observed."""
    group = get_object_or_404(visible_groups(request.user).select_related("location"), pk=pk)
    access = user_access(request.user)
    can_read = access.reads_observations_in(group)
    # An organisation admin manages records but does not read observations.
    focus: dict[int, conversation_selectors.Focus] = {}
    rows: list[observation_selectors.ChildRow] | list[selectors.PlacedChild]
    if can_read:
        rows = observation_selectors.group_day_view(group)
        # Who had no entry this week, which pillars a child never had rated (one query).
        coverage = group_coverage(rows)
        # Children the group watches on some pillars after a parent conversation (one query).
        focus = conversation_selectors.active_focus(r.child.pk for r in rows)
        access_log_record_shown(
            user=request.user,
            shown=children_shown(r.child for r in rows),
            action=AccessLog.Action.VIEW_GROUP,
            path=request.get_full_path(),
        )
    else:
        rows, coverage = selectors.children_placed_in_group(group), None
    context = {
        "group": group,
        "rows": rows,
        "entries": [(row, focus.get(row.child.pk)) for row in rows],
        "show_observations": can_read,
        "can_log": access.logs_in(group),
        "coverage": coverage,
    }
    return render(request, "pages/group_detail.html", context)


@reads_from_replica
@require_safe
@login_required
def child_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The child's facts and, for those who may read them, the timeline of observations."""
    access = child_access(request.user, pk)
    child, can_read = access.child, access.may_read_observations
    context = {
        "child": child,
        "placements": selectors.placements_of_child(child),
        "mentor": selectors.current_mentor(child),
        "can_read": can_read,
        "can_log": can_read and access.may_log,
        "pillar_choices": PILLAR_CHOICES,
    }
    if can_read:
        context["timeline"] = observation_selectors.child_timeline(
            child,
            viewer=request.user,
            pillar=request.GET.get("pijler") or None,
            page_number=request.GET.get("page") or 1,
        )
        context.update(_conversations_on_child_page(access))
        access_log_record(
            user=request.user, child=child, action=AccessLog.Action.VIEW_CHILD, path=request.get_full_path()
        )
    return render(request, "pages/child_detail.html", context)


def _conversations_on_child_page(access: ChildAccess) -> dict[str, object]:
    """Readers of conversations see them all; the group's staff see only the agreements meant for them."""
    reads = access.may_read_conversations
    return {
        "conversations": conversation_selectors.conversations_of_child(access.child) if reads else None,
        "group_agreements": None if reads else conversation_selectors.group_agreements_of_child(access.child),
        "can_record_conversation": access.may_record_conversation,
        "latest_handout": latest_ready_handout(access.child) if reads else None,
    }
