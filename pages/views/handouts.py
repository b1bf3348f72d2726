"""Preparing the parent handout, looking at it, marking it ready, and reprinting what was handed over
(issue 21). Who may: children/access.py (`may_record_conversation` prepares); the reprint follows the
conversation readers (reports/prepared.py `readable_ready_handout`). The work: reports/prepared.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from access_log.models import AccessLog
from access_log.services import access_log_record
from children.access import child_access
from children.models import Child
from organisations.downloads import attachment
from pages.http import AuthenticatedHttpRequest
from pages.read_only import reads_from_replica
from reports import prepared
from reports.forms import PreparedHandoutForm
from reports.models import PreparedHandout
from reports.pdf_cache import PdfKind, cached_pdf
from reports.summary import parse_weeks


def _preparing_child(request: AuthenticatedHttpRequest, pk: int) -> Child:
    """The child, if the user prepares its parent conversations (the coach, the child's mentor)."""
    access = child_access(request.user, pk)
    if not access.may_record_conversation:
        raise Http404
    return access.child


def _log(request: AuthenticatedHttpRequest, handout: PreparedHandout, action: str) -> None:
    access_log_record(
        user=request.user,
        child=handout.child,
        action=action,
        weeks=handout.weeks,
        period_start=handout.period_start,
        period_end=handout.period_end,
        path=request.get_full_path(),
    )


def _form(request: AuthenticatedHttpRequest, draft: PreparedHandout) -> PreparedHandoutForm:
    return PreparedHandoutForm(
        request.POST if request.method == "POST" else None,
        handout=prepared.stored_handout(draft),
        left_out=set(draft.left_out),
        draft_pk=draft.pk,
        language=draft.language,
    )


def _page(
    request: AuthenticatedHttpRequest, child: Child, draft: PreparedHandout, form: PreparedHandoutForm
) -> HttpResponse:
    context = {
        "child": child,
        "draft": draft,
        "form": form,
        "parts": form.parts(),
        "whose_notes": prepared.whose_notes_hint(child),
    }
    return render(request, "pages/handout_prepare.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def handout_prepare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    child = _preparing_child(request, pk)
    weeks, _message = parse_weeks(request.GET.get("weken"))
    if request.method == "GET":
        draft = prepared.draft_for(child=child, user=request.user, weeks=weeks)
        _log(request, draft, AccessLog.Action.VIEW)
        return _page(request, child, draft, _form(request, draft))
    action = request.POST.get("action")
    if action == "restart":
        prepared.begin_again(child=child, user=request.user, weeks=weeks)
        messages.info(request, _("The handout was made anew from the observations."))
        return redirect("handout_prepare", pk=child.pk)
    open_one = prepared.open_draft(child, request.user)
    if open_one is None or request.POST.get("draft") != str(open_one.pk):
        messages.error(request, _stale_message())
        return redirect("handout_prepare", pk=child.pk)
    form = _form(request, open_one)
    if not form.is_valid():
        return _page(request, child, open_one, form)
    handout, left_out = form.result()
    save = prepared.draft_finish if action == "ready" else prepared.draft_save
    try:
        saved = save(child=child, user=request.user, draft_pk=open_one.pk, handout=handout, left_out=left_out)
    except prepared.StaleDraft:
        messages.error(request, _stale_message())
        return redirect("handout_prepare", pk=child.pk)
    if saved.is_ready:
        messages.success(request, _("The handout is ready. It is kept exactly as it is now: print it for the parents."))
        return redirect("child_detail", pk=child.pk)
    return redirect("handout_draft_pdf", pk=child.pk)


def _stale_message() -> str:
    return _(
        "This handout was marked ready or begun again in the meantime (in another window?). Your changes were "
        "not saved: here is the handout as it is now."
    )


@reads_from_replica
@require_safe
@login_required
def handout_draft_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The PDF of the user's open draft as edited: to look at before marking it ready."""
    child = _preparing_child(request, pk)
    draft = prepared.open_draft(child, request.user)
    if draft is None:
        raise Http404
    download = prepared.render_prepared_pdf(draft)
    _log(request, draft, AccessLog.Action.EXPORT)
    return attachment(download)


@reads_from_replica
@require_safe
@login_required
def prepared_handout_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A ready handout printed again from its stored text, never generated anew; kept per version
    (reports/pdf_cache.py)."""
    handout = prepared.readable_ready_handout(request.user, pk)
    if handout is None:
        raise Http404
    download = cached_pdf(
        handout.child, PdfKind.PREPARED, lambda: prepared.render_prepared_pdf(handout), slot=(handout.pk,)
    )
    _log(request, handout, AccessLog.Action.EXPORT)
    return attachment(download)
