from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatchExportConfig(AppConfig):
    name = "batch_export"
    verbose_name = _("Batch exports")
