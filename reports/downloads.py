"""A file to download: what every renderer returns and every view sends.

The renderers are pure functions, data in, a `Download` out (pretix's exporters: filename, content
type, bytes): the summary PDF (reports.pdf), the parent handout (reports.handout), the group
overview CSV (reports.csv_export), the access-log CSV (reports.access_log) and the parents' access
export (privacy.export). A view, or an admin action, answers with `attachment(download)`.
"""

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.http import content_disposition_header


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    data: bytes


def attachment(download: Download) -> HttpResponse:
    """The file to save under its name, never kept by a cache (it holds children's data)."""
    response = HttpResponse(download.data, content_type=download.content_type)
    disposition = content_disposition_header(as_attachment=True, filename=download.filename)
    response["Content-Disposition"] = disposition or "attachment"  # (None only when not as_attachment)
    response["Cache-Control"] = "no-store"
    return response
