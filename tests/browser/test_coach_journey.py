"""The coach's journey: open a demo child's overview, see the recurring attention point, download the PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from children.models import Child
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_coach_reads_the_overview_and_downloads_the_pdf(page, live_server, demo_data, output_dir):
    sem = Child.objects.get(first_name="Sem", tussenvoegsel="de", last_name="Vries")
    log_in(page, live_server, "coach@example.org")
    page.goto(f"{live_server.url}/kinderen/{sem.pk}/overzicht/?weken=12")
    assert page.get_by_role("heading", name="Overzicht van Sem de Vries").is_visible()
    assert page.get_by_text("Dit zijn waarnemingen uit de opvang, geen diagnose.").is_visible()
    comfort = page.locator("#pijler-comfort_seeking")
    assert "terugkerend aandachtspunt" in comfort.inner_text()
    assert "zoekt geen troost" in comfort.inner_text()  # the pole, by its name
    assert not re.search(r"\bte (weinig|veel)\b", comfort.inner_text())
    page.screenshot(path=str(output_dir / "coach-overview.png"), full_page=True)

    page.get_by_label("Periode").select_option("26")
    page.get_by_role("button", name="Toon").click()
    page.wait_for_url("**/overzicht/?weken=26")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF downloaden").click()
    download = download_info.value
    assert download.suggested_filename.startswith("overzicht-Sem-") and download.suggested_filename.endswith(".pdf")
    path = output_dir / "coach-overview.pdf"
    download.save_as(path)
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    text = " ".join(p.extract_text() for p in pages)
    assert "Sem de Vries" in text and "terugkerend aandachtspunt" in text
