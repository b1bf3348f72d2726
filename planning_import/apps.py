from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningImportConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "planning_import"
    verbose_name = _("reading in from the planning system")
