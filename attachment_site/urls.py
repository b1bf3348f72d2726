from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from attachment_site import health
from attachment_site.favicon import favicon
from attachment_site.observability import metrics
from attachment_site.second_step import (
    second_step,
    second_step_passkey_remove,
    second_step_passkey_setup,
    second_step_setup,
)
from staff import sso
from staff.forms import EmailAuthenticationForm
from staff.password_reset import EmailPasswordResetForm
from staff.tokens import reset_token_generator
from staff.views import InvitationAcceptView, InvitationDoneView, OwnPasswordChangeView

admin.site.site_header = "Gehechtheid in beeld"
admin.site.site_title = "Gehechtheid in beeld"

urlpatterns = [
    path(
        "inloggen/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    # Single sign-on with an organisation's own accounts (staff/sso.py): its login page, its button,
    # and the provider's way back.
    path("inloggen/sso/terug/", sso.callback, name="sso_callback"),
    path("inloggen/<slug:slug>/", sso.organisation_login, name="sso_login"),
    path("inloggen/<slug:slug>/sso/", sso.start, name="sso_start"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    # The second step after the password (staff/second_factor.py): a passkey or the code, and setting
    # up the app or a passkey (staff/passkeys.py).
    path("tweede-stap/", second_step, name="second_step"),
    path("tweede-stap/instellen/", second_step_setup, name="second_step_setup"),
    path("tweede-stap/passkey/", second_step_passkey_setup, name="second_step_passkey_setup"),
    path("tweede-stap/passkey/<int:pk>/verwijderen/", second_step_passkey_remove, name="second_step_passkey_remove"),
    path("wachtwoord/", OwnPasswordChangeView.as_view(), name="password_change"),
    path("wachtwoord/gewijzigd/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # Password reset by e-mail: the same answer, and the same work, for every address; the mail goes
    # out from the task queue, links only for active accounts (staff/password_reset.py).
    path(
        "wachtwoord-vergeten/",
        auth_views.PasswordResetView.as_view(form_class=EmailPasswordResetForm),
        name="password_reset",
    ),
    path("wachtwoord-vergeten/verstuurd/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(token_generator=reset_token_generator),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-herstellen/klaar/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    # The invitation of new staff: its one-time link to choose a password (staff/invitations.py).
    path("uitnodiging/klaar/", InvitationDoneView.as_view(), name="invitation_done"),
    path("uitnodiging/<uidb64>/<token>/", InvitationAcceptView.as_view(), name="invitation_accept"),
    path("favicon.ico", favicon, name="favicon"),
    # The operator's endpoints (docs/operations.md): probes without a login, metrics for their network.
    path("health/live/", health.live, name="health_live"),
    path("health/ready/", health.ready, name="health_ready"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path("", include("pages.urls")),
]

# 400, 403 and 404: Django's own handlers with templates/400.html, 403.html, 404.html.
handler500 = "attachment_site.views.server_error"
