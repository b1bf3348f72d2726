"""Remove the zips of batch exports past their time (EXPORT_KEEP_HOURS); run it daily, e.g. from cron
beside django-tasks' `prune_db_task_results` (docs/operations.md, Daily jobs)."""

from typing import Any

from django.core.management.base import BaseCommand

from batch_export.services import remove_expired_exports


class Command(BaseCommand):
    help = "Remove the zips of batch exports whose time has passed."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = remove_expired_exports()
        self.stdout.write(f"{removed} expired export(s) removed.")
