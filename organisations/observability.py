"""What the operator sees of the app, shared by every floor (docs/operations.md): the request id that joins a
web request to the tasks it queued, and the Prometheus metrics the lower floors feed (PDF renders, the
PDF pool's queue). Ids only: no metric label and no request id ever holds a name or a note."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from prometheus_client import Gauge, Histogram

# A sane incoming X-Request-ID: letters, digits and - _ . :, at most 64; anything else is replaced.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")

_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request (or of the request that queued the running task); "" outside both."""
    return _request_id.get()


def set_request_id(value: str) -> object:
    """Make `value` the current request id; returns the token for `reset_request_id`."""
    return _request_id.set(value)


def reset_request_id(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]  # the token of set_request_id


def sane_request_id(incoming: str | None) -> str:
    """The incoming id when it is a sane token, else a new one."""
    if incoming and REQUEST_ID_PATTERN.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


PDF_RENDER_SECONDS = Histogram(
    "attachment_pdf_render_seconds",
    "Seconds to draw one PDF, waiting for the pool included.",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120),
)
PDF_QUEUE_LENGTH = Gauge(
    "attachment_pdf_queue_length",
    "PDFs asked of the PDF pool and not yet drawn (waiting or being drawn).",
    multiprocess_mode="livesum",
)
