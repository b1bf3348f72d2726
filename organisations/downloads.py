"""A file to download: what every renderer returns and every view sends, and the CSV every CSV
download is written as.

The renderers are pure functions, data in, a `Download` out (pretix's exporters: filename, content
type, bytes): the summary PDF (reports.pdf), the parent handout (reports.handout), the group
overview CSV (reports.csv_export), the access-log CSV (access_log.reading) and the parents' access
export (privacy.export). A view, or an admin action, answers with `attachment(download)`.

Files kept for later (the batch export's zips, the PDF cache) go to the exports storage
(`exports_storage`, settings.EXPORTS_STORAGE).

It sits on the bottom floor so that every app above can use it.
"""

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.http import HttpResponse
from django.utils.http import content_disposition_header

CSV_MIMETYPE = "text/csv; charset=utf-8"
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Download:
    filename: str
    content_type: str
    data: bytes


def exports_storage() -> Storage:
    """Where downloads are kept for later (batch exports, cached PDFs): settings.EXPORTS_STORAGE (local disk,
    or S3-compatible)."""
    return storages.create_storage(settings.EXPORTS_STORAGE)


def attachment(download: Download) -> HttpResponse:
    """The file to save under its name, never kept by a cache (it holds children's data)."""
    response = HttpResponse(download.data, content_type=download.content_type)
    disposition = content_disposition_header(as_attachment=True, filename=download.filename)
    response["Content-Disposition"] = disposition or "attachment"  # (None only when not as_attachment)
    response["Cache-Control"] = "no-store"
    return response


def csv_cell(value: object) -> str:
    """The cell as text, never starting like a formula: child names are user input."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text


def csv_bytes(rows: list[list[str]]) -> bytes:
    """Rows of cells (already through `csv_cell`) as the file Dutch Excel opens directly:
    UTF-8 with a byte order mark, `;` between cells, CRLF line ends."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_download(filename: str, rows: list[list[str]]) -> Download:
    """Rows of cells (already through `csv_cell`) as a CSV file to download."""
    return Download(filename, CSV_MIMETYPE, csv_bytes(rows))
