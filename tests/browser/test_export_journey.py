"""Issue 13 journey: a coach asks for the PDFs of a group, follows the progress without a reload
while the task worker makes the zip, and downloads it; without JavaScript the page refreshes itself."""

import io
import zipfile

import pytest

from access_log.models import AccessLog
from batch_export.models import BatchExport
from tests.browser.conftest import log_in
from tests.task_worker import run_worker

pytestmark = pytest.mark.browser


def test_coach_exports_the_pdfs_of_a_group_as_a_zip(page, browser, live_server, demo_data, output_dir):
    log_in(page, live_server, "coach@example.org")
    page.get_by_role("link", name="Kindercentrum De Vlinder").first.click()
    page.get_by_role("link", name="Overzicht van groep Vlinders").click()
    page.wait_for_url("**/groepen/*/overzicht/")
    page.get_by_role("button", name="Alle overzichten voor het team (zip)").click()
    page.wait_for_url("**/exporten/*/")
    assert page.get_by_role("heading", name="PDF's van Vlinders").is_visible()
    progress = page.locator("#export-progress")
    assert progress.get_by_text("in de wachtrij").is_visible()
    assert progress.get_by_text("Zip downloaden").is_hidden()
    page.screenshot(path=str(output_dir / "export-waiting.png"), full_page=True)
    page.evaluate("window.stillThisPage = true")  # gone after a reload

    run_worker()  # the page polls meanwhile

    progress.get_by_role("link", name="Zip downloaden").wait_for(state="visible", timeout=30_000)
    assert page.evaluate("window.stillThisPage") is True  # updated in place, no reload
    assert progress.get_by_text("klaar", exact=True).is_visible()
    assert progress.locator("progress").get_attribute("value") == "100"
    export = BatchExport.objects.get()
    assert progress.get_by_text(f"{export.total} van de {export.total} kinderen klaar").is_visible()
    page.screenshot(path=str(output_dir / "export-ready.png"), full_page=True)

    with page.expect_download() as info:
        progress.get_by_role("link", name="Zip downloaden").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == export.total == 9
    assert AccessLog.objects.filter(user__email="coach@example.org", action=AccessLog.Action.EXPORT).count() == 9


def test_without_javascript_the_progress_page_refreshes_itself(browser, live_server, demo_data, output_dir):
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    try:
        log_in(page, live_server, "manager@example.org")
        page.get_by_role("link", name="Kindercentrum De Vlinder").first.click()
        page.get_by_role("link", name="Overzicht van groep Rupsjes").click()
        page.get_by_role("button", name="Alle overzichten voor het team (zip)").click()
        page.wait_for_url("**/exporten/*/")
        assert page.get_by_text("in de wachtrij").is_visible()
        run_worker()
        page.get_by_role("link", name="Zip downloaden").wait_for(state="visible", timeout=30_000)  # after a refresh
        page.screenshot(path=str(output_dir / "export-ready-without-javascript.png"), full_page=True)
    finally:
        context.close()
