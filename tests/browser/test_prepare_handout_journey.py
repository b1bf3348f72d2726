"""Issue 21 on a phone (390 px): the coach opens Sem's page, taps "Oudergesprek voorbereiden" near the
top, swaps a quote, edits a sentence, looks at the PDF, taps "Klaar", prints it, then records the
conversation with two agreements and sees the handed-over handout in the record."""

import datetime
import io
import re

import pytest
from pypdf import PdfReader

from children.models import Child
from organisations.calendar import today
from reports.models import PreparedHandout
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"
EDITED = "In de herfst zocht Sem na een val vaak geen troost bij ons; we willen graag horen hoe dat thuis gaat."


def pdf_text(path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(path.read_bytes())).pages)


def download(page, output_dir, name, click) -> str:
    with page.expect_download() as info:
        click()
    path = output_dir / name
    info.value.save_as(path)
    return pdf_text(path)


def test_the_coach_prepares_prints_and_hands_over_the_handout(browser, live_server, demo_data, output_dir):
    sem = Child.objects.get(first_name="Sem", tussenvoegsel="de", last_name="Vries")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="nl-NL", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server, "coach@example.org")
    page.goto(f"{live_server.url}/kinderen/{sem.pk}/")
    prepare = page.get_by_role("link", name="Oudergesprek voorbereiden")
    box = prepare.bounding_box()
    assert box is not None and box["y"] + box["height"] < 844, box  # on the first screen of a phone
    record = page.get_by_role("link", name="Oudergesprek vastleggen")
    assert record.bounding_box()["y"] < 844
    prepare.click()
    page.wait_for_url(re.compile(r".*/oudergesprek/voorbereiden/$"))
    assert page.get_by_role("heading", name="Oudergesprek over Sem de Vries voorbereiden").is_visible()

    problems: list[str] = []
    shoot(page, output_dir, "prepare", problems)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(output_dir / "prepare-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    # An emptied sentence that is not left out: a Dutch message at the field, nothing saved.
    page.reload()  # (after full-page screenshots Debian's chromium may not submit: start afresh)
    page.get_by_label("Zin 1", exact=True).fill("")
    page.get_by_role("button", name="Klaar").click()
    assert page.get_by_text("Er is niets opgeslagen").is_visible()
    assert page.locator(".invalid-feedback", has_text="Deze zin is leeg").first.is_visible()
    assert not PreparedHandout.objects.filter(child=sem, status="ready").exists()
    shoot(page, output_dir, "prepare-errors", problems)
    assert problems == []
    page.set_viewport_size({"width": 390, "height": 844})  # (shoot leaves a tablet's width) the rest on a phone
    page.goto(f"{live_server.url}/kinderen/{sem.pk}/oudergesprek/voorbereiden/")

    stood_out = page.locator("section", has=page.get_by_role("heading", name="Wat ons opviel"))
    section = stood_out.locator("fieldset.handout-section").first
    quotes = section.locator("input[type=checkbox][name$='-quotes']")
    assert quotes.count() == 3
    assert [quotes.nth(i).is_checked() for i in range(3)] == [True, True, False]
    dropped_label = section.locator(f"label[for='{quotes.nth(0).get_attribute('id')}']").inner_text()
    picked_label = section.locator(f"label[for='{quotes.nth(2).get_attribute('id')}']").inner_text()
    dropped, picked = (re.match(r"“(.+)”", t).group(1) for t in (dropped_label, picked_label))
    quotes.nth(0).uncheck()
    quotes.nth(2).check()
    section.locator("textarea").first.fill(EDITED)

    text = download(
        page, output_dir, "prepare-preview.pdf", page.get_by_role("button", name="Voorbeeld bekijken (PDF)").click
    )
    assert EDITED in text and picked in text and dropped not in text

    page.get_by_role("button", name="Klaar").click()
    page.wait_for_url(f"**/kinderen/{sem.pk}/")
    assert page.get_by_text("De handout is klaar").is_visible()
    page.screenshot(path=str(output_dir / "prepare-child-top-390.png"))
    handout = PreparedHandout.objects.get(child=sem, status="ready")
    assert handout.content["noticed"][0]["sentences"][0] == EDITED
    printed = download(page, output_dir, "prepare-ready.pdf", page.get_by_role("link", name="Afdrukken (PDF)").click)
    assert printed == text

    page.get_by_role("link", name="Oudergesprek vastleggen").click()
    assert not page.evaluate(SIDEWAYS), "the conversation form scrolls sideways on a phone"
    page.get_by_label("Wie waren erbij").fill("moeder, vader, mentor, coach")
    page.get_by_label("Wat vertelden de ouders").fill("Thuis zoekt Sem wel troost bij papa.")
    page.get_by_label("De ouders vinden het goed dat hun woorden in het verslag staan").check()
    next_date = (today() + datetime.timedelta(weeks=8)).isoformat()
    page.get_by_label("Volgend gesprek").fill(next_date)
    follow_up = (today() + datetime.timedelta(weeks=6)).isoformat()
    for number, (what, who) in enumerate(
        [
            ("De mentor troost Sem na een val en benoemt wat er gebeurde.", "mentor"),
            ("Ouders vertellen hoe Sem thuis troost zoekt.", "ouders"),
        ]
    ):
        row = page.locator("fieldset.agreement-row").nth(number)
        row.get_by_label("Wat is afgesproken").fill(what)
        row.get_by_label("Wie", exact=True).fill(who)
        row.get_by_label("Terugkijken op").fill(follow_up)
    page.get_by_role("button", name="Opslaan").click()
    page.wait_for_url(re.compile(r".*/gesprekken/\d+/$"))
    assert page.viewport_size == {"width": 390, "height": 844}
    assert not page.evaluate(SIDEWAYS), "the conversation record scrolls sideways on a phone"
    handed_over = page.locator("dd.handed-over")
    assert "handout van" in handed_over.inner_text() and "voorbereid door" in handed_over.inner_text()
    assert page.get_by_text("De mentor troost Sem na een val").is_visible()
    assert page.get_by_text("Ouders vertellen hoe Sem thuis troost zoekt.").is_visible()
    page.screenshot(path=str(output_dir / "prepare-conversation-record-390.png"), full_page=True)
    again = download(
        page, output_dir, "prepare-reprint.pdf", page.get_by_role("link", name="Opnieuw afdrukken (PDF)").click
    )
    assert again == text

    # after the conversation: the report for the parents, with both agreements, their words and the next date
    report = download(
        page, output_dir, "report-for-parents.pdf", page.get_by_role("button", name="Verslag voor ouders (PDF)").click
    )
    assert "Verslag van ons gesprek over Sem" in report
    assert "De mentor troost Sem na een val en benoemt wat er gebeurde." in report
    assert "Ouders vertellen hoe Sem thuis troost zoekt." in report
    assert "Thuis zoekt Sem wel troost bij papa." in report
    assert "pagina 1 van" in report and "geen diagnose" in report
    assert html_errors(output_dir, ["prepare", "prepare-errors"]) == []
    context.close()
