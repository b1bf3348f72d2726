"""The week strip: one box per week, oldest on the left; the high pole (too close, indiscriminate or
two-sided) drawn above the line and the low pole (keeps its distance, withdraws) below it, each bar as
high as its share of that week's ratings. One geometry for its three drawings:

- the child's summary page (`strip_svg`): a <g> per week with its tooltip (<title>);
- the summary PDF (`strip_svg(..., for_pdf=True)`): four paths per pillar (empty weeks, rated weeks,
  high pole, low pole), which WeasyPrint lays out much faster than a few shapes per week;
- the group overview's cells (`matrix_svg`): one drawing of at most five paths, stretched to its cell.
  A 52-week matrix of 16 children has 6,656 week cells: the boxes are one dashed stroke and the bars
  vertical strokes, so a strip stays a few hundred bytes whatever the number of weeks.

The drawings carry classes, never colours: their look is static/css/strips.css, with the colours as
custom properties (--app-strip-high, --app-strip-low, ...). Browsers read that file; WeasyPrint draws
an inline SVG with neither the page's CSS nor var(), so the PDF's drawings carry the same rules with
the values filled in (`pdf_style`).

Drawn in Python rather than node by node through the template language: a 52-week summary has
8 strips of 52 weeks, and the templates drawing them were most of the page's time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from observations.pillars import AnswerCounts, Pillar
from organisations.calendar import Week
from reports.figures import PillarFigures, WeekFigures

CELL = 14  # the width of a week's box (SVG units)
GAP = 2  # between two weeks' boxes
STEP = CELL + GAP
TOP = 2  # the top edge of a week's box
BOX = 26  # the height of a week's box
MID = 15  # the line: the high pole is drawn above it, the low pole below it
TALLEST = MID - TOP  # a bar when every rating of the week was atypical in its direction
HEIGHT = 40  # the child's strip, with the first and last week's numbers under it
LABEL_Y = 38  # the baseline of those numbers
MATRIX_HEIGHT = 2 * MID  # the overview's strip: the line in the middle

STYLESHEET = "css/strips.css"  # under static/


def width(weeks: int) -> int:
    """The width of a strip of `weeks` weeks."""
    return weeks * STEP - GAP


def bar(count: int, ratings: int) -> float:
    """The height of the bar of `count` atypical ratings (one direction) out of a week's `ratings`."""
    return round(TALLEST * count / ratings, 2) if ratings else 0


@dataclass(frozen=True)
class StripCell:
    """One week in a child's strip, with its geometry."""

    x: int
    week: Week
    ratings: int
    low: int
    high: int
    low_height: float
    high_height: float
    title: str

    @property
    def is_empty(self) -> bool:
        return self.ratings == 0

    @property
    def high_y(self) -> float:
        return round(MID - self.high_height, 2)


def week_strip(figures: PillarFigures) -> tuple[StripCell, ...]:
    """The weeks of one pillar's strip, oldest first."""
    titles = _WeekTitles(figures.pillar)
    return tuple(
        StripCell(
            x=index * STEP,
            week=week.week,
            ratings=week.ratings,
            low=week.low,
            high=week.high,
            low_height=bar(week.low, week.ratings),
            high_height=bar(week.high, week.ratings),
            title=titles.of(week),
        )
        for index, week in enumerate(figures.weeks)
    )


class _WeekTitles:
    """The tooltip of a week in the strip, in the active language, the pillar's poles by their names."""

    def __init__(self, pillar: Pillar) -> None:
        self.counts = AnswerCounts(pillar)  # translated once per strip, not once per week
        self.empty = _("Week %(number)d: no observations")
        self.rated: dict[int, str] = {}

    def of(self, week: WeekFigures) -> str:
        if week.is_empty:
            return self.empty % {"number": week.week.number}
        rated = self.rated.get(week.ratings)
        if rated is None:  # translated once per number of ratings
            rated = self.rated[week.ratings] = ngettext(
                "Week %(number)d: %(ratings)d rating: %(counts)s",
                "Week %(number)d: %(ratings)d ratings: %(counts)s",
                week.ratings,
            )
        return rated % {
            "number": week.week.number,
            "ratings": week.ratings,
            "counts": self.counts(week.typical, week.low, week.high),
        }


def _box(x: int) -> str:
    return f"M{x} {TOP}h{CELL}v{BOX}h-{CELL}z"


def cell_shapes(cells: Sequence[StripCell]) -> str:
    """The weeks as the summary page draws them: a <g> per week with its tooltip and shapes."""
    parts = []
    for c in cells:
        parts.append(f"<g><title>{escape(c.title)}</title>")
        if c.is_empty:
            parts.append(f'<rect class="s-empty" x="{c.x}" y="{TOP}" width="{CELL}" height="{BOX}"/>')
        else:
            parts.append(f'<rect class="s-rated" x="{c.x}" y="{TOP}" width="{CELL}" height="{BOX}"/>')
            if c.high:
                parts.append(f'<rect class="s-high" x="{c.x}" y="{c.high_y}" width="{CELL}" height="{c.high_height}"/>')
            if c.low:
                parts.append(f'<rect class="s-low" x="{c.x}" y="{MID}" width="{CELL}" height="{c.low_height}"/>')
        parts.append("</g>")
    return "".join(parts)


def strip_paths(cells: Sequence[StripCell]) -> dict[str, str]:
    """The weeks as four paths (empty weeks, rated weeks, high pole, low pole), as the PDF draws them."""
    parts: dict[str, list[str]] = {"empty": [], "rated": [], "high": [], "low": []}
    for c in cells:
        parts["empty" if c.is_empty else "rated"].append(_box(c.x))
        if c.high:
            parts["high"].append(f"M{c.x} {c.high_y}h{CELL}v{c.high_height}h-{CELL}z")
        if c.low:
            parts["low"].append(f"M{c.x} {MID}h{CELL}v{c.low_height}h-{CELL}z")
    return {key: "".join(value) for key, value in parts.items()}


def _path_shapes(cells: Sequence[StripCell]) -> str:
    return "".join(f'<path class="s-{key}" d="{d}"/>' for key, d in strip_paths(cells).items() if d)


def strip_svg(cells: Sequence[StripCell], name: str, *, for_pdf: bool = False) -> str:
    """A child's strip of one pillar (`name`), the first and last week's numbers under it. For the PDF:
    its weeks as four paths, and its look inside it (`pdf_style`)."""
    w = width(len(cells))
    label = escape(_("Week strip of %(name)s") % {"name": name})
    first, last = (cells[0].week.number, cells[-1].week.number) if cells else (0, 0)
    return "".join(
        (
            f'<svg class="week-strip" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{HEIGHT}" '
            f'viewBox="0 0 {w} {HEIGHT}" role="img" aria-label="{label}">',
            f"<style>{pdf_style()}</style>{_path_shapes(cells)}" if for_pdf else cell_shapes(cells),
            f'<path class="s-line" d="M0 {MID}H{w}"/>',
            f'<text class="s-label" x="0" y="{LABEL_Y}">{escape(_("week %(number)s") % {"number": first})}</text>',
            f'<text class="s-label" x="{w}" y="{LABEL_Y}" text-anchor="end">'
            f"{escape(_('week %(number)s') % {'number': last})}</text></svg>",
        )
    )


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def matrix_svg(figures: PillarFigures, label: str) -> str:
    """The overview cell's strip of one pillar, read out as `label`: every week's box in one dashed
    stroke, the weeks without observations as dashed boxes on top, the bars as vertical strokes from
    the line, a week wide."""
    weeks = figures.weeks
    w = width(len(weeks))
    empty, high, low = [], [], []
    for index, week in enumerate(weeks):
        x = index * STEP
        if not week.ratings:
            empty.append(_box(x))
            continue
        middle = x + CELL // 2
        if week.high:
            high.append(f"M{middle} {MID}v-{_number(bar(week.high, week.ratings))}")
        if week.low:
            low.append(f"M{middle} {MID}v{_number(bar(week.low, week.ratings))}")
    parts = [
        f'<svg class="matrix-strip" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {MATRIX_HEIGHT}" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>',
        f'<path class="s-week" d="M0 {MID}H{w}" stroke-width="{BOX}" stroke-dasharray="{CELL} {GAP}"/>',
    ]
    if empty:
        parts.append(f'<path class="s-empty" d="{"".join(empty)}"/>')
    if high:
        parts.append(f'<path class="s-high" d="{"".join(high)}" stroke-width="{CELL}"/>')
    if low:
        parts.append(f'<path class="s-low" d="{"".join(low)}" stroke-width="{CELL}"/>')
    parts.append(f'<path class="s-line" d="M0 {MID}H{w}"/></svg>')
    return "".join(parts)


# --- The look, for the PDF -----------------------------------------------------------------------

_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;]+)")
_VAR = re.compile(r"var\(\s*(--[\w-]+)\s*\)")


def stylesheet_path() -> Path:
    found = finders.find(STYLESHEET)
    if not found:
        raise FileNotFoundError(f"static file {STYLESHEET} not found")
    return Path(str(found))


def custom_properties(css: str) -> dict[str, str]:
    """The custom properties the stylesheet's `:root` rule sets: {"--app-strip-high": "#d55e00", ...}."""
    css = _COMMENT.sub("", css)
    properties: dict[str, str] = {}
    for selector, body in _RULE.findall(css):
        if selector.strip() == ":root":
            properties.update((name, value.strip()) for name, value in _PROPERTY.findall(body))
    return properties


def resolved_rules(css: str, scope: str) -> str:
    """The stylesheet's rules for `scope` (".week-strip"), each var() replaced by its value."""
    properties = custom_properties(css)
    rules = []
    for selector, body in _RULE.findall(_COMMENT.sub("", css)):
        if selector.strip().startswith(scope):
            declarations = _VAR.sub(lambda m: properties[m.group(1)], " ".join(body.split()))
            rules.append(f"{selector.strip()} {{ {declarations} }}")
    return "\n".join(rules)


@cache
def _pdf_style(path: Path, modified: float) -> str:
    return resolved_rules(path.read_text(encoding="utf-8"), ".week-strip")


def pdf_style() -> str:
    """The `.week-strip` rules of static/css/strips.css with the colours filled in, for inside a PDF's
    drawing (read again when the file changes)."""
    path = stylesheet_path()
    return _pdf_style(path, path.stat().st_mtime)
