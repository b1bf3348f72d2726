"""Issue 23 journey, the import: the organisation admin uploads the planning system's sample export,
matches its columns (one set aside), reads the dry run at 1280 px (the counts, and a refused line with
its Dutch reason), applies it, uploads the same file again: the columns are remembered, every line is
unchanged, and applying it changes nothing."""

from pathlib import Path

import pytest

from children.models import Child, Mentorship, Placement
from planning_import.models import ImportMapping, PendingImport
from staff.models import Membership, User
from tests.browser.conftest import log_in
from tests.browser.page_checks import html_errors, shoot

pytestmark = pytest.mark.browser

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "samples" / "planning-export.csv"
WIDE = (1280, 390)


def records():
    """What reading in writes, with the history of each."""
    return [
        (model.objects.count(), model.history.count()) for model in (Child, Placement, Mentorship, User, Membership)
    ]


def upload_and_map(page, live_server):
    page.goto(f"{live_server.url}/inlezen/")
    page.get_by_label("Export uit het planningssysteem").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Bekijk wat er verandert").click()
    page.wait_for_url("**/inlezen/*/kolommen/")
    page.get_by_role("heading", name="Kolommen van het bestand").wait_for()


def test_admin_maps_the_columns_reads_the_dry_run_applies_and_applies_again(page, live_server, demo_data, output_dir):
    problems: list[str] = []
    log_in(page, live_server, "admin@example.org")
    page.get_by_role("link", name="Inlezen uit het planningssysteem").click()
    page.wait_for_url("**/inlezen/")
    shoot(page, output_dir, "import-upload", problems, widths=WIDE)

    upload_and_map(page, live_server)
    form_of_address = page.get_by_label("Aanspreekvorm", exact=True)
    assert form_of_address.input_value() == "form_of_address"  # recognised by its name
    assert page.get_by_label("Mentor (e-mail)", exact=True).input_value() == "mentor"
    assert page.get_by_text("bijvoorbeeld: KP-2001").is_visible()
    form_of_address.select_option(label="niet gebruiken")
    shoot(page, output_dir, "import-columns", problems, widths=WIDE)
    page.get_by_role("button", name="Bekijk wat er verandert").click()
    page.get_by_role("heading", name="Wat inlezen zou veranderen").wait_for()
    assert ImportMapping.objects.get().mapping["Aanspreekvorm"] is None

    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.get_by_text("7 nieuwe kinderen").is_visible()
    assert page.get_by_text("3 nieuwe medewerkers").is_visible()
    assert page.get_by_text("9 regels geweigerd").is_visible()
    table = page.locator("table.import-rows")
    assert table.is_visible()
    refused = table.locator("tr", has_text="KP-2011")
    assert refused.get_by_text("geweigerd").is_visible()
    assert refused.get_by_text("Mentor sanne@example.org is geen pedagogisch medewerker").is_visible()
    formula = table.locator("tr", has_text="KP-2013")
    assert formula.get_by_text("De kolom Voornaam bevat een formule").is_visible()
    assert table.locator("tr", has_text="Owen de Graaf").get_by_text("nieuw", exact=True).is_visible()
    shoot(page, output_dir, "import-plan", problems, widths=WIDE)
    page.set_viewport_size({"width": 390, "height": 900})
    assert table.is_hidden()  # a phone reads the lists
    lists = page.locator(".d-lg-none")
    assert lists.get_by_text("Mentor sanne@example.org is geen pedagogisch medewerker").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Inlezen", exact=True).click()
    page.wait_for_url("**/inlezen/")
    assert page.get_by_text("Ingelezen. Kinderen: 7 nieuw").is_visible()
    assert Child.objects.filter(external_id__startswith="KP-").count() == 7
    after = records()

    upload_and_map(page, live_server)
    assert page.get_by_label("Aanspreekvorm", exact=True).input_value() == ""  # remembered: not used
    page.get_by_role("button", name="Bekijk wat er verandert").click()
    page.get_by_role("heading", name="Wat inlezen zou veranderen").wait_for()
    assert page.get_by_text("0 nieuwe kinderen").is_visible()
    assert page.get_by_text("7 ongewijzigd").is_visible()
    assert page.get_by_text("0 nieuwe medewerkers").is_visible()
    assert page.get_by_text("3 ongewijzigd").is_visible()
    rows = page.locator("table.import-rows tbody tr")
    statuses = {row.locator("td").nth(1).inner_text() for row in rows.all()}
    assert statuses == {"ongewijzigd", "geweigerd"}
    page.screenshot(path=str(output_dir / "import-plan-again-1280.png"), full_page=True)
    page.get_by_role("button", name="Inlezen", exact=True).click()
    page.wait_for_url("**/inlezen/")
    assert page.get_by_text("Ingelezen. Kinderen: 0 nieuw, 0 gewijzigd").is_visible()
    assert records() == after
    assert not PendingImport.objects.exists()

    problems += html_errors(output_dir, ["import-upload", "import-columns", "import-plan"])
    assert not problems, "\n".join(problems)
