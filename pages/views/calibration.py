"""The calibration round (oefenronde): rate written vignettes with the entry chips, then see per
vignette the intended rating and why. Practice ratings live in calibration/, apart from observations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from calibration import selectors, services
from calibration.forms import PracticeForm, practice_label
from pages.http import AuthenticatedHttpRequest
from staff.access import user_access


def _refuse_without_organisation(request: AuthenticatedHttpRequest) -> None:
    """The round is for people who work somewhere: 404 for anyone without a membership."""
    if not user_access(request.user).has_memberships:
        raise Http404


@require_http_methods(["GET", "POST"])
@login_required
def practice_round(request: AuthenticatedHttpRequest) -> HttpResponse:
    _refuse_without_organisation(request)
    form = PracticeForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            saved = services.practice_round_save(user=request.user, answers=form.answers())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("practice_result", pk=saved.pk)
    return render(request, "pages/practice_round.html", {"form": form, "rows": form.rows()})


@require_safe
@login_required
def practice_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _refuse_without_organisation(request)
    found = selectors.own_round(request.user, pk)
    if found is None:
        raise Http404
    results = selectors.round_results(found)
    rows = [
        (
            result,
            practice_label(result.vignette.pillar, result.value),
            practice_label(result.vignette.pillar, result.vignette.intended),
        )
        for result in results
    ]
    context = {
        "practice_round": found,
        "rows": rows,
        "as_intended": sum(r.as_intended for r in results),
        "total": len(results),
    }
    return render(request, "pages/practice_result.html", context)


@require_POST
@login_required
def practice_later(request: AuthenticatedHttpRequest) -> HttpResponse:
    _refuse_without_organisation(request)
    services.practice_round_later(request.user)
    messages.info(request, _("Fine: you can do the practice round later from the menu."))
    return redirect("home")
