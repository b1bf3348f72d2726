"""Issue 23 journey, the import: the organisation admin uploads the planning system's sample export,
matches its columns (one set aside), reads the dry run at 1280 px (the counts, the new location and
groups, and a refused line with its Dutch reason), applies it, uploads the same file again: the columns
are remembered, every line is unchanged, and applying it changes nothing."""

from pathlib import Path

import pytest

from children.models import Child, Mentorship, Placement
from organisations.models import Group, Location
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
    ] + [Location.objects.count(), Group.objects.count()]


def upload_and_map(page, live_server, path=SAMPLE):
    page.goto(f"{live_server.url}/inlezen/")
    page.get_by_label("Export uit het planningssysteem").set_input_files(str(path))
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
    assert page.get_by_label("Leeftijd van (maanden)", exact=True).input_value() == "min_age"
    assert page.get_by_text("bijvoorbeeld: KP-2001").is_visible()
    form_of_address.select_option(label="niet gebruiken")
    shoot(page, output_dir, "import-columns", problems, widths=WIDE)
    page.get_by_role("button", name="Bekijk wat er verandert").click()
    page.get_by_role("heading", name="Wat inlezen zou veranderen").wait_for()
    assert ImportMapping.objects.get().mapping["Aanspreekvorm"] is None

    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.get_by_text("1 nieuwe locatie").is_visible()
    assert page.get_by_text("2 nieuwe groepen").is_visible()
    assert page.get_by_text("9 nieuwe kinderen").is_visible()
    assert page.get_by_text("4 nieuwe medewerkers").is_visible()
    assert page.get_by_text("9 regels geweigerd").is_visible()
    assert page.get_by_text("inlezen verwijdert of beëindigt nooit een locatie of groep").is_visible()
    table = page.locator("table.import-rows")
    assert table.is_visible()
    new_group = table.locator("tr", has_text="nieuwe groep Zonnetjes bij Kindercentrum De Zon")
    assert new_group.get_by_text("nieuw", exact=True).is_visible()
    assert (
        table.locator("tr", has_text="nieuwe locatie Kindercentrum De Zon")
        .get_by_text("kindercentrum", exact=True)
        .is_visible()
    )
    ages = table.locator("tr", has_text="Zonnestralen")
    assert ages.get_by_text("De jongste leeftijd (48 maanden) ligt boven de oudste (12 maanden).").is_visible()
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
    assert page.locator(".import-places").get_by_text("nieuwe groep Zonnebloemen").is_visible()
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Inlezen", exact=True).click()
    page.wait_for_url("**/inlezen/")
    assert page.get_by_text("Ingelezen. Kinderen: 9 nieuw").is_visible()
    assert page.get_by_text("Locaties: 1 nieuw. Groepen: 2 nieuw").is_visible()
    assert Child.objects.filter(external_id__startswith="KP-").count() == 9
    assert Group.objects.filter(location__name="Kindercentrum De Zon").count() == 2
    after = records()

    upload_and_map(page, live_server)
    assert page.get_by_label("Aanspreekvorm", exact=True).input_value() == ""  # remembered: not used
    page.get_by_role("button", name="Bekijk wat er verandert").click()
    page.get_by_role("heading", name="Wat inlezen zou veranderen").wait_for()
    assert page.get_by_text("0 nieuwe locaties").is_visible()
    assert page.get_by_text("0 nieuwe groepen").is_visible()
    assert page.get_by_text("0 nieuwe kinderen").is_visible()
    assert page.get_by_text("9 ongewijzigd").is_visible()
    assert page.get_by_text("0 nieuwe medewerkers").is_visible()
    assert page.get_by_text("4 ongewijzigd").is_visible()
    rows = page.locator("table.import-rows tbody tr")
    statuses = {row.locator("td").nth(1).inner_text() for row in rows.all()}
    assert statuses == {"ongewijzigd", "geweigerd"}
    page.screenshot(path=str(output_dir / "import-plan-again-1280.png"), full_page=True)
    page.get_by_role("button", name="Inlezen", exact=True).click()
    page.wait_for_url("**/inlezen/")
    assert page.get_by_text("Ingelezen. Kinderen: 0 nieuw, 0 gewijzigd").is_visible()
    assert page.get_by_text("Locaties: 0 nieuw. Groepen: 0 nieuw, 0 gewijzigd.").is_visible()
    assert records() == after
    assert not PendingImport.objects.exists()

    problems += html_errors(output_dir, ["import-upload", "import-columns", "import-plan"])
    assert not problems, "\n".join(problems)


def test_a_new_group_that_looks_like_an_existing_one_is_flagged_and_can_still_be_read_in(
    page, live_server, demo_data, output_dir, tmp_path
):
    """A new group "Rupsen" at Kindercentrum De Vlinder, next to its Rupsjes: the dry run says so on the line and
    near the button, on a phone too; reading in still adds the group."""
    path = tmp_path / "rupsen.csv"
    path.write_text(
        "Kindnummer;Voornaam;Achternaam;Geboortedatum;Locatie;Groep;Startdatum\r\n"
        "KP-9001;Noor;Visser;03-03-2024;Kindercentrum De Vlinder;Rupsen;01-09-2024\r\n",
        encoding="utf-8",
    )
    problems: list[str] = []
    log_in(page, live_server, "admin@example.org")
    upload_and_map(page, live_server, path)
    page.get_by_role("button", name="Bekijk wat er verandert").click()
    page.get_by_role("heading", name="Wat inlezen zou veranderen").wait_for()
    page.set_viewport_size({"width": 390, "height": 900})
    warning = "Lijkt op de bestaande groep Rupsjes: een tikfout?"
    assert page.locator(".import-places").get_by_text(warning).is_visible()
    assert page.get_by_text("1 nieuwe locatie of groep lijkt op een andere: kijk de naam na").is_visible()
    shoot(page, output_dir, "import-plan-lookalike", problems, widths=(390, 1280))
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.locator("table.import-rows").get_by_text(warning).is_visible()
    page.get_by_role("button", name="Inlezen", exact=True).click()
    page.wait_for_url("**/inlezen/")
    assert page.get_by_text("Locaties: 0 nieuw. Groepen: 1 nieuw").is_visible()
    assert Group.objects.filter(location__name="Kindercentrum De Vlinder", name="Rupsen").exists()
    problems += html_errors(output_dir, ["import-plan-lookalike"])
    assert not problems, "\n".join(problems)
