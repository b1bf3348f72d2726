"""The access log for organisation admins (page and CSV), and the privacy statement for everyone."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe
from markdown_it import MarkdownIt

from access_log.csv_export import render_access_log_csv
from access_log.forms import AccessLogFilterForm
from access_log.selectors import access_log_for, access_log_rows
from organisations.calendar import today
from organisations.downloads import attachment
from pages.http import AuthenticatedHttpRequest
from pages.read_only import reads_from_replica
from staff.access import user_access

PAGE_SIZE = 50
PRIVACY_STATEMENT = Path(settings.BASE_DIR) / "docs" / "privacy.md"
# The statement ends at this comment; the technical notes for developers after it stay out of the page.
STATEMENT_END = "<!-- end of the statement"


def _admin_only(request: AuthenticatedHttpRequest) -> None:
    """Organisation admins (and platform superusers) read the access log; everyone else gets a 404."""
    if not user_access(request.user).may_read_access_log:
        raise Http404


@reads_from_replica
@require_safe
@login_required
def access_log_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin_only(request)
    form = AccessLogFilterForm(request.GET or None, user=request.user)
    rows = access_log_for(request.user, form.access_filter())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page") or 1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": access_log_rows(list(page.object_list)),
        "query": query.urlencode(),
    }
    return render(request, "pages/access_log.html", context)


@reads_from_replica
@require_safe
@login_required
def access_log_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    _admin_only(request)
    form = AccessLogFilterForm(request.GET or None, user=request.user)
    rows = access_log_rows(list(access_log_for(request.user, form.access_filter())))
    return attachment(render_access_log_csv(rows, made_on=today()))


@cache
def _statement_html(modified: float) -> SafeString:
    """The statement of docs/privacy.md as HTML (our own text: raw HTML in it is not passed through)."""
    statement = PRIVACY_STATEMENT.read_text(encoding="utf-8").split(STATEMENT_END)[0]
    markdown = MarkdownIt("commonmark", {"html": False}).enable("table")
    return mark_safe(str(markdown.render(statement)))


@require_safe
def privacy_statement(request: HttpRequest) -> HttpResponse:
    """The privacy statement (docs/privacy.md), for staff and parents alike: no login needed."""
    html = _statement_html(PRIVACY_STATEMENT.stat().st_mtime)
    return render(request, "pages/privacy.html", {"statement": html})
