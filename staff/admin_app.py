"""django.contrib.admin as installed here (INSTALLED_APPS): its default site is staff.admin_site's,
whose password change is throttled like the login. A module of its own: the app registry imports it
before any model is ready, and staff/apps.py may declare only the staff app."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default = False
    default_site = "staff.admin_site.StaffAdminSite"
