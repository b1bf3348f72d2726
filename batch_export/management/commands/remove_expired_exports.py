"""Remove the zips of batch exports past their time (EXPORT_KEEP_HOURS), and the PDFs kept longer than
reports.pdf_cache.CACHE_KEEP_DAYS days (reports/pdf_cache.py `remove_stale_pdfs`); run it daily, e.g. from cron
beside django-tasks' `prune_db_task_results` (docs/operations.md, Daily jobs)."""

from typing import Any

from django.core.management.base import BaseCommand

from batch_export.services import remove_expired_exports
from reports.pdf_cache import remove_stale_pdfs


class Command(BaseCommand):
    help = "Remove the zips of batch exports whose time has passed, and PDFs kept too long."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = remove_expired_exports()
        self.stdout.write(f"{removed} expired export(s) removed.")
        stale = remove_stale_pdfs()
        if stale:
            self.stdout.write(f"{stale} kept PDF(s) removed.")
