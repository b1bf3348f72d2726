"""The child's administration with the parents' rights (erasure and the access export), and the
parents' consent to keep a record longer.

The child admin lives floors down (children/admin.py) and cannot know about privacy; this module
extends it with the privacy parts and registers it: the one registration of the Child admin.
Deleting a child in the administration, one or several, is always the complete erasure
(privacy.erasure.erase_child): first a page that lists everything that will go, then the removal.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import DateField, DateTimeField, Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from access_log.models import AccessLog
from access_log.services import access_log_record
from children.admin import ChildAdmin
from children.models import Child
from organisations.admin_scoping import ScopedAdmin
from organisations.calendar import numeric_date, today
from organisations.downloads import attachment
from privacy.erasure import erase_child
from privacy.export import render_access_export
from privacy.models import RetentionConsent
from privacy.records import RecordsProtected, child_records
from staff.scope import AnyUser

CONFIRM = "erase"


def described(obj: Model) -> str:
    """A row that goes, on the confirmation page: its kind and its first date, nothing of what it
    says (an organisation admin manages records; they do not read observations, ratings, the
    parents' words or agreements, and a page that showed them would be a read to log)."""
    kind = capfirst(str(obj._meta.verbose_name))
    dates = [
        getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if isinstance(f, DateField) and not isinstance(f, DateTimeField)
    ]
    day = next((d for d in dates if d is not None), None)
    return f"{kind} – {numeric_date(day)}" if day is not None else kind


def consents_of_managed_children(user: AnyUser) -> QuerySet[RetentionConsent]:
    return RetentionConsent.objects.filter(child__in=Child.objects.managed_by(user))


@admin.register(RetentionConsent)
class RetentionConsentAdmin(ScopedAdmin):
    """The parents' consent to keep or hand over a record after the retention period."""

    accessor = staticmethod(consents_of_managed_children)
    list_display = ["child", "kind", "given_on", "until", "recorded_by"]
    list_select_related = ["child", "recorded_by"]
    list_filter = ["kind"]
    search_fields = ["child__first_name", "child__last_name"]
    autocomplete_fields = ["child"]
    fields = ["child", "kind", "given_on", "until", "note", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def choices_for(self, db_field: Any, request: HttpRequest) -> QuerySet[Any]:
        if db_field.name == "child":
            return Child.objects.managed_by(request.user)
        return super().choices_for(db_field, request)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Child)
class PrivacyChildAdmin(ChildAdmin):
    """The children's admin with the parents' rights: erasure and the access export."""

    actions = [*(ChildAdmin.actions or ()), "erase_children", "export_for_parents"]  # type: ignore[misc]

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # "erase_children" does it completely
        return actions

    # --- erasure ------------------------------------------------------------------------------

    def _erase(self, request: HttpRequest, children: Iterable[Child]) -> HttpResponseRedirect:
        pseudonyms = []
        for child in children:
            try:
                pseudonyms.append(erase_child(child, rule=AccessLog.Rule.REQUEST, by=request.user).pseudonym)
            except RecordsProtected:
                self.message_user(request, _("A record could not be removed: other data refers to it."), messages.ERROR)
        if pseudonyms:
            self.message_user(
                request,
                ngettext(
                    "%(n)d record was removed completely. The access log keeps it as %(pseudonyms)s.",
                    "%(n)d records were removed completely. The access log keeps them as %(pseudonyms)s.",
                    len(pseudonyms),
                )
                % {"n": len(pseudonyms), "pseudonyms": ", ".join(pseudonyms)},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:children_child_changelist"))

    def _confirmation(self, request: HttpRequest, children: list[Child], *, action: str | None) -> TemplateResponse:
        previews = []
        for child in children:
            records = child_records(child)
            previews.append(
                {
                    "child": child,
                    "counts": records.counts(),
                    "objects": [described(o) for o in records.live_objects() if not isinstance(o, Child)],
                    "access_log_rows": records.access_log.count(),
                    "protected": [str(o) for o in records.protected],
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Remove all data of a child"),
            "opts": self.opts,
            "previews": previews,
            "action": action,
            "confirm": CONFIRM,
            "selected": [child.pk for child in children],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/privacy/erase_confirmation.html", context)

    @admin.action(
        description=gettext_lazy("Remove all data of the selected children (erasure)"), permissions=["delete"]
    )
    def erase_children(self, request: HttpRequest, queryset: QuerySet[Child]) -> HttpResponse | None:
        children = list(queryset)
        if request.POST.get("confirm") == CONFIRM:
            return self._erase(request, children)
        return self._confirmation(request, children, action="erase_children")

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The delete page is the erasure: the same list of what goes, then the complete removal."""
        child = self.get_object(request, unquote(object_id))  # 404 outside the admin's organisations
        if not self.has_delete_permission(request, child):
            raise PermissionDenied
        if request.method == "POST" and request.POST.get("confirm") == CONFIRM:
            return self._erase(request, [child])
        return self._confirmation(request, [child], action=None)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Child]) -> None:
        for child in queryset:
            erase_child(child, rule=AccessLog.Rule.REQUEST, by=request.user)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        assert isinstance(obj, Child)
        erase_child(obj, rule=AccessLog.Rule.REQUEST, by=request.user)

    # --- the right of access --------------------------------------------------------------------

    @admin.action(
        description=gettext_lazy("Download everything stored about the child (access request)"), permissions=["view"]
    )
    def export_for_parents(self, request: HttpRequest, queryset: QuerySet[Child]) -> HttpResponse | None:
        children = list(queryset.select_related("organisation")[:2])
        if len(children) != 1:
            self.message_user(request, _("Choose exactly one child for an access export."), messages.WARNING)
            return None
        child = children[0]
        download = render_access_export(child, made_on=today())
        access_log_record(user=request.user, child=child, action=AccessLog.Action.EXPORT_ACCESS, path=request.path)
        return attachment(download)
