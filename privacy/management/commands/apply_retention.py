"""Remove the records of children who left more than RETENTION_MONTHS_AFTER_LEAVING months ago.

    python manage.py apply_retention --dry-run   # names each child it would remove, and what would go
    python manage.py apply_retention             # removes them; prints only ids and pseudonyms

Safe to run daily (docs/operations.md: a cron line and a systemd timer): a child is removed once, each in its
own transaction, and a run with nothing due changes nothing. The output of a real run names no
child: it ends up in mail and journals that outlive the record.
"""

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, no_translations

from organisations.calendar import numeric_date
from privacy.records import RecordsProtected, child_records
from privacy.retention import children_due, erase_if_still_due


def _counts(counts: list[tuple[str, int]]) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts)


class Command(BaseCommand):
    help = "Remove the records of children whose last placement ended more than the retention period ago."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only show what would be removed")

    @no_translations
    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        months = settings.RETENTION_MONTHS_AFTER_LEAVING
        due = children_due(months=months)
        verb = "Would remove" if dry_run else "Removing"
        self.stdout.write(
            f"Retention: {months} month(s) after the last placement ended. "
            f"{len(due)} record(s) due{' (dry run: nothing is removed)' if dry_run else ''}."
        )
        failed = 0
        for item in due:
            left = numeric_date(item.left_on)
            if dry_run:
                records = child_records(item.child)
                self.stdout.write(
                    f"{verb} child #{item.child.pk} {item.child.full_name} (left {left}): {_counts(records.counts())}"
                )
                continue
            try:
                erasure = erase_if_still_due(item.child, months=months)
            except RecordsProtected as error:
                failed += 1
                self.stderr.write(f"Could not remove child #{item.child.pk}: {error}")
                continue
            if erasure is None:
                self.stdout.write(f"Kept child #{item.child.pk}: no longer due (placed again, or a consent)")
                continue
            self.stdout.write(
                f"Removed child #{erasure.child_id} as {erasure.pseudonym} (left {left}): {_counts(erasure.counts)}"
            )
        if failed:
            raise CommandError(f"{failed} record(s) could not be removed.")
