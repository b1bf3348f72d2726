from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = _("Group tablets")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from devices.services import password_login_received

        user_logged_in.connect(password_login_received, dispatch_uid="devices.password_login")
