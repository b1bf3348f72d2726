"""The group overview's cells, and their week strips as one small drawing each (issue 13).

A 52-week matrix of 16 children has 6,656 week cells; drawn cell by cell through the template it was
1.5 MB of HTML and most of the page's time. Here each strip is built in Python as one <svg> of at
most four paths whose look lives in pages/static/pages/overview.css (classes, no inline styles):

- every week's box: one horizontal line drawn dashed, 14 units on and 2 off (one short path
  whatever the number of weeks);
- weeks without observations: a white box with a dashed outline on top, as in the child's strip;
- too much (above the line) and too little (below): one vertical stroke a week, 14 units wide,
  as high as that week's share of the ratings.

The geometry is the child summary's (reports.summary: STRIP_CELL, STRIP_GAP, STRIP_MID), so a cell
shows what the child's own strip shows for that pillar.

`matrix_cell` writes a whole cell (the pattern's symbol and word, then the strip): a 12-week matrix of
21 children has 168 of them, and written node by node through the template they were about a third
of the page's rendering.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from reports.summary import STRIP_CELL, STRIP_GAP, STRIP_MID, PillarSummary

register = template.Library()

STEP = STRIP_CELL + STRIP_GAP
HALF = STRIP_MID - 2  # the tallest bar: every rating of the week atypical in that direction
STRIP_HEIGHT = 2 * STRIP_MID  # the height of a strip: the line in the middle


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@register.filter
def matrix_strip(p: PillarSummary) -> SafeString:
    weeks = p.figures.weeks
    width = len(weeks) * STEP - STRIP_GAP
    empty, high, low = [], [], []
    atypical_weeks = 0
    for index, week in enumerate(weeks):
        x = index * STEP
        if not week.ratings:
            empty.append(f"M{x} 2h{STRIP_CELL}v26h-{STRIP_CELL}z")
            continue
        middle = x + STRIP_CELL // 2
        if week.high:
            high.append(f"M{middle} {STRIP_MID}v-{_number(HALF * week.high / week.ratings)}")
        if week.low:
            low.append(f"M{middle} {STRIP_MID}v{_number(HALF * week.low / week.ratings)}")
        atypical_weeks += bool(week.high or week.low)
    rated = len(weeks) - len(empty)
    label = ngettext(
        "Week strip of %(name)s: rated in %(rated)d of %(weeks)d week, atypical in %(atypical)d.",
        "Week strip of %(name)s: rated in %(rated)d of %(weeks)d weeks, atypical in %(atypical)d.",
        len(weeks),
    ) % {"name": p.pillar.name, "rated": rated, "weeks": len(weeks), "atypical": atypical_weeks}
    parts = [
        f'<svg class="matrix-strip" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {STRIP_HEIGHT}" '
        f'preserveAspectRatio="none" role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>',
        f'<path class="s-week" d="M0 {STRIP_MID}H{width}"/>',
    ]
    if empty:
        parts.append(f'<path class="s-empty" d="{"".join(empty)}"/>')
    if high:
        parts.append(f'<path class="s-high" d="{"".join(high)}"/>')
    if low:
        parts.append(f'<path class="s-low" d="{"".join(low)}"/>')
    parts.append(f'<path class="s-line" d="M0 {STRIP_MID}H{width}"/></svg>')
    return mark_safe("".join(parts))  # numbers and escaped text only


@register.filter
def matrix_cell(p: PillarSummary) -> SafeString:
    """One <td> of the matrix: the pattern (symbol and word) and the week strip of one pillar."""
    kind = escape(p.pattern.kind)
    return mark_safe(  # escaped text and matrix_strip's safe drawing only
        f'<td class="matrix-cell pattern-{kind}" data-pillar="{escape(p.pillar.code)}" data-pattern="{kind}">\n'
        f'      <span class="matrix-pattern"><span class="matrix-symbol" aria-hidden="true">{escape(p.style["symbol"])}'
        f'</span> <span class="matrix-word">{escape(p.pattern.label)}</span></span>\n'
        f"      {matrix_strip(p)}\n"
        "    </td>"
    )
