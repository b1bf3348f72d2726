"""Remove one child's record completely, on request of the parents (the right to erasure).

    python manage.py erase_child 42          # shows what would go
    python manage.py erase_child 42 --yes    # removes it

The same removal as the retention (privacy.erasure.erase_child); the access log keeps a row
with a pseudonym, when and by which rule.
"""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, no_translations

from access_log.models import AccessLog
from children.models import Child
from privacy.erasure import erase_child
from privacy.records import RecordsProtected, child_records
from staff.models import User


class Command(BaseCommand):
    help = "Remove everything stored about one child (erasure on request). Without --yes it only shows what would go."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("child_id", type=int)
        parser.add_argument("--yes", action="store_true", help="really remove it")
        parser.add_argument("--as", dest="as_user", help="e-mail of the person who asked for it (access log)")

    @no_translations
    def handle(self, *args: Any, child_id: int, yes: bool = False, as_user: str | None = None, **options: Any) -> None:
        child = Child.objects.filter(pk=child_id).first()
        if child is None:
            raise CommandError(f"There is no child with id {child_id}.")
        user = None
        if as_user:
            user = User.objects.filter(email__iexact=as_user).first()
            if user is None:
                raise CommandError(f"There is no user {as_user}.")
        if not yes:
            records = child_records(child)
            self.stdout.write(f"Would remove child #{child.pk} {child.full_name}:")
            for what, n in records.counts():
                self.stdout.write(f"  {n} {what}")
            self.stdout.write(f"  and keep {records.access_log.count()} access-log row(s) under a pseudonym.")
            self.stdout.write("Nothing was removed: add --yes to remove it.")
            return
        try:
            erasure = erase_child(child, rule=AccessLog.Rule.REQUEST, by=user)
        except RecordsProtected as error:
            raise CommandError(f"Could not remove child #{child_id}: {error}") from error
        self.stdout.write(f"Removed child #{erasure.child_id}; the access log calls it {erasure.pseudonym}.")
        for what, n in erasure.counts:
            self.stdout.write(f"  {n} {what}")
