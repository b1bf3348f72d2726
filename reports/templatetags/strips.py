"""A child's week strip in a template (reports/strip.py draws it): `{% load strips %}{{ p|week_strip }}`
on the summary page, `{{ p|week_strip_pdf }}` in its PDF, for a reports.summary.PillarSummary `p`;
`{% axis_sides as sides %}` gives the legend the two sides of the scale in words."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from observations.pillars import Direction
from reports.strip import strip_svg
from reports.summary import PillarSummary

register = template.Library()


@register.filter
def week_strip(p: PillarSummary) -> SafeString:
    return mark_safe(strip_svg(p.strip, str(p.pillar.name)))  # numbers and escaped text only


@register.filter
def week_strip_pdf(p: PillarSummary) -> SafeString:
    return mark_safe(strip_svg(p.strip, str(p.pillar.name), for_pdf=True))  # and the app's own CSS


@register.simple_tag
def axis_sides() -> dict[str, str]:
    """What the two sides of the scale mean across pillars ({"low": ..., "high": ...}), for a legend
    that has no pillar to name them by."""
    return {"low": str(Direction.LOW.label), "high": str(Direction.HIGH.label)}
