"""The access log in the administration: read-only, each organisation admin their own organisation's rows."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from access_log.models import AccessLog
from organisations.admin_scoping import ScopedAdmin
from staff.scope import AnyUser


def visible_access_log(user: AnyUser) -> QuerySet[AccessLog]:
    return AccessLog.objects.visible_to(user)


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdmin):
    """Read-only: organisation admins see their own organisation's rows."""

    accessor = staticmethod(visible_access_log)
    list_display = ["created_at", "user", "child", "pseudonym", "action", "path", "weeks", "period_start", "period_end"]
    list_filter = ["action"]
    list_select_related = ["user", "child"]
    date_hierarchy = "created_at"
    search_fields = ["child__first_name", "child__last_name", "pseudonym", "user__email"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AccessLog | None = None) -> bool:
        return False
