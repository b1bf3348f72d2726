"""The admin site (the default one, see staff.admin_app): Django's, except that its
password change asks for the current password through the same throttle as the login, and its login
page refuses a password where the organisation signs in with its own accounts (staff/sso.py)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse

from staff.forms import AdminLoginForm
from staff.views import OwnPasswordChangeView


class StaffAdminSite(admin.AdminSite):
    login_form = AdminLoginForm  # password sign-in switched off per organisation holds here too

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Everything, except django-otp's own admin of the second factor's devices: their secrets are
        nobody's to browse or copy; an admin resets a lost second step from the user list instead
        (staff/admin.py `reset_second_step`)."""
        models = model_or_iterable if isinstance(model_or_iterable, list | tuple) else [model_or_iterable]
        models = [m for m in models if not m._meta.app_label.startswith("otp_")]
        if models:
            super().register(models, admin_class, **options)

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
