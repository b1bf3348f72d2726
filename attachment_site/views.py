"""The 500 handler: a lost database answers 503 "temporarily unavailable", anything else 500.

Django calls handler500 for every uncaught exception when DEBUG is off, wherever it was raised
(a view, a template, a middleware, a context processor, even while rendering a 404 page), from
inside the `except` block, so `sys.exc_info()` names the exception. A middleware's
`process_exception` would only see exceptions from views.

Both pages render from standalone templates with an empty context: no request, no context
processors, no database. Should even that fail (e.g. no static manifest), a plain page remains.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Seconds a client (or a proxy) is asked to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def server_error(request: HttpRequest) -> HttpResponse:
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        response = _render("503.html", 503, _("Temporarily unavailable"))
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _render("500.html", 500, _("Something went wrong"))


def _render(template_name: str, status: int, fallback_heading: str) -> HttpResponse:
    try:
        body = loader.get_template(template_name).render()
    except Exception:  # the error page itself must not fail
        logger.exception("Could not render %s; answering with a plain page", template_name)
        body = (
            f'<!doctype html><html lang="{escape(get_language() or "nl")}"><meta charset="utf-8">'
            f"<title>{escape(fallback_heading)}</title><h1>{escape(fallback_heading)}</h1></html>"
        )
    return HttpResponse(body, status=status)
