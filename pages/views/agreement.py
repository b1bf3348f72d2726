"""Agreement between observers at one location (issue 20): for its coach and its manager.
The coach also plans duo-observations here and sees the pillars to talk about (drift)."""

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from calibration.forms import chip_labels
from calibration.selectors import location_calibration_results
from children.models import Child
from observations.forms import DuoObservationForm
from observations.models import DuoObservation
from organisations.calendar import today
from organisations.models import Location
from pages.http import AuthenticatedHttpRequest
from pages.read_only import reads_from_replica
from reports.agreement import DRIFT_MIN_MEAN_DIFFERENCE, DRIFT_MIN_PAIRS, MIN_PAIRS_FOR_KAPPA, location_agreement
from reports.summary import WEEK_CHOICES, parse_weeks
from staff.access import group_logger_memberships, user_access, visible_locations
from staff.models import User


def _agreement_location(request: AuthenticatedHttpRequest, pk: int) -> Location:
    location = get_object_or_404(visible_locations(request.user), pk=pk)
    if not user_access(request.user).reads_agreement_at(location):
        raise Http404
    return location


def _coached_location(request: AuthenticatedHttpRequest, pk: int) -> Location:
    location = _agreement_location(request, pk)
    if not user_access(request.user).coaches_observers_at(location):
        raise Http404
    return location


def _children(request: AuthenticatedHttpRequest, location: Location) -> QuerySet[Child]:
    """The children placed at the location today that the user may read."""
    return Child.objects.observable_by(request.user).placed_on(today(), location.groups.all())


def _duo_form(request: AuthenticatedHttpRequest, location: Location) -> DuoObservationForm:
    group_ids = list(location.groups.values_list("pk", flat=True))
    children = _children(request, location).order_by("first_name")
    staff = User.objects.filter(memberships__in=group_logger_memberships(group_ids)).distinct().order_by("first_name")
    data = request.POST if request.method == "POST" else None
    return DuoObservationForm(data, children=children, staff=staff, initial={"planned_date": today()})


def _calibration(location: Location) -> list[dict[str, object]]:
    """The practice round's results of the location's staff per pillar (never per person), with the
    sides most often mixed up named in the chips' words."""
    rows: list[dict[str, object]] = []
    for result in location_calibration_results(location):
        labels = chip_labels(result.pillar)
        mixed = [(labels[c.intended], labels[c.given], c.count) for c in result.confusions[:2]]
        rows.append({"result": result, "mixed": mixed})
    return rows


def _page(request: AuthenticatedHttpRequest, location: Location, form: DuoObservationForm | None) -> HttpResponse:
    weeks, weeks_message = parse_weeks(request.GET.get("weken"))
    coach = user_access(request.user).coaches_observers_at(location)
    context = {
        "location": location,
        "agreement": location_agreement(location, weeks, day=today(), with_drift=coach),
        "weeks_message": weeks_message,
        "week_choices": WEEK_CHOICES,
        "min_pairs": MIN_PAIRS_FOR_KAPPA,
        "drift_min_pairs": DRIFT_MIN_PAIRS,
        "drift_step": DRIFT_MIN_MEAN_DIFFERENCE,
        "coach": coach,
        "duo_form": (form or _duo_form(request, location)) if coach else None,
        "duos": DuoObservation.objects.filter(child__in=_children(request, location), planned_date__gte=today())
        .select_related("child", "staff_a", "staff_b")
        .order_by("planned_date", "pk")
        if coach
        else None,
        "calibration": _calibration(location),
    }
    return render(request, "pages/agreement.html", context)


@reads_from_replica
@require_safe
@login_required
def location_agreement_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Per pillar over the chosen period: pairs, exact and within-one agreement, weighted kappa."""
    return _page(request, _agreement_location(request, pk), None)


@require_POST
@login_required
def duo_observation_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The coach plans a duo-observation; a bad form shows the page again with its errors."""
    location = _coached_location(request, pk)
    form = _duo_form(request, location)
    if not form.is_valid():
        return _page(request, location, form)
    form.instance.planned_by = request.user
    form.save()
    return redirect("location_agreement", pk=location.pk)
