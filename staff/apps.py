from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from organisations.admin_scoping import plug_in
        from staff import second_factor
        from staff.admin_scoping import StaffAdminScope
        from staff.invitations import mark_used_on_login
        from staff.middleware import stamp_login

        user_logged_in.connect(stamp_login, dispatch_uid="staff.stamp_login")
        user_logged_in.connect(mark_used_on_login, dispatch_uid="staff.invitation_used_on_login")
        second_factor.connect()
        plug_in(StaffAdminScope())  # who administers what, for every app's admin
