"""Home visits (huisbezoeken) at childminders' homes: the overview, recording a visit, reading and
changing it, planning the next one. The observations made during a visit use the ordinary entry form
(pages/views/entries.py `observation_new` with `?bezoek=`).

Who may: staff/access.py `visit_locations` (ROLE_RULES `records_visits`), through observations/visits.py.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from access_log.models import AccessLog
from access_log.services import access_log_record_shown, children_shown
from children.entries import entry_form
from observations import visits
from observations.forms import VisitEditForm, VisitForm, VisitPlanForm
from organisations.calendar import today
from pages.http import AuthenticatedHttpRequest
from pages.views.entries import VISIT_QUERY
from reports.visits import VisitedHome, visits_overview
from staff.access import user_access


def _prefix(location_pk: int) -> str:
    """Each home's plan form on the overview has its own field names (and ids)."""
    return f"plan-{location_pk}"


def _plan_form(home: VisitedHome) -> VisitPlanForm:
    return VisitPlanForm(initial={"planned_on": home.planned_on}, prefix=_prefix(home.location.pk))


def _overview(request: AuthenticatedHttpRequest, plan_forms: dict[int, VisitPlanForm] | None = None) -> HttpResponse:
    homes = visits_overview(request.user)
    access_log_record_shown(
        user=request.user,
        shown=[(home.location.organisation_id, child_id) for home in homes for child_id in home.child_ids],
        action=AccessLog.Action.VIEW_VISITS,
        path=request.get_full_path(),
    )
    forms = plan_forms or {}
    rows = [(home, forms.get(home.location.pk) or _plan_form(home)) for home in homes]
    context = {"rows": rows, "today": today(), "weeks": settings.REPORT_WEEKS_DEFAULT}
    return render(request, "pages/visits.html", context)


@require_safe
@login_required
def visits_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not user_access(request.user).records_visits:  # no childminder's home to visit
        raise Http404
    return _overview(request)


@require_POST
@login_required
def visit_plan(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    location = visits.visit_home(request.user, pk)
    form, saved = entry_form(
        request,
        VisitPlanForm,
        initial=dict,
        save=partial(visits.plan_next_visit, location=location, user=request.user),
        prefix=_prefix(location.pk),
    )
    if saved is None:
        return _overview(request, {location.pk: form})
    messages.success(request, _("The next visit to %(home)s is planned.") % {"home": location.name})
    return redirect("visits")


@require_http_methods(["GET", "POST"])
@login_required
def visit_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    location = visits.visit_home(request.user, pk)
    form, saved = entry_form(
        request,
        VisitForm,
        initial=lambda: {"visited_on": today(), "next_visit_on": visits.planned_visit(location)},
        save=partial(visits.visit_create, location=location, consultant=request.user),
    )
    if saved is None:
        return render(request, "pages/visit_form.html", {"form": form, "location": location, "visit": None})
    visit, created = saved
    if created:
        messages.success(request, _("The home visit was saved. Record what you saw of each child below."))
    else:
        messages.info(request, _("This home visit was already saved."))
    return redirect("visit_detail", pk=visit.pk)


@require_safe
@login_required
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = visits.visit_for(request.user, pk)
    children = visits.visit_children(visit)
    access_log_record_shown(
        user=request.user,
        shown=children_shown(row.child for row in children),
        action=AccessLog.Action.VIEW_VISIT,
        path=request.get_full_path(),
    )
    context = {
        "visit": visit,
        "children": children,
        "own": visit.consultant_id == request.user.pk,
        "planned_on": visits.planned_visit(visit.location),
        "visit_query": VISIT_QUERY,
        "history": visits.visit_history(visit),
    }
    return render(request, "pages/visit_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def visit_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = visits.own_visit(request.user, pk)
    form, saved = entry_form(
        request,
        VisitEditForm,
        initial=lambda: {"agreements": visit.agreements, "next_visit_on": visits.planned_visit(visit.location)},
        save=partial(visits.visit_update, visit=visit, editor=request.user),
    )
    if saved is None:
        return render(request, "pages/visit_form.html", {"form": form, "location": visit.location, "visit": visit})
    messages.success(request, _("Your changes were saved."))
    return redirect("visit_detail", pk=visit.pk)
