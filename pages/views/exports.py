"""Batch export pages: ask for the PDFs of a group or a location, follow the progress, fetch the zip.

Who: managers and coaches of the location (staff.access: `user_access(user).may_export`) ask; only the person who
asked sees the progress and fetches the zip (anyone else: 404), until it expires (410 after).
The progress page updates itself through pages/static/pages/export.js polling the JSON
endpoint; without JavaScript it refreshes itself (a meta refresh inside <noscript>).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from batch_export.models import BatchExport
from batch_export.services import TooManyOpenExports, exports_of, open_for_download, request_batch_export
from organisations.models import Group, Location
from pages.http import AuthenticatedHttpRequest
from reports.summary import parse_weeks
from staff.access import readable_groups, user_access, visible_locations

REFRESH_SECONDS = 3


def _asked_from(group: Group | None, location: Location, weeks: int) -> str:
    """The page with the button that asks for the export."""
    if group is not None:
        return f"{reverse('group_overview', args=[group.pk])}?weken={weeks}"
    return reverse("location_detail", args=[location.pk])


def _start(request: AuthenticatedHttpRequest, *, group: Group | None, location: Location) -> HttpResponse:
    """Ask for the export and show its progress: a repeated request shows the one already asked for;
    one too many goes back to the page with a message."""
    if not user_access(request.user).may_export(location):
        raise Http404
    weeks, _message = parse_weeks(request.POST.get("weken"))
    kind = request.POST.get("soort", BatchExport.Kind.SUMMARIES)
    if kind not in BatchExport.Kind.values:
        return HttpResponseBadRequest(
            _("Choose the summaries for the team or the handouts for the parents."),
            content_type="text/plain; charset=utf-8",
        )
    try:
        export, created = request_batch_export(
            user=request.user,
            weeks=weeks,
            group=group,
            location=location,
            language=get_language() or "nl",
            kind=kind,
        )
    except TooManyOpenExports as refused:
        text = ngettext(
            "You already have %(count)s zip being made. Wait until it is ready, then ask for the next.",
            "You already have %(count)s zips being made. Wait until one is ready, then ask for the next.",
            refused.count,
        )
        messages.error(request, text % {"count": refused.count})
        return redirect(_asked_from(group, location, weeks))
    if not created:
        messages.info(request, _("You had already asked for this zip: here is how far it is."))
    return redirect("export_status", pk=export.pk)


@require_POST
@login_required
def group_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(readable_groups(request.user).select_related("location"), pk=pk)
    return _start(request, group=group, location=group.location)


@require_POST
@login_required
def location_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(visible_locations(request.user), pk=pk)
    return _start(request, group=None, location=location)


def _own_export(request: AuthenticatedHttpRequest, pk: str) -> BatchExport:
    return get_object_or_404(exports_of(request.user), pk=pk)


def progress(export: BatchExport) -> dict[str, object]:
    """What the progress page shows, for the page and its JSON endpoint alike."""
    status, ready = export.shown_status, export.is_ready
    return {
        "status": status,
        "status_label": str(BatchExport.Status(status).label),
        "done": export.done,
        "total": export.total,
        "percent": export.percent,
        "finished": export.finished or status == BatchExport.Status.EXPIRED,
        "failures": [str(f.get("name", "")) for f in export.failures],
        "interrupted": status == BatchExport.Status.FAILED and export.error == BatchExport.INTERRUPTED,
        "download_url": reverse("export_download", args=[export.pk]) if ready else None,
        "expires_at": formats.date_format(timezone.localtime(export.expires_at), "DATETIME_FORMAT")
        if ready and export.expires_at
        else None,
    }


@require_safe
@login_required
def export_status(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    export = _own_export(request, pk)
    context = {
        "export": export,
        "progress": progress(export),
        "refresh_seconds": REFRESH_SECONDS,
        "progress_url": reverse("export_progress", args=[export.pk]),
    }
    return render(request, "pages/export_status.html", context)


@require_safe
@login_required
def export_progress(request: AuthenticatedHttpRequest, pk: str) -> JsonResponse:
    response = JsonResponse(progress(_own_export(request, pk)))
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@login_required
def export_download(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse | FileResponse:
    export = _own_export(request, pk)
    opened = open_for_download(export, user=request.user, path=request.get_full_path())
    if opened is None:
        return render(request, "pages/export_status.html", {"export": export, "progress": progress(export)}, status=410)
    name = export.file.name.rsplit("/", 1)[-1]
    response = FileResponse(opened, as_attachment=True, filename=name, content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response
