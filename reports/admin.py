from django.contrib import admin

from children.admin_scoping import ScopedAdmin
from reports.models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdmin):
    """Read-only: organisation admins see their own organisation's rows."""

    list_display = ["created_at", "user", "child", "action", "weeks", "period_start", "period_end"]
    list_filter = ["action"]
    list_select_related = ["user", "child"]
    date_hierarchy = "created_at"
    search_fields = ["child__first_name", "child__last_name", "user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
