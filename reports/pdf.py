"""The per-child PDF: a pure renderer, summary in, a Download (filename, content type, bytes) out.

Notes in the summary are user input: the template autoescapes them, and the URL
fetcher given to WeasyPrint only serves data: URLs and the app's own static
files read from disk. Everything else (http, https, file, ftp, redirects) is
refused without touching the network.
"""

import datetime
import mimetypes
import re
import unicodedata
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from weasyprint.urls import URLFetcher, URLFetcherResponse

from organisations.downloads import Download
from reports.pdf_render import render_pdf
from reports.summary import ChildSummary
from staff.models import User
from staff.scope import AnyUser

MIMETYPE = "application/pdf"
# The document's base URL: relative and /static/ links resolve under it, and the
# fetcher maps this prefix to files on disk. The host does not exist on purpose.
BASE_URL = "https://app.invalid/"
STATIC_PREFIX = BASE_URL.rstrip("/") + settings.STATIC_URL


class RestrictedURLFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Serves data: URLs and the app's own static files; refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False, timeout=1)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_PREFIX):
            path = self._static_file(url.removeprefix(STATIC_PREFIX).split("?")[0].split("#")[0])
            if path is not None:
                mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})
        raise ValueError(f"URL not allowed in PDFs: {url[:200]}")

    @staticmethod
    def _static_file(relative: str) -> Path | None:
        if not relative or ".." in relative.split("/") or relative.startswith("/"):
            return None
        found = finders.find(relative)
        return Path(found) if found else None


def fetch_url(url: str) -> URLFetcherResponse:
    """The fetcher as a plain function (for tests and reuse)."""
    return RestrictedURLFetcher().fetch(url)


def css_string(text: str) -> str:
    """A CSS string literal for @page content (safe inside <style>)."""
    escaped = re.sub(r'[\\"<>\n\r]', lambda m: f"\\{ord(m.group()):x} ", str(text))
    return mark_safe(f'"{escaped}"')  # escaped above for CSS


def page_frame(
    child_name: str, caution: str = "", *, margin: str = "18mm 16mm 20mm 16mm", font_size: str = "8pt"
) -> dict[str, str]:
    """The page of every PDF about a child (reports/_pdf_page.html): A4, the child's name at the top
    right, the caution (if any) at the bottom left, "page n of m" at the bottom right; mirrored in a
    right-to-left language (the active language decides)."""
    start, end = ("right", "left") if get_language_bidi() else ("left", "right")
    return {
        "start": start,
        "end": end,
        "child": css_string(child_name),
        "caution": css_string(caution) if caution else "",
        "page": css_string(_("page")),
        "of": css_string(_("of")),
        "margin": margin,
        "font_size": font_size,
    }


def parent_page_frame(child_name: str, caution: str) -> dict[str, str]:
    """The page of a document for parents (the handout, the report): calmer margins and a larger footer
    than the team's."""
    return page_frame(child_name, caution, margin="18mm 18mm 22mm 18mm", font_size="8.5pt")


def safe_filename_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9-]+", "-", ascii_text).strip("-") or "kind"


def html_to_pdf(html: str) -> bytes:
    """Draw the document in the PDF pool, with one shared font configuration (reports/pdf_render.py)."""
    return render_pdf(html, BASE_URL, RestrictedURLFetcher)


def render_child_summary_pdf(summary: ChildSummary, *, made_by: AnyUser, made_on: datetime.date) -> Download:
    """The PDF of one child's summary, in the active language."""
    made_by_name = made_by.display_name if isinstance(made_by, User) else _("command line")
    context = {
        "summary": summary,
        "made_by": made_by_name,
        "made_on": made_on,
        "pdf": True,
        "frame": page_frame(summary.child.full_name, _("Observations made in childcare, not a diagnosis.")),
    }
    html = render_to_string("reports/summary_pdf.html", context)
    filename = f"overzicht-{safe_filename_part(summary.child.first_name)}-{made_on:%Y-%m-%d}.pdf"
    return Download(filename, MIMETYPE, html_to_pdf(html))
