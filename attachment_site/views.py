"""The 500 handler: a lost database answers 503 "temporarily unavailable", anything else 500; both
pages show a short reference, and the log record of the exception carries the same reference, so an
operator finds the traceback that belongs to a report ("the page said 3f9a0c2e").

Django calls handler500 for every uncaught exception when DEBUG is off, wherever it was raised
(a view, a template, a middleware, a context processor, even while rendering a 404 page), from
inside the `except` block, so `sys.exc_info()` names the exception. A middleware's
`process_exception` would only see exceptions from views.

The exception is logged here, through Django's own log_response on the django.request logger, as
Django would log it ("Internal Server Error: /path (reference 3f9a0c2e)", with the traceback); Django's
second call for the same response then writes nothing (log_response logs a response once).

Both pages render from standalone templates whose context is the reference alone: no request, no
context processors, no database. Should even that fail (e.g. no static manifest), a plain page with
the reference remains.
"""

import logging
import secrets
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.html import escape
from django.utils.log import log_response
from django.utils.translation import get_language
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Seconds a client (or a proxy) is asked to wait before trying again after a 503.
RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)


def new_error_reference() -> str:
    """8 hexadecimal characters: short enough to read out over the phone, 4 billion apart."""
    return secrets.token_hex(4)


def server_error(request: HttpRequest) -> HttpResponse:
    reference = new_error_reference()
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        response = _render("503.html", 503, _("Temporarily unavailable"), reference)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    else:
        response = _render("500.html", 500, _("Something went wrong"), reference)
    _log_with_reference(request, response, reference)
    return response


def _log_with_reference(request: HttpRequest, response: HttpResponse, reference: str) -> None:
    log_response(
        "%s: %s (reference %s)",
        response.reason_phrase,
        request.path,
        reference,
        response=response,
        request=request,
        exception=sys.exc_info()[1],
    )


def _render(template_name: str, status: int, fallback_heading: str, reference: str) -> HttpResponse:
    try:
        body = loader.get_template(template_name).render({"reference": reference})
    except Exception:  # the error page itself must not fail
        logger.exception("Could not render %s (reference %s); answering with a plain page", template_name, reference)
        body = (
            f'<!doctype html><html lang="{escape(get_language() or "nl")}"><meta charset="utf-8">'
            f"<title>{escape(fallback_heading)}</title><h1>{escape(fallback_heading)}</h1>"
            f"<p>{escape(_('Reference'))}: <code>{escape(reference)}</code></p></html>"
        )
    return HttpResponse(body, status=status)
