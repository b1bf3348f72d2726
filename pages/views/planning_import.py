"""Reading in from the planning system, for organisation admins: upload the export, match its columns
to ours (remembered per organisation as an `ImportMapping`, the format of the command's `--mapping`),
read the dry run, apply it. The rules are planning_import's (the command `import_organisation` uses the
same functions); the uploaded file waits as a `PendingImport` between the steps and is removed when
applied."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from organisations.models import Organisation
from pages.http import AuthenticatedHttpRequest
from planning_import.applying import ImportResult, apply_import
from planning_import.columns import COLUMNS, recognise_columns, suggest_mapping
from planning_import.models import ImportMapping, PendingImport
from planning_import.planning import ImportPlan, PlaceKind, Status, plan_import
from planning_import.reading import ImportFileError, Table, read_table
from planning_import.report import (
    lookalike_warning,
    lookalikes_summary,
    place_detail,
    place_words,
    places_stay,
    result_places,
    unread_sheets,
)
from staff.access import user_access, visible_organisations
from staff.models import Role


class UploadForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=gettext_lazy("Organisation"))
    file = forms.FileField(
        label=gettext_lazy("Export from the planning system"),
        help_text=gettext_lazy("CSV (comma or semicolon) or Excel (.xlsx), at most 10 MB."),
    )

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
        if len(organisations) == 1:
            field.initial = organisations[0]


def _organisations(request: AuthenticatedHttpRequest) -> QuerySet[Organisation]:
    """The organisations whose records the user sets up; anyone else gets a 404."""
    if not user_access(request.user).manages_records:
        raise Http404
    return visible_organisations(request.user).order_by("name")


@require_http_methods(["GET", "POST"])
@login_required
def planning_import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    PendingImport.objects.expired().delete()
    form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        organisation = form.cleaned_data["organisation"]
        try:
            read_table(upload)
        except ImportFileError as error:
            form.add_error("file", error.message)
        else:
            upload.seek(0)
            PendingImport.objects.filter(uploaded_by=request.user, organisation=organisation).delete()
            pending = PendingImport.objects.create(
                organisation=organisation,
                uploaded_by=request.user,
                filename=(upload.name or "")[:200],
                data=upload.read(),
            )
            return redirect("planning_import_columns", pk=pending.pk)
    return render(request, "pages/planning_import.html", {"form": form})


def _pending(request: AuthenticatedHttpRequest, pk: str) -> PendingImport:
    """The user's own upload, not yet expired, for an organisation they set up; else a 404."""
    organisations = _organisations(request)
    waiting = PendingImport.objects.exclude(pk__in=PendingImport.objects.expired().values("pk"))
    return get_object_or_404(
        waiting.select_related("organisation"), pk=pk, uploaded_by=request.user, organisation__in=organisations
    )


NOT_USED = ""
_CHILD_CODES = tuple(COLUMNS)[:11]
_GROUP_CODES = ("min_age", "max_age")


def _field_choices() -> list[tuple[str, Any]]:
    return [
        (NOT_USED, _("not used")),
        (_("Children"), [(code, COLUMNS[code][0]) for code in _CHILD_CODES]),
        (_("Staff"), [(code, COLUMNS[code][0]) for code in COLUMNS if code not in (*_CHILD_CODES, *_GROUP_CODES)]),
        (_("Groups"), [(code, COLUMNS[code][0]) for code in _GROUP_CODES]),
    ]


class ColumnsForm(forms.Form):
    """One select per column of the file: which of our fields it holds, or "not used"."""

    def __init__(
        self, *args: Any, headers: tuple[str, ...], examples: dict[str, str], initial_mapping: dict[str, str | None]
    ) -> None:
        super().__init__(*args)
        self.headers = headers
        self.columns: list[tuple[str, forms.BoundField, str]] = []
        for index, header in enumerate(headers):
            if not header or header in headers[:index]:
                continue
            name = f"column_{index}"
            attrs = {"class": "form-select"}
            if examples.get(header):
                attrs["aria-describedby"] = f"id_{name}_example"
            self.fields[name] = forms.ChoiceField(
                label=header,
                choices=_field_choices(),
                required=False,
                initial=initial_mapping.get(header) or NOT_USED,
                widget=forms.Select(attrs=attrs),
            )
            self.columns.append((header, self[name], examples.get(header, "")))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mapping: dict[str, str | None] = {}
        for header, bound, _example in self.columns:
            mapping[header] = cleaned.get(bound.name) or None
        chosen = [code for code in mapping.values() if code]
        twice = sorted({code for code in chosen if chosen.count(code) > 1}, key=list(COLUMNS).index)
        if twice:
            raise forms.ValidationError(
                _("Several columns are set to %(names)s. Choose one column for each field.")
                % {"names": ", ".join(COLUMNS[code][0] for code in twice)}
            )
        try:
            recognise_columns(self.headers, mapping)
        except ImportFileError as error:
            raise forms.ValidationError(error.message) from None
        self.mapping = mapping
        return cleaned


def _examples(table: Table) -> dict[str, str]:
    """The first filled cell of each column, to recognise what it holds."""
    examples: dict[str, str] = {}
    for index, header in enumerate(table.headers):
        value = next((row.cell(index) for row in table.rows if row.cell(index)), "")
        examples.setdefault(header, value[:40])
    return examples


def _remembered(organisation: Organisation) -> dict[str, str | None]:
    saved = ImportMapping.objects.filter(organisation=organisation).first()
    return dict(saved.mapping) if saved else {}


