"""The trail above a page (pages/_breadcrumbs.html): `{% breadcrumbs url label ... current=label %}`.

Pairs of link and label from the top down, then the page itself:

    {% url 'child_detail' child.pk as child_url %}
    {% breadcrumbs child_url child.full_name current=_("Overview") %}
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("pages/_breadcrumbs.html")
def breadcrumbs(*links: str, current: str) -> dict[str, object]:
    if len(links) % 2:
        raise template.TemplateSyntaxError("breadcrumbs takes pairs of link and label, then current=")
    return {"links": list(zip(links[::2], links[1::2], strict=True)), "current": current}
