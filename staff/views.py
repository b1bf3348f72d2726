"""The password change page: Django's, with the throttled form (staff.forms.OwnPasswordChangeForm).
The app serves it at /wachtwoord/, the admin site at /beheer/password_change/ (staff.admin_site)."""

from typing import Any

from django.contrib.auth.views import PasswordChangeView

from staff.forms import OwnPasswordChangeForm


class OwnPasswordChangeView(PasswordChangeView):
    form_class = OwnPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs
