"""The password change page: Django's, with the throttled form (staff.forms.OwnPasswordChangeForm).
The app serves it at /wachtwoord/, the admin site at /beheer/password_change/ (staff.admin_site).

The page of an invitation's link (/uitnodiging/.../): Django's reset confirm view with the invitation's
tokens (staff/invitations.py)."""

from typing import Any

from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.views import PasswordChangeView, PasswordResetConfirmView
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.views.generic import TemplateView

from staff.forms import OwnPasswordChangeForm, password_off_message
from staff.invitations import mark_used, sso_login_path, uses_single_sign_on
from staff.models import Invitation, SingleSignOn, User
from staff.tokens import invitation_token_generator


class OwnPasswordChangeView(PasswordChangeView):
    form_class = OwnPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["request"] = self.request
        return kwargs


class InvitationAcceptView(PasswordResetConfirmView):
    """Choose a password through the invitation's link, once. Django swaps the token for a session key
    first (the link leaves no token in the address bar); the form is Django's, with the password
    validators. Nobody is logged in here: the person logs in on the login page afterwards, with its
    lockout (django-axes) and whatever else it asks."""

    token_generator = invitation_token_generator
    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("invitation_done")
    form_class = SetPasswordForm
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:  # type: ignore[type-arg]
        """Once: two posts at once take turns on the invitation's row, and the second finds it used.
        Never where the organisation switched password sign-in off: the page offers no form there."""
        if SingleSignOn.refusing_password_of(form.user) is not None:
            return self.render_to_response(self.get_context_data())
        with transaction.atomic():
            invitation = Invitation.objects.select_for_update().filter(user=form.user).first()
            if invitation is None or not invitation.is_open:
                self.validlink = False
                return self.render_to_response(self.get_context_data())
            response = super().form_valid(form)
            mark_used(form.user)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user: User | None = self.user
        invitation = Invitation.objects.select_related("organisation").filter(user=user).first() if user else None
        organisation = invitation.organisation if invitation else None
        refusing = SingleSignOn.refusing_password_of(user) if user else None
        context.update(
            organisation=organisation,
            single_sign_on=uses_single_sign_on(organisation),
            sso_login_path=sso_login_path(organisation),
            password_off=password_off_message(refusing) if refusing else "",
            password_off_label=refusing.button_label if refusing else "",
        )
        return context


class InvitationDoneView(TemplateView):
    template_name = "registration/invitation_done.html"
