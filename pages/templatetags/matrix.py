"""The group overview's cells: the pattern of a pillar and its week strip (issue 13).

The strip is one small drawing per cell (reports.strip.matrix_svg: the geometry of the child's own
strip, so a cell shows what the child's strip shows for that pillar; the look in static/css/strips.css).

`matrix_cell` writes a whole cell (a link to that pillar on the child's summary holding the pattern's
symbol and word, the pole a standing-out pattern leans to by the pillar's own name for it, then the
strip): a 12-week matrix of 21 children has 168 of them, and written node by node through the template
they were about a third of the page's rendering.
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from reports.patterns import PatternKind
from reports.strip import matrix_svg
from reports.summary import PillarSummary

register = template.Library()

# The patterns whose cell names the pole they lean to.
POLE_KINDS = (PatternKind.MIXED, PatternKind.RECURRING)


@register.filter
def matrix_strip(p: PillarSummary) -> SafeString:
    weeks = p.figures.weeks
    rated = sum(1 for week in weeks if week.ratings)
    atypical = sum(1 for week in weeks if week.high or week.low)
    label = ngettext(
        "Week strip of %(name)s: rated in %(rated)d of %(weeks)d week, atypical in %(atypical)d.",
        "Week strip of %(name)s: rated in %(rated)d of %(weeks)d weeks, atypical in %(atypical)d.",
        len(weeks),
    ) % {"name": p.pillar.name, "rated": rated, "weeks": len(weeks), "atypical": atypical}
    return mark_safe(matrix_svg(p.figures, label))  # numbers and escaped text only


def matrix_pole(p: PillarSummary) -> str:
    """The pole most of a standing-out pattern's atypical ratings took, by the pillar's own name for it
    ("↓ zoekt geen troost"); nothing for a typical pattern or one with not enough observations."""
    pattern = p.pattern
    if pattern.kind not in POLE_KINDS or not pattern.dominant_direction:
        return ""
    return (
        f' <span class="matrix-pole pole-{escape(pattern.dominant_direction)}"><span aria-hidden="true">'
        f"{escape(pattern.dominant_symbol)}</span> {escape(pattern.dominant_pole)}</span>"
    )


@register.simple_tag
def matrix_cell(p: PillarSummary, summary_url: str, weeks: int) -> SafeString:
    """One <td> of the matrix: a link to the pillar on the child's summary (`summary_url`, over `weeks` weeks)
    holding the pillar's name (for screen readers; shown where a phone lays a child out as a card, the row's
    header naming the child), the pattern (symbol and word), the pole it leans to, and the week strip of one
    pillar. Where the cell is too narrow for the words they show on hover and on focus (pages/overview.css).
    Every byte counts 128 times and more (tests/test_group_overview_html.py keeps the page's weight)."""
    kind = escape(p.pattern.kind)
    code = escape(p.pillar.code)
    return mark_safe(  # escaped text and matrix_strip's safe drawing only
        f'<td class="matrix-cell pattern-{kind}" data-pillar="{code}" data-pattern="{kind}">\n'
        f'      <a class="matrix-link" href="{escape(summary_url)}?weken={int(weeks)}#pijler-{code}">'
        f'<span class="matrix-cell-pillar">{escape(p.pillar.name)}</span>\n'
        f'      <span class="matrix-pattern"><span class="matrix-symbol" aria-hidden="true">{escape(p.style["symbol"])}'
        f'</span> <span class="matrix-text"><span class="matrix-word">{escape(p.pattern.label)}</span>'
        f"{matrix_pole(p)}</span></span>\n"
        f"      {matrix_strip(p)}</a>\n"
        "    </td>"
    )
