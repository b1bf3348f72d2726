"""The admin site (the default one, see staff.admin_app): Django's, except that its
password change asks for the current password through the same throttle as the login."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse

from staff.views import OwnPasswordChangeView


class StaffAdminSite(admin.AdminSite):
    def password_change(  # type: ignore[override]  # the stub says TemplateResponse; a success redirects
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponseBase:
        """As AdminSite.password_change, with the throttled view and form."""
        request.current_app = self.name
        view = OwnPasswordChangeView.as_view(
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )
        return view(request)
