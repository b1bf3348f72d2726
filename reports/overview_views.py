"""The group overview (matrix of children by pillars) and its CSV export.

Who may open them: staff of the group, managers and coaches of its location.
Organisation admins and everyone else get a 404.
"""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children.models import Child, Group, today
from observations.pillars import Direction
from reports.models import AccessLog
from reports.overview import FILTER_ATTENTION, SORTS, can_read_group, group_overview
from reports.patterns import PatternKind
from reports.services import access_log_record_many
from reports.summary import PATTERN_STYLE, WEEK_CHOICES, parse_weeks

SORT_LABELS = {
    "naam": gettext_lazy("name"),
    "aandachtspunten": gettext_lazy("number of attention points"),
    "laatst": gettext_lazy("last observed (longest ago first)"),
}
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _readable_group(request: HttpRequest, pk: int) -> Group:
    group = get_object_or_404(Group.objects.visible_to(request.user).select_related("location__organisation"), pk=pk)
    if not can_read_group(request.user, group):
        raise Http404
    return group


def _overview(request: HttpRequest, group: Group, weeks: int):
    return group_overview(
        group,
        weeks,
        children=Child.objects.observable_by(request.user),
        sort=request.GET.get("sort") or "naam",
        attention_only=request.GET.get("filter") == FILTER_ATTENTION,
    )


@login_required
def group_overview_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A bad `weken` falls back to the default window, with a notice on the page."""
    group = _readable_group(request, pk)
    weeks, weeks_message = parse_weeks(request.GET.get("weken"))
    overview = _overview(request, group, weeks)
    context = {
        "overview": overview,
        "summary": overview,  # reports/_caution.html and _how_to_read.html read `summary`
        "group": group,
        "weeks_message": weeks_message,
        "week_choices": WEEK_CHOICES,
        "sort_choices": [(code, SORT_LABELS[code]) for code in SORTS],
        "filter_attention": FILTER_ATTENTION,
        "legend": [(PatternKind(kind).label, style) for kind, style in PATTERN_STYLE.items()],
    }
    return render(request, "reports/group_overview.html", context)


def csv_cell(value) -> str:
    """The cell as text, never starting like a formula: child names are user input."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text


def overview_csv_rows(overview) -> list[list[str]]:
    """Header and one row per child and pillar, with the figures behind the pattern."""
    header = [
        _("Child"),
        _("Group"),
        _("Mentor"),
        _("Last observed"),
        _("Observations in period"),
        _("Pillar"),
        _("Pattern"),
        _("Direction"),
        _("Rated weeks"),
        _("Atypical weeks"),
        _("Ratings"),
        _("Typical"),
        _("Too little"),
        _("Too much"),
        _("Observers"),
        _("Observers who saw it as atypical"),
        _("Atypical on days with circumstances"),
        _("Circumstances on atypical days"),
        _("Period from"),
        _("Period until"),
    ]
    rows = [header]
    for row in overview.rows:
        for p in row.pillars:
            f = p.figures
            rows.append(
                [
                    row.child.full_name,
                    overview.group.name,
                    row.mentor.display_name if row.mentor else "",
                    row.last_observed.strftime("%d-%m-%Y") if row.last_observed else "",
                    row.entries,
                    p.pillar.name,
                    p.pattern.label,
                    str(Direction(p.pattern.dominant_direction).label) if p.pattern.dominant_direction else "",
                    f.rated_weeks,
                    f.atypical_weeks,
                    f.ratings,
                    f.typical,
                    f.low,
                    f.high,
                    f.observers,
                    f.atypical_observers,
                    f.atypical_with_circumstances,
                    ", ".join(f"{label} ({n})" for label, n in p.circumstances),
                    overview.period_start.strftime("%d-%m-%Y"),
                    overview.period_end.strftime("%d-%m-%Y"),
                ]
            )
    return [[csv_cell(cell) for cell in r] for r in rows]


@login_required
def group_overview_csv(request: HttpRequest, pk: int) -> HttpResponse:
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
    )
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(overview_csv_rows(overview))
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    filename = f"overzicht-{slugify(group.name) or group.pk}-{today():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
