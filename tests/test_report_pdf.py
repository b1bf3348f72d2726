"""The per-child PDF: contents on every page, no labels, no network, the access log."""

import http.server
import io
import os
import threading
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from access_log.models import AccessLog
from observations.pillars import PILLARS
from organisations.calendar import today
from reports.pdf import fetch_url, html_to_pdf, render_child_summary_pdf
from reports.summary import child_summary
from tests.report_data import give_recurring_comfort_pattern, many_observations, observe, weeks_ago
from tests.test_report_summary import FORBIDDEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def output_dir() -> Path:
    path = Path(os.environ.get("TEST_OUTPUT_DIR", Path(__file__).resolve().parents[1] / "test-output"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def pdf_url(child, weeks=None):
    url = reverse("child_summary_pdf", args=[child.pk])
    return f"{url}?weken={weeks}" if weeks is not None else url


def pages_text(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def rich_child(cast):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    many_observations(cast.child_a, [cast.staff_a, cast.manager, cast.coach], 60)
    return cast


def test_the_pdf_download(rich_child, client_for, output_dir):
    response = client_for(rich_child.coach).get(pdf_url(rich_child.child_a, 12))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="overzicht-Sem-{today():%Y-%m-%d}.pdf"'
    (output_dir / "report-sem-12.pdf").write_bytes(response.content)
    pages = pages_text(response.content)
    text = " ".join(pages)
    assert len(pages) >= 2
    assert "Sem Testmans" in pages[0]
    assert "Let op" in pages[0] and "geen diagnose" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert "Waarnemingen uit de opvang, geen diagnose." in page, number
        assert f"pagina {number} van {len(pages)}" in page, number
    with translation.override("nl"):
        for pillar in PILLARS:
            assert str(pillar.name) in text, pillar.code
    assert "terugkerend aandachtspunt" in text
    assert "Hoe lees je dit overzicht" in text
    assert "Afspraken met de ouders" in text
    assert "Coen" in text  # made by
    assert "Anna" in text  # mentor
    assert "Groep A" in text
    year = client_for(rich_child.coach).get(pdf_url(rich_child.child_a, 52))
    (output_dir / "report-sem-52.pdf").write_bytes(year.content)
    assert "week" in pages_text(year.content)[0]


def test_the_pdf_names_no_attachment_style_or_disorder(rich_child):
    for language in ("nl", "en"):
        with translation.override(language):
            summary = child_summary(rich_child.child_a, 52)
            data = render_child_summary_pdf(summary, made_by=rich_child.coach, made_on=today()).data
        assert not FORBIDDEN.findall(" ".join(pages_text(data))), language


def test_every_export_writes_one_row_to_the_access_log(rich_child, client_for):
    client = client_for(rich_child.manager)
    client.get(pdf_url(rich_child.child_a, 26))
    client.get(pdf_url(rich_child.child_a))
    rows = list(AccessLog.objects.filter(action=AccessLog.Action.EXPORT).order_by("created_at"))
    assert [(r.user, r.child, r.weeks) for r in rows] == [
        (rich_child.manager, rich_child.child_a, 26),
        (rich_child.manager, rich_child.child_a, 12),
    ]
    assert not AccessLog.objects.filter(action=AccessLog.Action.VIEW).exists()


@pytest.mark.parametrize("raw", ["abc", "2", "60"])
def test_bad_weeks_get_a_400_with_a_dutch_message(cast, client_for, raw):
    response = client_for(cast.coach).get(pdf_url(cast.child_a, raw))
    assert response.status_code == 400
    assert "Het aantal weken moet een heel getal van 4 tot en met 52 zijn" in response.content.decode()
    assert not AccessLog.objects.exists()


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def external_server():
    _Recorder.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_an_external_url_in_a_note_is_not_fetched(cast, external_server):
    note = (
        f'<img src="{external_server}/note.png"> '
        f'<link rel="stylesheet" href="{external_server}/x.css"> url({external_server}/y)'
    )
    observe(cast.child_a, cast.staff_a, weeks_ago(1), {"reunion": 2}, notes={"reunion": note})
    summary = child_summary(cast.child_a, 12)
    data = render_child_summary_pdf(summary, made_by=cast.coach, made_on=today()).data
    assert data.startswith(b"%PDF")
    assert _Recorder.hits == []
    assert "note.png" in " ".join(pages_text(data))  # shown as text, escaped


def test_the_fetcher_refuses_everything_but_data_and_own_static_files(external_server):
    # even markup that reaches WeasyPrint unescaped cannot fetch from another host
    html_to_pdf(f'<img src="{external_server}/direct.png"><img src="file:///etc/passwd"><p>x</p>')
    assert _Recorder.hits == []
    for url in (
        f"{external_server}/a.png",
        "file:///etc/passwd",
        "https://app.invalid/static/../settings.py",
        "ftp://example.org/x",
    ):
        with pytest.raises(ValueError):
            fetch_url(url)
    assert fetch_url("data:text/plain,hallo").read() == b"hallo"
    assert fetch_url("https://app.invalid/static/css/app.css").read().startswith(b"/*")
