"""The group overview (matrix of children by pillars) and its CSV export.

Who may open them: staff of the group, managers and coaches of its location.
Organisation admins and everyone else get a 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from access_log.models import AccessLog
from access_log.services import access_log_record_many, access_log_record_shown, children_shown
from children.models import Child
from organisations.calendar import today
from organisations.downloads import attachment
from organisations.models import Group
from pages.http import AuthenticatedHttpRequest
from pages.read_only import reads_from_replica
from reports.csv_export import render_group_overview_csv
from reports.overview import FILTER_ATTENTION, SORTS, GroupOverview, group_overview
from reports.patterns import PatternKind
from reports.summary import PATTERN_STYLE, WEEK_CHOICES, parse_weeks
from staff.access import readable_groups, user_access

SORT_LABELS = {
    "naam": gettext_lazy("name"),
    "aandachtspunten": gettext_lazy("number of attention points"),
    "laatst": gettext_lazy("last observed (longest ago first)"),
}


def _readable_group(request: AuthenticatedHttpRequest, pk: int) -> Group:
    return get_object_or_404(readable_groups(request.user).select_related("location__organisation"), pk=pk)


def _overview(request: AuthenticatedHttpRequest, group: Group, weeks: int) -> GroupOverview:
    return group_overview(
        group,
        weeks,
        children=Child.objects.observable_by(request.user),
        sort=request.GET.get("sort") or "naam",
        attention_only=request.GET.get("filter") == FILTER_ATTENTION,
    )


@reads_from_replica
@require_safe
@login_required
def group_overview_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A bad `weken` falls back to the default window, with a notice on the page."""
    group = _readable_group(request, pk)
    weeks, weeks_message = parse_weeks(request.GET.get("weken"))
    overview = _overview(request, group, weeks)
    access_log_record_shown(
        user=request.user,
        shown=children_shown(row.child for row in overview.rows),
        action=AccessLog.Action.VIEW_GROUP_OVERVIEW,
        path=request.get_full_path(),
        weeks=weeks,
        period_start=overview.period_start,
        period_end=overview.period_end,
    )
    context = {
        "overview": overview,
        "group": group,
        "weeks_message": weeks_message,
        "week_choices": WEEK_CHOICES,
        "sort_choices": [(code, SORT_LABELS[code]) for code in SORTS],
        "filter_attention": FILTER_ATTENTION,
        "legend": [(PatternKind(kind).label, style, kind) for kind, style in PATTERN_STYLE.items()],
        "can_export": user_access(request.user).may_export(group.location),
    }
    return render(request, "pages/group_overview.html", context)


@reads_from_replica
@require_safe
@login_required
def group_overview_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """UTF-8 with a byte order mark and `;` between cells, as Dutch Excel expects.
    A bad `weken` gets a 400: a download cannot carry a notice."""
    group = _readable_group(request, pk)
    weeks, weeks_message = parse_weeks(request.GET.get("weken"))
    if weeks_message:
        return HttpResponseBadRequest(weeks_message, content_type="text/plain; charset=utf-8")
    overview = _overview(request, group, weeks)
    access_log_record_many(
        user=request.user,
        children=[row.child for row in overview.rows],
        action=AccessLog.Action.EXPORT_CSV,
        weeks=weeks,
        period_start=overview.period_start,
        period_end=overview.period_end,
        path=request.get_full_path(),
    )
    return attachment(render_group_overview_csv(overview, made_on=today()))
