"""PDFs are drawn in a niced process beside the web worker, with one font configuration per process."""

import os
import signal

import pytest
from django.test import override_settings
from pypdf import PdfReader

from reports import pdf_render
from reports.pdf import RestrictedURLFetcher, html_to_pdf

HTML = "<html><body><h1>Overzicht</h1><p>Waarnemingen uit de opvang, geen diagnose.</p></body></html>"


def test_the_pool_draws_at_a_lower_priority_in_another_process():
    with override_settings(PDF_WORKERS=1, PDF_NICE=10):
        pid, nice = pdf_render.pool().submit(pdf_render.process_info).result(timeout=60)
        data = html_to_pdf(HTML)
    assert pid != os.getpid()
    assert nice >= min(19, os.nice(0) + 10)
    assert data.startswith(b"%PDF")
    import io

    assert "geen diagnose" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_one_font_configuration_serves_every_document_of_a_process():
    with override_settings(PDF_WORKERS=0):
        first = pdf_render.font_configuration()
        html_to_pdf(HTML)
        html_to_pdf(HTML)
        assert pdf_render.font_configuration() is first


@pytest.mark.parametrize("workers", [0, 1])
def test_the_url_fetcher_still_refuses_the_network_in_the_pool(workers):
    page = '<html><body><img src="https://example.org/x.png"><p>tekst</p></body></html>'
    with override_settings(PDF_WORKERS=workers):
        assert html_to_pdf(page).startswith(b"%PDF")  # the image is left out, nothing is fetched
    with pytest.raises(ValueError, match="not allowed"):
        RestrictedURLFetcher().fetch("https://example.org/x.png")


def test_a_pool_whose_process_died_is_replaced():
    with override_settings(PDF_WORKERS=1):
        pid, _nice = pdf_render.pool().submit(pdf_render.process_info).result(timeout=60)
        os.kill(pid, signal.SIGKILL)  # out of memory, say
        assert html_to_pdf(HTML).startswith(b"%PDF")
        assert pdf_render.pool().submit(pdf_render.process_info).result(timeout=60)[0] != pid
