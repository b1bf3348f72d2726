import datetime
from collections.abc import Callable
from contextlib import nullcontext

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from access_log.models import AccessLog
from access_log.services import access_log_record
from children.access import child_access
from children.models import Child
from organisations.calendar import Week, today
from organisations.downloads import Download, attachment
from pages.http import AuthenticatedHttpRequest
from pages.read_only import reads_from_replica
from reports.figures import window
from reports.handout import parent_handout, render_parent_handout_pdf
from reports.language import PARENT_LANGUAGE_CODES, parent_language
from reports.pdf import render_child_summary_pdf
from reports.pdf_cache import PdfKind, cached_pdf
from reports.summary import WEEK_CHOICES, ChildSummary, child_summary, parse_weeks


def _observable_child(request: AuthenticatedHttpRequest, pk: int, *, for_download: bool = False) -> Child:
    """The child, if the user may read its observations (`for_download`: take them away as a PDF):
    staff of the child's group, managers and coaches of its location; 404 for everyone else."""
    access = child_access(request.user, pk)
    if not (access.may_export if for_download else access.may_read_observations):
        raise Http404
    return access.child


def _log(request: AuthenticatedHttpRequest, child: Child, action: str, weeks: int, span: tuple[Week, ...]) -> None:
    access_log_record(
        user=request.user,
        child=child,
        action=action,
        weeks=weeks,
        period_start=span[0].start,
        period_end=span[-1].end,
        path=request.get_full_path(),
    )


@reads_from_replica
@require_safe
@login_required
def child_summary_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A bad `weken` falls back to the default window, with a notice on the page."""
    child = _observable_child(request, pk)
    weeks, weeks_message = parse_weeks(request.GET.get("weken"))
    summary = child_summary(child, weeks)
    _log(request, child, AccessLog.Action.VIEW, summary.weeks, summary.window)
    context = {
        "summary": summary,
        "child": child,
        "weeks_message": weeks_message,
        "week_choices": WEEK_CHOICES,
        # The handout in another language than the parents' own, for this print.
        "other_languages": [
            (code, translation.get_language_info(code)["name_local"])
            for code in PARENT_LANGUAGE_CODES
            if code != child.parents_language
        ],
    }
    return render(request, "pages/child_summary.html", context)


def _summary_pdf(
    request: AuthenticatedHttpRequest,
    pk: int,
    kind: PdfKind,
    draw: Callable[[ChildSummary, datetime.date], Download],
    *,
    for_parents: bool = False,
) -> HttpResponse:
    """A PDF of the child's summary, logged as an export; kept per version (reports/pdf_cache.py). A bad
    `weken` gets a 400 with a message: a download cannot carry a notice. A document `for_parents` is made
    in the parents' language (the child's, or `?taal=` for this print; a bad one: 400 with a message too);
    the team's names the person who made it."""
    child = _observable_child(request, pk, for_download=True)
    weeks, weeks_message = parse_weeks(request.GET.get("weken"))
    if weeks_message:
        return HttpResponseBadRequest(weeks_message, content_type="text/plain; charset=utf-8")
    language = None
    if for_parents:
        language, language_message = parent_language(child, request.GET.get("taal"))
        if language_message:
            return HttpResponseBadRequest(language_message, content_type="text/plain; charset=utf-8")
    day = today()
    reader = () if for_parents else (request.user.pk,)
    made_by = () if for_parents else (request.user.display_name,)
    with translation.override(language) if language else nullcontext():
        download = cached_pdf(
            child,
            kind,
            lambda: draw(child_summary(child, weeks, until=day), day),
            slot=(weeks, get_language(), *reader),
            drawn_with=(day, *made_by),
        )
    _log(request, child, AccessLog.Action.EXPORT, weeks, window(weeks, day))
    return attachment(download)


@reads_from_replica
@require_safe
@login_required
def child_summary_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The summary for the team (the coach, the mentor)."""
    return _summary_pdf(
        request,
        pk,
        PdfKind.SUMMARY,
        lambda summary, day: render_child_summary_pdf(summary, made_by=request.user, made_on=day),
    )


@reads_from_replica
@require_safe
@login_required
def child_parent_handout_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The handout for the parent conversation: same access, window and access log as the summary PDF,
    in the parents' language."""
    return _summary_pdf(
        request,
        pk,
        PdfKind.HANDOUT,
        lambda summary, day: render_parent_handout_pdf(parent_handout(summary), made_on=day),
        for_parents=True,
    )
