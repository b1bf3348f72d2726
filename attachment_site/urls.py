from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from staff.forms import EmailAuthenticationForm

admin.site.site_header = "Gehechtheid in beeld"
admin.site.site_title = "Gehechtheid in beeld"

urlpatterns = [
    path(
        "inloggen/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("wachtwoord/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("wachtwoord/gewijzigd/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
    path("", include("pages.urls")),
]
