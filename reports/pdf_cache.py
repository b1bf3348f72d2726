"""A PDF about a child is drawn once per version, then served from the exports storage.

Every PDF about one child (the team's summary, the parent handout, the report for parents, a prepared
handout reprinted) is kept in the exports storage (organisations.downloads.exports_storage) under

    pdf-cache/<child id>/<slot>-<variant>-<file name>

- the slot: which document: its kind and what the request chose (the weeks, the language, the
  conversation or handout, the reader when the document names who made it);
- the variant: what it was drawn from: the child's `record_version` (children/models.py; every entry
  written, changed or removed, every conversation, a handout made ready and the child's own facts move
  it on, in the same transaction as the write), the app's release (settings.APP_RELEASE), the report
  settings, and what the document prints besides (the day it was made, who made it).

A request whose slot and variant are kept gets the kept file, without drawing; otherwise the PDF is
drawn, kept, and the slot's older variants are removed. The version is read before the data the PDF
is drawn from (with the child), so a kept file is never older than its version says.

Who may have the PDF is decided before (the views, children/access.py); the access log records every
download, served from here or not. `forget_child_pdfs` removes a child's files (privacy/erasure.py:
erasure and retention); `remove_stale_pdfs` those kept longer than CACHE_KEEP_DAYS days (the command
`remove_expired_exports`). Things outside the child's record (the names of its group, location and
mentor, the location's observers drifting apart) are read again at the latest the next day: the day
the PDF is made is in its variant. PDF_CACHE=0 draws every PDF anew.
"""

from __future__ import annotations

import contextlib
import datetime
import enum
import hashlib
import logging
import os
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils import timezone

from children.models import Child
from organisations.downloads import Download, exports_storage

logger = logging.getLogger(__name__)

FOLDER = "pdf-cache"
MIMETYPE = "application/pdf"
CACHE_KEEP_DAYS = 7
# The settings a PDF's content depends on (the pattern rules, the windows, the notes shown).
DRAWING_SETTINGS = ("PATTERN_", "REPORT_", "OBSERVATION_")


class PdfKind(enum.StrEnum):
    SUMMARY = "overzicht"
    HANDOUT = "handout"
    REPORT = "verslag"
    PREPARED = "voorbereid"


def _digest(parts: Iterable[object]) -> str:
    return hashlib.sha256(repr(tuple(parts)).encode()).hexdigest()[:16]


def _drawing_settings() -> tuple[tuple[str, object], ...]:
    return tuple((name, getattr(settings, name)) for name in sorted(dir(settings)) if name.startswith(DRAWING_SETTINGS))


def child_folder(child_id: int) -> str:
    return f"{FOLDER}/{child_id}"


def slot_name(kind: PdfKind, slot: Iterable[object]) -> str:
    return f"{kind}-{_digest(slot)}"


def variant_name(child: Child, drawn_with: Iterable[object]) -> str:
    return _digest((child.record_version, settings.APP_RELEASE, _drawing_settings(), *drawn_with))


def _kept_files(storage: Storage, folder: str) -> list[str]:
    try:
        return list(storage.listdir(folder)[1])
    except FileNotFoundError:
        return []


def _read_kept(storage: Storage, folder: str, prefix: str) -> Download | None:
    for name in _kept_files(storage, folder):
        if name.startswith(prefix):
            try:
                with storage.open(f"{folder}/{name}") as kept:
                    data = kept.read()
            except FileNotFoundError:  # superseded or forgotten meanwhile
                return None
            return Download(name.removeprefix(prefix), MIMETYPE, data)
    return None


def _keep(storage: Storage, folder: str, slot: str, prefix: str, download: Download) -> None:
    """Keep the new variant, then remove the slot's older ones (and a twin request's copy)."""
    saved = storage.save(f"{folder}/{prefix}{download.filename}", ContentFile(download.data))
    for name in _kept_files(storage, folder):
        path = f"{folder}/{name}"
        if name.startswith(f"{slot}-") and path != saved:
            storage.delete(path)


def cached_pdf(
    child: Child,
    kind: PdfKind,
    draw: Callable[[], Download],
    *,
    slot: Iterable[object] = (),
    drawn_with: Iterable[object] = (),
) -> Download:
    """The PDF `draw()` makes of `child`, kept or drawn now (see the module docstring). `slot`: what the
    request chose; `drawn_with`: what the document prints beyond the child's record. A storage that
    fails costs the cache, never the download."""
    if not settings.PDF_CACHE:
        return draw()
    folder, slot_part = child_folder(child.pk), slot_name(kind, slot)
    prefix = f"{slot_part}-{variant_name(child, drawn_with)}-"
    storage = exports_storage()
    try:
        kept = _read_kept(storage, folder, prefix)
    except Exception:  # a cache, not the record: any storage error means "draw it"
        logger.exception("PDF cache not readable")
        kept = None
    if kept is not None:
        return kept
    download = draw()
    try:
        _keep(storage, folder, slot_part, prefix, download)
    except Exception:  # as above: the PDF is drawn, the person gets it
        logger.exception("PDF cache not writable")
    return download


def forget_child_pdfs(child_id: int) -> int:
    """Remove every kept PDF of the child (erasure, retention); the number removed."""
    storage = exports_storage()
    folder = child_folder(child_id)
    names = _kept_files(storage, folder)
    for name in names:
        storage.delete(f"{folder}/{name}")
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(storage.path(folder))  # the empty folder, on local disk
    return len(names)


def remove_stale_pdfs(now: datetime.datetime | None = None) -> int:
    """Remove the PDFs kept longer than CACHE_KEEP_DAYS days (a past day's, a reader gone); the number removed."""
    limit = (now or timezone.now()) - datetime.timedelta(days=CACHE_KEEP_DAYS)
    storage = exports_storage()
    try:
        folders = storage.listdir(FOLDER)[0]
    except FileNotFoundError:
        return 0
    removed = 0
    for child_folder_name in folders:
        folder = f"{FOLDER}/{child_folder_name}"
        for name in _kept_files(storage, folder):
            if storage.get_modified_time(f"{folder}/{name}") < limit:
                storage.delete(f"{folder}/{name}")
                removed += 1
    return removed
