"""Reading in from the planning system, for organisation admins: upload the export, read the dry run,
apply it. The rules are planning_import's (the command `import_organisation` uses the same functions);
the uploaded file waits as a `PendingImport` between the two steps and is removed when applied."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from organisations.models import Organisation
from pages.http import AuthenticatedHttpRequest
from planning_import.applying import ImportResult, apply_import
from planning_import.columns import recognise_columns
from planning_import.models import PendingImport
from planning_import.planning import ImportPlan, Status, plan_import
from planning_import.reading import ImportFileError, read_table
from staff.access import user_access, visible_organisations


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
            table = read_table(upload)
            recognise_columns(table.headers)
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
            return redirect("planning_import_plan", pk=pending.pk)
    return render(request, "pages/planning_import.html", {"form": form})


def _plan(pending: PendingImport) -> ImportPlan:
    table = read_table(bytes(pending.data))
    return plan_import(pending.organisation, table, recognise_columns(table.headers))


def _saved(result: ImportResult) -> str:
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
    organisations = _organisations(request)
    waiting = PendingImport.objects.exclude(pk__in=PendingImport.objects.expired().values("pk"))
    pending = get_object_or_404(
        waiting.select_related("organisation"), pk=pk, uploaded_by=request.user, organisation__in=organisations
    )
    plan = _plan(pending)
    if request.method == "POST":
        result = apply_import(plan, by=request.user, confirm_ending=request.POST.get("confirm_ending") == "1")
        pending.delete()
        messages.success(request, _saved(result))
        return redirect("planning_import")
    changed = [line for line in plan.children if line.status in (Status.CHANGED, Status.ENDING)]
    context = {
        "pending": pending,
        "plan": plan,
        "changed": changed,
        "counts": {
            "new": plan.count(Status.NEW),
            "changed": plan.count(Status.CHANGED),
            "ending": plan.count(Status.ENDING),
            "unchanged": plan.count(Status.UNCHANGED),
            "staff_new": plan.staff_count(Status.NEW),
            "staff_changed": plan.staff_count(Status.CHANGED),
        },
    }
    return render(request, "pages/planning_import_plan.html", context)
