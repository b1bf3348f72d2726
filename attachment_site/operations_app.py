from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The operator's side (attachment_site/observability.py): connects the task and login signals to the
    log lines and metrics, in the web workers and in the task worker alike."""

    name = "attachment_site"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from attachment_site.observability import connect_signals

        connect_signals()
