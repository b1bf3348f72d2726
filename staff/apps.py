from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from staff.middleware import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="staff.stamp_login")
