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

The pool's processes die with the process that owns them (a gunicorn worker, the task worker), even
one killed with SIGKILL, and hold nothing of it: they are forked from a "forkserver" process, a fresh
interpreter started with no inherited descriptors (never the web worker's listening socket or its
database connection) and no inherited signal handlers; each asks the kernel for SIGKILL when its
parent (that forkserver, which leaves when the owner is gone) dies (Linux: prctl PR_SET_PDEATHSIG),
and watches its owner's pid besides. A pool whose process died anyway is replaced, and the PDF drawn in the new one.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from django.conf import settings
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from organisations.observability import PDF_QUEUE_LENGTH, PDF_RENDER_SECONDS

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


PR_SET_PDEATHSIG = 1  # linux/prctl.h
DEFAULT_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
WATCH_SECONDS = 1.0


def _die_with_parent() -> None:
    """Linux: the kernel sends SIGKILL to this process when its parent dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_owner(owner: int, parent: int) -> None:
    """Leave as soon as the owner is gone or the parent changed (any platform, any way of dying)."""
    while _alive(owner) and os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def start_pdf_process(owner: int, nice: int) -> None:
    """The initializer of each PDF process: default signal handling, death with the parent, a watch
    on the owner, a lower CPU priority, and Django set up (the renderer reads static files)."""
    for number in DEFAULT_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    parent = os.getppid()
    _die_with_parent()
    if not _alive(owner) or os.getppid() != parent:
        os._exit(1)  # the owner died before the kernel was told
    threading.Thread(target=_watch_owner, args=(owner, parent), name="pdf-owner-watch", daemon=True).start()
    os.nice(max(0, nice))
    import django

    django.setup(set_prefix=False)


def _context() -> multiprocessing.context.BaseContext:
    """Processes forked from a forkserver (a fresh interpreter that set Django up and imported the
    renderer once, reports/pdf_forkserver.py): nothing of the owner's process is inherited, and each
    starts ready."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["reports.pdf_forkserver"])
    return context


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
                mp_context=_context(),
                initializer=start_pdf_process,
                initargs=(os.getpid(), int(getattr(settings, "PDF_NICE", 10))),
            )
            _pool_pid = os.getpid()
        return _pool


def _discard(broken: ProcessPoolExecutor) -> None:
    """Forget a pool one of whose processes died (killed, out of memory): the next PDF starts a new one."""
    global _pool
    with _lock:
        if _pool is broken:
            _pool = None
    broken.shutdown(wait=False, cancel_futures=True)


def _draw_in_pool(html: str, base_url: str, fetcher: Callable[[], URLFetcher]) -> bytes:
    executor = pool()
    try:
        return executor.submit(render, html, base_url, fetcher).result(timeout=settings.PDF_TIMEOUT)
    except BrokenProcessPool:
        _discard(executor)
        raise


def render_pdf(html: str, base_url: str, fetcher: Callable[[], URLFetcher]) -> bytes:
    """Draw `html` in the PDF pool (or here with PDF_WORKERS=0), waiting at most PDF_TIMEOUT seconds;
    once more, in a new pool, when a process of the pool died. Timed, and counted in the pool's queue
    while it waits or is drawn (organisations/observability.py)."""
    with PDF_QUEUE_LENGTH.track_inprogress(), PDF_RENDER_SECONDS.time():
        return _render_pdf(html, base_url, fetcher)


def _render_pdf(html: str, base_url: str, fetcher: Callable[[], URLFetcher]) -> bytes:
    if int(settings.PDF_WORKERS) <= 0:
        return render(html, base_url, fetcher)
    try:
        return _draw_in_pool(html, base_url, fetcher)
    except BrokenProcessPool:
        return _draw_in_pool(html, base_url, fetcher)
