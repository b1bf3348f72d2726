"""The access log as CSV (`/inzagelog.csv`): a pure renderer, the rows of access_log.selectors in, a
Download out. UTF-8 with a byte order mark, `;` between cells and the formula guard of
organisations/downloads.py, like the group overview's CSV."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from access_log.selectors import AccessLogRow
from organisations.calendar import numeric_date, numeric_moment
from organisations.downloads import Download, csv_cell, csv_download


def _local(moment: datetime.datetime) -> str:
    return numeric_moment(moment)


def _date(day: datetime.date | None) -> str:
    return numeric_date(day)


def access_log_csv_rows(rows: list[AccessLogRow]) -> list[list[str]]:
    header: list[object] = [
        _("When"),
        _("User"),
        _("E-mail"),
        _("Action"),
        _("Children"),
        _("Children removed since"),
        _("Page"),
        _("Weeks"),
        _("Period from"),
        _("Period until"),
        _("Rule"),
    ]
    out = [[csv_cell(cell) for cell in header]]
    for row in rows:
        e = row.entry
        cells: list[object] = [
            _local(e.created_at),
            row.who,
            e.user.email if e.user is not None else "",
            e.get_action_display(),
            ", ".join(c.name for c in row.children),
            row.removed or "",
            e.path,
            e.weeks or "",
            _date(e.period_start),
            _date(e.period_end),
            e.get_rule_display() if e.rule else "",
        ]
        out.append([csv_cell(cell) for cell in cells])
    return out


def render_access_log_csv(rows: list[AccessLogRow], *, made_on: datetime.date) -> Download:
    return csv_download(f"inzagelog-{made_on:%Y-%m-%d}.csv", access_log_csv_rows(rows))
