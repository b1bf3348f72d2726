"""Write one summary PDF per child placed in a group today."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from access_log.models import AccessLog
from access_log.services import access_log_record
from children.models import Child
from organisations.calendar import today
from organisations.models import Group
from reports.pdf import render_child_summary_pdf
from reports.summary import child_summary
from staff.models import User


class Command(BaseCommand):
    help = "Write the summary PDF of every child placed in a group, e.g. --group 3 --weeks 12 --out ./pdf"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--group", type=int, required=True, help="id of the group")
        parser.add_argument("--weeks", type=int, default=settings.REPORT_WEEKS_DEFAULT)
        parser.add_argument("--out", required=True, help="folder to write the PDFs to (created if missing)")
        parser.add_argument("--as", dest="as_user", help="e-mail of the person the export is made for (access log)")

    def handle(self, *args: Any, group: int, weeks: int, out: str, as_user: str | None = None, **options: Any) -> None:
        if not settings.REPORT_WEEKS_MIN <= weeks <= settings.REPORT_WEEKS_MAX:
            raise CommandError(f"--weeks must be from {settings.REPORT_WEEKS_MIN} to {settings.REPORT_WEEKS_MAX}.")
        group_obj = Group.objects.select_related("location").filter(pk=group).first()
        if group_obj is None:
            raise CommandError(f"There is no group with id {group}.")
        user = None
        if as_user:
            user = User.objects.filter(email__iexact=as_user).first()
            if user is None:
                raise CommandError(f"There is no user {as_user}.")
        folder = Path(out).expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True)
        day = today()
        children = list(
            Child.objects.placed_on(day, groups=[group_obj]).select_related("organisation").order_by("first_name")
        )
        written = []
        with translation.override(settings.LANGUAGE_CODE):
            for child in tqdm(children, desc=f"{group_obj.name}", unit="pdf", file=self.stderr._out):
                summary = child_summary(child, weeks, until=day)
                pdf = render_child_summary_pdf(summary, made_by=user, made_on=day)
                path = folder / pdf.filename
                if path in written:  # two children with the same first name
                    path = folder / f"{path.stem}-{child.pk}.pdf"
                path.write_bytes(pdf.data)
                written.append(path)
                access_log_record(
                    user=user,
                    child=child,
                    action=AccessLog.Action.EXPORT,
                    weeks=weeks,
                    period_start=summary.period_start,
                    period_end=summary.period_end,
                )
        self.stdout.write(f"Wrote {len(written)} PDF(s) for group {group_obj.name} to {folder}")
        for path in written:
            self.stdout.write(f"  {path}")