@require_http_methods(["GET", "POST"])
@login_required
def planning_import_columns(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """The mapping step: the file's columns, each matched to one of our fields, preselected from the
    organisation's remembered mapping or the usual column names; saving remembers it and goes on."""
    pending = _pending(request, pk)
    table = read_table(bytes(pending.data))
    initial = pending.mapping or suggest_mapping(table.headers, _remembered(pending.organisation))
    form = ColumnsForm(request.POST or None, headers=table.headers, examples=_examples(table), initial_mapping=initial)
    if request.method == "POST" and form.is_valid():
        ImportMapping.objects.update_or_create(
            organisation=pending.organisation, defaults={"mapping": form.mapping, "updated_by": request.user}
        )
        pending.mapping = form.mapping
        pending.save(update_fields=["mapping"])
        return redirect("planning_import_plan", pk=pending.pk)
    context = {"pending": pending, "form": form, "unread_sheets": unread_sheets(table)}
    return render(request, "pages/planning_import_columns.html", context)


def _plan(pending: PendingImport) -> ImportPlan:
    """Raises ImportFileError when no mapping was confirmed and the usual names do not suffice."""
    table = read_table(bytes(pending.data))
    mapping = pending.mapping
    if mapping is None:
        mapping = suggest_mapping(table.headers, _remembered(pending.organisation))
    return plan_import(pending.organisation, table, recognise_columns(table.headers, mapping))


STATUS_WORDS = {
    Status.NEW: pgettext_lazy("import row", "new"),
    Status.CHANGED: pgettext_lazy("import row", "changed"),
    Status.ENDING: pgettext_lazy("import row", "ending"),
    Status.UNCHANGED: pgettext_lazy("import row", "unchanged"),
}
REFUSED = pgettext_lazy("import row", "refused")


def _rows(plan: ImportPlan) -> list[dict[str, Any]]:
    """Every line of the file as the table of the dry run shows it: its number, what happens, who,
    and what changes or why it is refused. A line that adds a location or group shows that too."""
    rows: list[dict[str, Any]] = []
    for place in plan.places:
        rows.append(
            {
                "line": place.line,
                "status": place.status.value,
                "word": STATUS_WORDS[place.status],
                "who": place_words(place, ages=False),
                "detail": place_detail(place),
                "warning": lookalike_warning(place),
            }
        )
    for line in plan.children:
        detail = ", ".join(line.changes) if line.changes else line.group_name
        who = _("%(name)s (child number %(number)s)") % {"name": line.name, "number": line.external_id}
        rows.append(
            {
                "line": line.line,
                "status": line.status.value,
                "word": STATUS_WORDS[line.status],
                "who": who,
                "detail": detail,
            }
        )
    for staff in plan.staff:
        name = f"{staff.first_name} {staff.last_name}".strip()
        who = f"{name} ({staff.email})" if name else staff.email
        rows.append(
            {
                "line": staff.line,
                "status": staff.status.value,
                "word": STATUS_WORDS[staff.status],
                "who": who,
                "detail": ", ".join(staff.changes) or str(Role(staff.role).label),
            }
        )
    for refusal in plan.refused:
        rows.append(
            {"line": refusal.line, "status": "refused", "word": REFUSED, "who": refusal.what, "detail": refusal.reason}
        )
    return sorted(rows, key=lambda row: row["line"])


def _saved(result: ImportResult) -> str:
    return _children_and_staff_saved(result) + " " + result_places(result)


def _children_and_staff_saved(result: ImportResult) -> str:
    return _(
        "Read in. Children: %(new)d new, %(changed)d changed, %(ended)d placements ended. "
        "Staff: %(staff)d new, %(memberships)d roles added."
    ) % {
        "new": result.children_new,
        "changed": result.children_changed,
        "ended": result.children_ended,
        "staff": result.staff_new,
        "memberships": result.memberships_new,
    }


@require_http_methods(["GET", "POST"])
@login_required
def planning_import_plan(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """The dry run of the uploaded file, made again on every visit (so it compares with the records as
    they are now); applying it plans it once more, inside the same request."""
    pending = _pending(request, pk)
    try:
        plan = _plan(pending)
    except ImportFileError:
        return redirect("planning_import_columns", pk=pending.pk)
    if request.method == "POST":
        result = apply_import(plan, by=request.user, confirm_ending=request.POST.get("confirm_ending") == "1")
        pending.delete()
        messages.success(request, _saved(result))
        return redirect("planning_import")
    changed = [line for line in plan.children if line.status in (Status.CHANGED, Status.ENDING)]
    places = [
        (place.line, place_words(place), lookalike_warning(place))
        for place in plan.places
        if place.status != Status.UNCHANGED
    ]
    context = {
        "places": places,
        "lookalikes": lookalikes_summary(plan),
        "places_stay": places_stay(),
        "pending": pending,
        "plan": plan,
        "changed": changed,
        "rows": _rows(plan),
        "counts": {
            "new": plan.count(Status.NEW),
            "changed": plan.count(Status.CHANGED),
            "ending": plan.count(Status.ENDING),
            "unchanged": plan.count(Status.UNCHANGED),
            "staff_new": plan.staff_count(Status.NEW),
            "staff_changed": plan.staff_count(Status.CHANGED),
            "staff_unchanged": plan.staff_count(Status.UNCHANGED),
            "locations_new": plan.place_count(PlaceKind.LOCATION, Status.NEW),
            "groups_new": plan.place_count(PlaceKind.GROUP, Status.NEW),
            "groups_changed": plan.place_count(PlaceKind.GROUP, Status.CHANGED),
        },
    }
    return render(request, "pages/planning_import_plan.html", context)
