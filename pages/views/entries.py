"""Entry, change, removal and history of observations, and the mentor list.

Views parse the request, fetch through the scoped querysets, call one service or
selector, and render."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from access_log.models import AccessLog
from access_log.services import access_log_record, access_log_record_shown, children_shown
from calibration.services import practice_round_offered
from children.access import child_access
from children.entries import entry_form
from children.models import Child
from conversations import selectors as conversation_selectors
from observations import selectors, services, visits
from observations.forms import EditObservationForm, NewObservationForm, RemoveObservationForm
from observations.models import Observation, Visit
from organisations.calendar import today
from pages.http import AuthenticatedHttpRequest
from pages.signin_to_save import OBSERVATION_NOT_SAVED, login_required_keeping_post

SESSION_SITUATION = "observations.last_situation"
# Sent by the browser with an entry from its local queue (see _from_outbox).
OUTBOX_HEADER = "X-Queued-Entry"
# ?bezoek=<id> on the entry form: an observation made during that home visit (pages/views/visits.py).
VISIT_QUERY = "bezoek"


def _own_observation(request: AuthenticatedHttpRequest, pk: int) -> Observation:
    """An observation the user made and may still read; 404 for anything else."""
    observation = (
        Observation.objects.visible_to(request.user)
        .filter(observer=request.user)
        .select_related("child", "group", "observer")
        .filter(pk=pk)
        .first()
    )
    if observation is None:
        raise Http404
    return observation


def _from_outbox(request: AuthenticatedHttpRequest) -> bool:
    """An entry that waited in the browser for a connection (pages/static/pages/offline.js): it is
    told in JSON whether it was saved, instead of being sent on to the next page."""
    return request.headers.get(OUTBOX_HEADER) == "1"


def _error_texts(form: NewObservationForm) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


def _after_save(
    request: AuthenticatedHttpRequest, observation: Observation, created: bool, *, visit: Visit | None = None
) -> HttpResponse:
    name = observation.child.first_name
    if created:
        messages.success(request, _("Observation of %(child)s saved.") % {"child": name})
    else:
        messages.info(request, _("This observation of %(child)s was already saved.") % {"child": name})
    if visit is not None:  # back to the home visit, for the next child there
        return redirect("visit_detail", pk=visit.pk)
    if "save_next" in request.POST:
        following = selectors.next_child_in_group(observation.group, observation.child)
        if following is not None:
            return redirect("observation_new", child_pk=following.pk)
    return redirect("group_detail", pk=observation.group_id)


def _visit_of_request(request: AuthenticatedHttpRequest) -> Visit | None:
    """`?bezoek=<id>`: the entry is made during that home visit, the user's own (else 404)."""
    raw = request.GET.get(VISIT_QUERY)
    if raw is None:
        return None
    if not raw.isdigit():
        raise Http404
    return visits.own_visit(request.user, int(raw))


def _child_to_log(request: AuthenticatedHttpRequest, child_pk: int, visit: Visit | None) -> Child:
    """The child of a new entry: one the user logs for, or during a home visit one placed at the visited
    home on the day of the visit."""
    if visit is None:
        access = child_access(request.user, child_pk)  # 404 for a child the user may not see
        if not access.may_log:
            raise Http404
        return access.child
    return get_object_or_404(Child.objects.placed_on(visit.visited_on, visit.location.groups.all()), pk=child_pk)


@require_http_methods(["GET", "POST"])
@login_required_keeping_post(OBSERVATION_NOT_SAVED)
def observation_new(request: AuthenticatedHttpRequest, child_pk: int) -> HttpResponse:
    visit = _visit_of_request(request)
    child = _child_to_log(request, child_pk, visit)
    form, saved = entry_form(
        request,
        NewObservationForm,
        child=child,
        initial=lambda: {
            "child": child.pk,
            "date": visit.visited_on if visit else today(),
            # The moment the user chose last ("save and next child"), else free play: one tap fewer.
            "situation": request.session.get(SESSION_SITUATION, "free_play"),
        },
        save=partial(services.observation_create, child=child, observer=request.user, visit=visit),
    )
    if saved is not None:
        observation, created = saved
        if _from_outbox(request):
            return JsonResponse({"saved": True, "created": created})
        request.session[SESSION_SITUATION] = observation.situation
        return _after_save(request, observation, created, visit=visit)
    if form.is_bound and _from_outbox(request):
        return JsonResponse({"saved": False, "errors": _error_texts(form)}, status=422)
    return render(
        request,
        "pages/observation_form.html",
        {
            "form": form.read_choices(),
            "child": child,
            "editing": None,
            "visit": visit,
            "practice_offered": practice_round_offered(request.user),
            "duos": selectors.pending_duos(request.user, child=child),
            **_pillars_with_focus_first(form, child),
        },
    )


