"""Where PDFs are drawn: one shared WeasyPrint FontConfiguration per process, in a pool of niced
processes beside the web worker (issue 13).

- One FontConfiguration per process, made on first use: WeasyPrint makes a new one per document
  when none is given, and each leaks native (fontconfig/pango) memory in a long-running worker; a
  shared one keeps the worker's memory flat (bench/pdf_memory.py) and renders a little faster.
- PDF_WORKERS processes (default 1) render the HTML a page hands them, at a lower CPU priority
  (PDF_NICE, default 10): on a busy machine the web workers serving staff get the CPU first, and a
  burst of PDFs waits instead of starving the day view. PDF_WORKERS=0 renders in the calling
  process (the tests, a one-off command). The batch export (pages' export page) runs in the task
  worker, which renders in its own process the same way.

Only HTML goes to the pool and only bytes come back; the pool process never touches the database.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from django.conf import settings
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

_font_config: FontConfiguration | None = None
_font_config_pid: int | None = None
_pool: ProcessPoolExecutor | None = None
_pool_pid: int | None = None
_lock = threading.Lock()


def font_configuration() -> FontConfiguration:
    """The process's one FontConfiguration (a forked child makes its own)."""
    global _font_config, _font_config_pid
    if _font_config is None or _font_config_pid != os.getpid():
        _font_config, _font_config_pid = FontConfiguration(), os.getpid()
    return _font_config


def render(html: str, base_url: str, fetcher: Callable[[], URLFetcher]) -> bytes:
    """Draw `html` here, in this process, with the shared font configuration."""
    pdf: bytes = HTML(string=html, base_url=base_url, url_fetcher=fetcher()).write_pdf(font_config=font_configuration())
    return pdf


def _lower_priority() -> None:
    os.nice(max(0, int(getattr(settings, "PDF_NICE", 10))))


def process_info() -> tuple[int, int]:
    """(pid, niceness) of the process this runs in (tests and benches ask the pool)."""
    return os.getpid(), os.nice(0)


def pool() -> ProcessPoolExecutor:
    """This process's pool of PDF processes, started on first use (after gunicorn forks a worker)."""
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool = ProcessPoolExecutor(
                max_workers=max(1, int(settings.PDF_WORKERS)),
                mp_context=multiprocessing.get_context("fork"),
                initializer=_lower_priority,
            )
            _pool_pid = os.getpid()
        return _pool


def render_pdf(html: str, base_url: str, fetcher: Callable[[], URLFetcher]) -> bytes:
    """Draw `html` in the PDF pool (or here with PDF_WORKERS=0), waiting at most PDF_TIMEOUT seconds."""
    if int(settings.PDF_WORKERS) <= 0:
        return render(html, base_url, fetcher)
    return pool().submit(render, html, base_url, fetcher).result(timeout=settings.PDF_TIMEOUT)
