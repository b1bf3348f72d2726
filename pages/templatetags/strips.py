"""The child summary's week strip (pages/_week_strip.html): its cells drawn in Python.

A 52-week summary has 8 strips of 52 weeks: 416 cells of up to three <rect>s each. Drawn node by
node through the template language they were most of the page's time; here one filter writes the
same markup (a <g> per week with its <title> and rectangles, geometry from reports.summary.StripCell).
"""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.summary import PillarSummary

register = template.Library()


@register.filter
def strip_cells(p: PillarSummary) -> SafeString:
    parts = []
    for c in p.strip:
        parts.append(f"<g><title>{escape(c.title)}</title>")
        if c.is_empty:
            parts.append(
                f'<rect x="{c.x}" y="2" width="14" height="26" fill="#ffffff" stroke="#9aa0a6" stroke-width="1" '
                'stroke-dasharray="2 2"/>'
            )
        else:
            parts.append(
                f'<rect x="{c.x}" y="2" width="14" height="26" fill="#e9f0ee" stroke="#5f6f6a" stroke-width="1"/>'
            )
            if c.high:
                parts.append(f'<rect x="{c.x}" y="{c.high_y}" width="14" height="{c.high_height}" fill="#d55e00"/>')
            if c.low:
                parts.append(f'<rect x="{c.x}" y="15" width="14" height="{c.low_height}" fill="#0072b2"/>')
        parts.append("</g>")
    return mark_safe("".join(parts))  # numbers and escaped text only
