"""The group overview as CSV: a pure renderer, overview in, a Download (filename, content type, bytes) out.

UTF-8 with a byte order mark and `;` between cells, as Dutch Excel expects. Cells
that would start like a formula get a leading `'` (child names are user input):
organisations/downloads.py.
"""

import datetime

from django.utils.text import slugify
from django.utils.translation import gettext as _

from observations.pillars import Direction, Pillar
from organisations.calendar import numeric_date
from organisations.downloads import Download, csv_cell, csv_download
from reports.overview import GroupOverview


def _pole_cells(pillar: Pillar, direction: Direction, count: int) -> tuple[str, object]:
    """A pole's name for this pillar and its count; empty cells where the pillar has no such pole."""
    return (str(pillar.pole_name(direction)), count) if pillar.allows(direction) else ("", "")


def overview_csv_rows(overview: GroupOverview) -> list[list[str]]:
    """Header and one row per child and pillar, with the figures behind the pattern; the poles by
    the pillar's own names ("checkt niet terug"), beside their counts (↓ the low pole, ↑ the high)."""
    header: list[object] = [
        _("Child"),
        _("Group"),
        _("Mentor"),
        _("Last observed"),
        _("Observations in period"),
        _("Pillar"),
        _("Pattern"),
        _("Atypical, mostly"),
        _("Rated weeks"),
        _("Atypical weeks"),
        _("Ratings"),
        _("Typical"),
        _("Atypical ↓: name"),
        _("Atypical ↓: ratings"),
        _("Atypical ↑: name"),
        _("Atypical ↑: ratings"),
        _("Observers"),
        _("Observers who saw it as atypical"),
        _("Atypical on days with circumstances"),
        _("Circumstances on atypical days"),
        _("Period from"),
        _("Period until"),
    ]
    rows = [header]
    for row in overview.rows:
        for p in row.pillars:
            f = p.figures
            rows.append(
                [
                    row.child.full_name,
                    overview.group.name,
                    row.mentor.display_name if row.mentor else "",
                    numeric_date(row.last_observed),
                    row.entries,
                    p.pillar.name,
                    p.pattern.label,
                    p.pattern.dominant_pole,
                    f.rated_weeks,
                    f.atypical_weeks,
                    f.ratings,
                    f.typical,
                    *_pole_cells(p.pillar, Direction.LOW, f.low),
                    *_pole_cells(p.pillar, Direction.HIGH, f.high),
                    f.observers,
                    f.atypical_observers,
                    f.atypical_with_circumstances,
                    ", ".join(f"{label} ({n})" for label, n in p.circumstances),
                    numeric_date(overview.period_start),
                    numeric_date(overview.period_end),
                ]
            )
    return [[csv_cell(cell) for cell in r] for r in rows]


def render_group_overview_csv(overview: GroupOverview, *, made_on: datetime.date) -> Download:
    filename = f"overzicht-{slugify(overview.group.name) or overview.group.pk}-{made_on:%Y-%m-%d}.csv"
    return csv_download(filename, overview_csv_rows(overview))
