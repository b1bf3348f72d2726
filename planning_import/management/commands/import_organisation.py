"""Read in an organisation's locations, groups, children, placements, mentors and staff from its
planning system's export.

    python manage.py import_organisation FILE --organisation ID [--dry-run] [--mapping FILE.json]
        [--confirm-ending] [--by EMAIL]

Prints the dry run (counts, the new locations and groups, what changes, the children no longer
listed, every refused row with its reason) and, without --dry-run, applies it in one transaction.
Refused rows are left out; the rest is saved; a location or group the file does not name stays as
it is. --by names the person in the history and the access log (empty: the command line).
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from organisations.models import Organisation
from planning_import.applying import apply_import
from planning_import.columns import load_mapping, recognise_columns
from planning_import.planning import plan_import
from planning_import.reading import ImportFileError, read_table
from planning_import.report import describe_plan, describe_result, describe_table
from staff.models import User


class Command(BaseCommand):
    help = (
        "Read in locations, groups, children, placements, mentors and staff from a planning system's export "
        "(CSV or .xlsx)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The export: CSV (comma or semicolon) or .xlsx.")
        parser.add_argument("--organisation", type=int, required=True, help="The organisation's id.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change; save nothing.")
        parser.add_argument("--mapping", help='A JSON file naming the columns: {"their column": "Kindnummer"}.')
        parser.add_argument(
            "--confirm-ending", action="store_true", help="End the placements of children no longer in the file."
        )
        parser.add_argument("--by", help="The e-mail address of the person reading the file in.")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        organisation = Organisation.objects.filter(pk=options["organisation"]).first()
        if organisation is None:
            raise CommandError(_("There is no organisation with id %(id)s.") % {"id": options["organisation"]})
        by = None
        if options["by"]:
            by = User.objects.filter(email__iexact=options["by"]).first()
            if by is None:
                raise CommandError(_("There is no user with e-mail address %(email)s.") % {"email": options["by"]})
        path = Path(options["file"])
        try:
            table = read_table(path)
            overrides = load_mapping(options["mapping"]) if options["mapping"] else None
            mapping = recognise_columns(table.headers, overrides)
        except FileNotFoundError:
            raise CommandError(_("The file %(file)s does not exist.") % {"file": path}) from None
        except ImportFileError as error:
            raise CommandError(error.message) from None
        plan = plan_import(organisation, table, mapping)
        self.stdout.write(_("Reading in for %(organisation)s") % {"organisation": organisation.name})
        self.stdout.write(describe_table(table, path.name))
        for line in describe_plan(plan, confirm_ending=options["confirm_ending"]):
            self.stdout.write(line)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was saved."))
            return
        result = apply_import(plan, by=by, confirm_ending=options["confirm_ending"])
        for line in describe_result(result):
            self.stdout.write(line)
