"""`{% page_query request key number %}`: this page's query string with `key` set to `number`, the others kept
(the home pages its managed and its coached locations each with a key of its own)."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

register = template.Library()


@register.simple_tag
def page_query(request: HttpRequest, key: str, number: int) -> str:
    query = request.GET.copy()
    query[key] = str(number)
    return "?" + query.urlencode()