def _initial_from(observation: Observation) -> dict[str, object]:
    initial = {
        "child": observation.child_id,
        "date": observation.date,
        "situation": observation.situation,
        "circumstances": observation.circumstances,
        "note": observation.note,
        "observed_with": observation.observed_with_id,
        "version": observation.version,
    }
    for rating in observation.ratings.all():
        initial[f"kind_{rating.pillar}"] = rating.direction or services.TYPICAL_KIND
        initial[f"strength_{rating.pillar}"] = rating.strength or ""
        initial[f"note_{rating.pillar}"] = rating.note
    return initial


def _refuse_when_closed(request: AuthenticatedHttpRequest, observation: Observation) -> HttpResponse | None:
    if services.can_change(observation, request.user):
        return None
    messages.error(
        request,
        _("An observation can only be changed or removed by its observer within %(days)d days.")
        % {"days": settings.OBSERVATION_EDIT_DAYS},
    )
    return redirect("observation_detail", pk=observation.pk)


def _open_for_change(request: AuthenticatedHttpRequest, pk: int) -> tuple[Observation, HttpResponse | None]:
    """The user's own observation, and a redirect with a message when its edit window has closed;
    while it is open, the form about to show the entry is logged as a read."""
    observation = _own_observation(request, pk)
    refused = _refuse_when_closed(request, observation)
    if refused is None:
        _log_shown_entry(request, observation)
    return observation, refused


@require_http_methods(["GET", "POST"])
@login_required_keeping_post(OBSERVATION_NOT_SAVED)
def observation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    observation, refused = _open_for_change(request, pk)
    if refused:
        return refused
    form, saved = entry_form(
        request,
        EditObservationForm,
        child=observation.child,
        initial=lambda: _initial_from(observation),
        save=partial(services.observation_update, observation=observation, editor=request.user),
    )
    if saved is not None:
        messages.success(request, _("Your changes were saved."))
        return redirect("observation_detail", pk=observation.pk)
    return render(
        request,
        "pages/observation_form.html",
        {
            "form": form.read_choices(),
            "child": observation.child,
            "editing": observation,
            **_pillars_with_focus_first(form, observation.child),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def observation_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    observation, refused = _open_for_change(request, pk)
    if refused:
        return refused
    form, removed = entry_form(
        request,
        RemoveObservationForm,
        initial=lambda: {"version": observation.version},
        save=partial(services.observation_remove, observation=observation, editor=request.user),
    )
    if removed is not None:
        messages.success(request, _("The observation was removed. It stays in the change history."))
        return redirect(reverse("child_detail", args=[observation.child_id]))
    context = {"entry": selectors.TimelineEntry.of(observation), "observation": observation, "form": form}
    return render(request, "pages/observation_remove.html", context)


def _log_shown_entry(request: AuthenticatedHttpRequest, observation: Observation) -> None:
    """The change and removal forms show the entry too: in the access log like its own page (on GET)."""
    if request.method == "GET":
        access_log_record(
            user=request.user,
            child=observation.child,
            action=AccessLog.Action.VIEW_OBSERVATION,
            path=request.get_full_path(),
            observation_id=observation.pk,
        )


@require_safe
@login_required
def observation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    observation = selectors.observation_for_reader(request.user, pk)
    if observation is None:
        raise Http404
    access_log_record(
        user=request.user,
        child=observation.child,
        action=AccessLog.Action.VIEW_OBSERVATION,
        path=request.get_full_path(),
        observation_id=observation.pk,
    )
    return render(
        request,
        "pages/observation_detail.html",
        {
            "entry": selectors.TimelineEntry.of(observation),
            "observation": observation,
            "history": selectors.observation_history(observation),
            "can_change": services.can_change(observation, request.user),
        },
    )


@require_safe
@login_required
def mentor_children(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = selectors.mentor_children(request.user)
    access_log_record_shown(
        user=request.user,
        shown=children_shown(r.child for r in rows),
        action=AccessLog.Action.VIEW_MENTOR_LIST,
        path=request.get_full_path(),
    )
    day = today()
    last = conversation_selectors.last_conversation_dates(r.child.pk for r in rows)
    entries = [
        (
            row,
            last.get(row.child.pk),
            conversation_selectors.is_yearly_conversation_missing(last.get(row.child.pk), day),
        )
        for row in rows
    ]
    return render(request, "pages/mentor_children.html", {"entries": entries})


def _pillars_with_focus_first(form: NewObservationForm | EditObservationForm, child: Child) -> dict[str, object]:
    """The pillar rows, those the group watches for this child (a parent conversation's focus) first."""
    focus = conversation_selectors.active_focus([child.pk]).get(child.pk)
    rows = form.pillar_rows()
    if focus is not None:
        codes = {p.code for p in focus.pillars}
        rows = sorted(rows, key=lambda row: row.pillar.code not in codes)
    return {"rows": rows, "focus": focus}
