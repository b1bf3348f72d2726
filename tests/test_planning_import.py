"""Reading in an organisation from its planning system (issue 23): the file, the columns, the dry run
with every refused row's Dutch reason, applying it once and again (nothing changes the second time),
the confirmation before a child's placement ends, and the command."""

import datetime
import io
import json
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command

from access_log.models import AccessLog
from access_log.selectors import AccessLogFilter, access_log_for
from children.models import Child, Mentorship, Placement
from children.names import split_surname
from demo.organisation import seed_demo_organisation
from organisations.calendar import add_months, today
from organisations.models import Group, Location, Organisation
from planning_import.applying import apply_import
from planning_import.columns import load_mapping, recognise_columns
from planning_import.planning import Status, plan_import
from planning_import.reading import ImportFileError, read_table
from privacy.retention import children_due
from staff.models import Membership, Role, User

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "demo" / "samples" / "planning-export.csv"
DAY = datetime.datetime(2026, 12, 7, 10, 0)  # a Monday
HEADER = (
    "Kindnummer",
    "Voornaam",
    "Tussenvoegsel",
    "Achternaam",
    "Geboortedatum",
    "Locatie",
    "Groep",
    "Startdatum",
    "Einddatum",
    "Mentor (e-mail)",
    "Aanspreekvorm",
)
STAFF_HEADER = ("E-mail", "Naam", "Rol", "Locatie", "Groepen")


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(DAY, tick=False):
        yield


def child(**values):
    row = {
        "Kindnummer": "K1",
        "Voornaam": "Lars",
        "Tussenvoegsel": "van der",
        "Achternaam": "Meer",
        "Geboortedatum": "14-03-2024",
        "Locatie": "Locatie Een",
        "Groep": "Groep A",
        "Startdatum": "01-09-2024",
        "Einddatum": "",
        "Mentor (e-mail)": "staff.a@example.test",
        "Aanspreekvorm": "hij",
    }
    row.update(values)
    return row


def csv_text(rows, header=HEADER, delimiter=";"):
    def quoted(cell):
        return f'"{cell}"' if delimiter in cell or '"' in cell else cell

    lines = [delimiter.join(header)]
    lines += [delimiter.join(quoted(str(row.get(column, "")).replace('"', '""')) for column in header) for row in rows]
    return "\r\n".join(lines) + "\r\n"


def xlsx_bytes(rows, header=HEADER):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def plan(org, data):
    table = read_table(data if isinstance(data, bytes) else data.encode("utf-8"))
    return plan_import(org, table, recognise_columns(table.headers))


def rows_saved():
    """Everything an import could write, counted."""
    return (
        Child.objects.count(),
        Placement.objects.count(),
        Mentorship.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Child.history.count(),
        Placement.history.count(),
        Mentorship.history.count(),
        User.history.count(),
        Membership.history.count(),
        Location.objects.count(),
        Group.objects.count(),
        AccessLog.objects.count(),
    )


# --- refused rows, each with its Dutch reason ----------------------------------------------------

REFUSED = {
    # a new group is planned only with a row that is read in: refused, the row adds no place either
    "new group, mentor not of it": (
        child(Groep="Groep Z"),
        "Mentor staff.a@example.test is geen pedagogisch medewerker van groep Groep Z.",
    ),
    "new location without a group": (child(Locatie="Nergens", Groep=""), "Groep ontbreekt."),
    "new group at another location, mentor not of it": (
        child(Locatie="Locatie Twee"),
        "Mentor staff.a@example.test is geen pedagogisch medewerker van groep Groep A.",
    ),
    "group name too long": (child(Groep="G" * 201), "Groep is langer dan 200 tekens."),
    "group name that shows nothing": (child(Groep="\u200b\u200b"), "Groep ontbreekt."),
    "location name that shows nothing": (child(Locatie="\u200b", Groep="Nieuw"), "Locatie ontbreekt."),
    "date with slashes": (child(Geboortedatum="14/03/2024"), "Geboortedatum “14/03/2024” is geen datum"),
    "date that does not exist": (child(Startdatum="31-02-2025"), "Startdatum “31-02-2025” is geen datum"),
    "American date": (child(Startdatum="2025-13-01"), "Startdatum “2025-13-01” is geen datum"),
    "no first name": (child(Voornaam=""), "Voornaam ontbreekt."),
    "no date of birth": (child(Geboortedatum=""), "Geboortedatum ontbreekt."),
    "no child number": (child(Kindnummer=""), "Kindnummer ontbreekt."),
    "born in the future": (child(Geboortedatum="01-01-2027"), "De geboortedatum 01-01-2027 ligt in de toekomst."),
    "placed before birth": (child(Startdatum="01-01-2024"), "De plaatsing begint vóór de geboortedatum."),
    "ends before it starts": (child(Einddatum="31-08-2024"), "De einddatum ligt vóór de startdatum."),
    "mentor of another group": (
        child(**{"Mentor (e-mail)": "staff.b@example.test"}),
        "Mentor staff.b@example.test is geen pedagogisch medewerker van groep Groep A.",
    ),
    "mentor who is a manager": (
        child(**{"Mentor (e-mail)": "manager@example.test"}),
        "Mentor manager@example.test is geen pedagogisch medewerker van groep Groep A.",
    ),
    "unknown form of address": (child(Aanspreekvorm="misschien"), "Onbekende aanspreekvorm “misschien”"),
    "mentor nobody knows": (
        child(**{"Mentor (e-mail)": "niemand@example.test"}),
        "Mentor niemand@example.test is geen pedagogisch medewerker van groep Groep A.",
    ),
    "no group at a centre": (child(Groep=""), "Groep ontbreekt."),
    "a name too long": (child(Voornaam="Lars" * 100), "Voornaam is langer dan"),
    "formula": (
        child(Voornaam='=HYPERLINK("https://example.org";"Klik")'),
        "De kolom Voornaam bevat een formule (=HYPERLINK(",
    ),
    "formula starting with @": (child(Achternaam="@SUM(A1)"), "De kolom Achternaam bevat een formule"),
    "formula starting with +": (child(Tussenvoegsel="+1"), "De kolom Tussenvoegsel bevat een formule"),
    "formula starting with -": (child(Einddatum="-1+2"), "De kolom Einddatum bevat een formule"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", REFUSED)
def test_a_refused_row_says_why_in_dutch_and_saves_nothing(cast, name):
    row, reason = REFUSED[name]
    result = plan(cast.org, csv_text([row]))
    assert result.children == [] and result.places == []
    [refusal] = result.refused
    assert refusal.line == 2
    assert reason in refusal.reason, refusal.reason
    before = rows_saved()
    apply_import(result, by=cast.admin)
    after = rows_saved()
    assert after[:-1] == before[:-1]  # only the access log's line about the import


@pytest.mark.django_db
def test_a_child_number_twice_in_the_file_refuses_both_rows(cast):
    result = plan(cast.org, csv_text([child(), child(Voornaam="Lies", Groep="Groep B"), child(Kindnummer="K2")]))
    assert [line.external_id for line in result.children] == ["K2"]
    assert [(r.line, r.what, r.reason) for r in result.refused] == [
        (2, "kindnummer K1", "Dit kindnummer staat meer dan eens in het bestand (regels 2, 3)."),
        (3, "kindnummer K1", "Dit kindnummer staat meer dan eens in het bestand (regels 2, 3)."),
    ]


def refusals(org, rows, header=HEADER):
    return [(r.line, r.reason) for r in plan(org, csv_text(rows, header=header)).refused]


@pytest.mark.django_db
def test_a_group_named_without_its_location_must_be_known_and_one_of_its_name(cast):
    header = tuple(column for column in HEADER if column != "Locatie")
    assert refusals(cast.org, [child(Groep="Groep Z")], header) == [
        (2, "Onbekende groep: Groep Z. Vul de kolom Locatie in, dan komt de groep bij die locatie.")
    ]
    assert refusals(cast.org, [child()], header) == []  # Groep A: one in the organisation
    Group.objects.create(location=cast.location2, name="Groep A")
    assert refusals(cast.org, [child()], header) == [
        (2, "Er is een groep Groep A op meer dan één locatie: vul de kolom Locatie in.")
    ]


@pytest.mark.django_db
def test_two_children_typed_in_by_hand_with_the_rows_name_and_birth_date_refuse_it(cast):
    sem = cast.child_a
    Child.objects.create(
        organisation=cast.org, first_name=sem.first_name, last_name=sem.last_name, date_of_birth=sem.date_of_birth
    )
    row = child(
        Kindnummer="K7",
        Voornaam=sem.first_name,
        Tussenvoegsel="",
        Achternaam=sem.last_name,
        Geboortedatum=sem.date_of_birth.isoformat(),
        Startdatum=sem.placements.get().start_date.isoformat(),
    )
    assert refusals(cast.org, [row]) == [(2, "Meer dan één kind zonder kindnummer heeft deze naam en geboortedatum.")]


@pytest.mark.django_db
def test_a_placement_that_overlaps_or_comes_before_a_later_one_is_refused(cast):
    apply_import(plan(cast.org, csv_text([child(Einddatum="30-06-2025")])), by=cast.admin)
    assert refusals(cast.org, [child(Startdatum="01-01-2025")]) == [
        (2, "Deze plaatsing overlapt een eerdere plaatsing van het kind in deze groep.")
    ]
    moved = child(Kindnummer="K2", Groep="Groep B", Startdatum="01-01-2025", **{"Mentor (e-mail)": ""})
    apply_import(plan(cast.org, csv_text([moved])), by=cast.admin)
    assert refusals(cast.org, [child(Kindnummer="K2")]) == [
        (2, "Het kind heeft elders een plaatsing die op of na 01-09-2024 begint; pas die aan in het beheer.")
    ]
    before = rows_saved()
    apply_import(plan(cast.org, csv_text([child(Kindnummer="K2")])), by=cast.admin)
    assert rows_saved()[:-1] == before[:-1]


@pytest.mark.django_db
def test_the_other_rows_of_a_file_with_refused_rows_are_saved(cast):
    rows = [child(), child(Kindnummer="K2", Startdatum="31-02-2025"), child(Kindnummer="K3", Voornaam="Ada")]
    apply_import(plan(cast.org, csv_text(rows)), by=cast.admin)
    assert set(Child.objects.exclude(external_id="").values_list("external_id", flat=True)) == {"K1", "K3"}


# --- dates, names and the columns ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_lone_dash_is_an_empty_cell_not_a_formula(cast):
    result = plan(cast.org, csv_text([child(Einddatum="-", Tussenvoegsel="-")]))
    assert result.refused == []
    [line] = result.children
    assert (line.placement.end_date, line.values["tussenvoegsel"]) == (None, "")


@pytest.mark.django_db
def test_dutch_and_iso_dates_both_read(cast):
    rows = [
        child(Kindnummer="K1", Geboortedatum="14-03-2024", Startdatum="1-9-2024"),
        child(Kindnummer="K2", Geboortedatum="2024-03-14", Startdatum="2024-09-01"),
    ]
    result = plan(cast.org, csv_text(rows))
    assert result.refused == []
    assert {line.values["date_of_birth"] for line in result.children} == {datetime.date(2024, 3, 14)}
    assert {line.placement.start_date for line in result.children} == {datetime.date(2024, 9, 1)}


@pytest.mark.django_db
def test_columns_in_any_order_and_case_and_a_surname_written_whole(cast):
    header = ("GROEP", "achternaam", "voornaam", "kindnummer", "Geboortedatum", "startDatum", "Locatie", "Telefoon")
    row = {
        "GROEP": "Groep A",
        "achternaam": "de Vries",
        "voornaam": "Sem",
        "kindnummer": "K9",
        "Geboortedatum": "01-02-2024",
        "startDatum": "01-09-2024",
        "Locatie": "Locatie Een",
        "Telefoon": "+31 6 12345678",  # a column we do not read: its "+" refuses nothing
    }
    result = plan(cast.org, csv_text([row], header=header))
    assert result.refused == []
    [line] = result.children
    assert (line.values["tussenvoegsel"], line.values["last_name"], line.name) == ("de", "Vries", "Sem de Vries")
    assert result.ignored_columns == ("Telefoon",)


@pytest.mark.django_db
def test_a_mapping_names_the_columns_of_another_planning_system(cast, tmp_path):
    header = ("Kind nr.", "Roepnaam", "Familienaam", "Geb.", "Vestiging", "Stamgroep", "Plaatsing vanaf", "Notitie")
    row = dict(
        zip(header, ("77", "Noor", "Bakker", "2024-01-05", "Locatie Een", "Groep A", "2024-06-01", "x"), strict=True)
    )
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(
        json.dumps(
            {"Kind nr.": "Kindnummer", "Geb.": "Geboortedatum", "Plaatsing vanaf": "start_date", "Notitie": None}
        )
    )
    table = read_table(csv_text([row], header=header).encode())
    with pytest.raises(ImportFileError) as refused:
        recognise_columns(table.headers)
    assert refused.value.message == "In de lijst met kinderen ontbreken deze kolommen: Geboortedatum, Startdatum."
    mapping = recognise_columns(table.headers, load_mapping(mapping_file))
    result = plan_import(cast.org, table, mapping)
    assert result.refused == [] and [line.name for line in result.children] == ["Noor Bakker"]


@pytest.mark.django_db
def test_a_list_of_children_without_a_needed_column_is_refused_whole(cast):
    header = tuple(column for column in HEADER if column != "Geboortedatum")
    table = read_table(csv_text([child()], header=header).encode())
    with pytest.raises(ImportFileError) as refused:
        recognise_columns(table.headers)
    assert refused.value.message == "In de lijst met kinderen ontbreken deze kolommen: Geboortedatum."


def test_split_surname_takes_off_a_lowercase_tussenvoegsel():
    assert split_surname("de Vries") == ("de", "Vries")
    assert split_surname("van der Berg") == ("van der", "Berg")
    assert split_surname("van den  Heuvel") == ("van den", "Heuvel")
    assert split_surname("De Vries") == ("", "De Vries")  # Flemish: part of the name
    assert split_surname("Bakker") == ("", "Bakker")
    assert split_surname("van") == ("", "van")


@pytest.mark.django_db
def test_names_with_a_tussenvoegsel_read_whole_and_sort_as_dutch_lists_do(cast):
    Child.objects.all().delete()
    for first, surname in (("Sem", "de Vries"), ("Anna", "Bakker"), ("Piet", "van der Zee"), ("Kees", "Visser")):
        tussenvoegsel, last = split_surname(surname)
        Child.objects.create(
            organisation=cast.org,
            first_name=first,
            tussenvoegsel=tussenvoegsel,
            last_name=last,
            date_of_birth=datetime.date(2024, 1, 1),
        )
    assert [c.full_name for c in Child.objects.all()] == [
        "Anna Bakker",
        "Kees Visser",
        "Sem de Vries",
        "Piet van der Zee",
    ]
    # the access log's search finds a child by the name as it reads
    sem = Child.objects.get(first_name="Sem")
    AccessLog.objects.create(user=cast.admin, child=sem, organisation=cast.org, action=AccessLog.Action.VIEW)
    found = access_log_for(cast.admin, AccessLogFilter(child="sem de vries"))
    assert [row.child_id for row in found] == [sem.pk]


@pytest.mark.django_db
def test_the_demo_keeps_the_tussenvoegsel_apart_and_reads_the_same():
    seed_demo_organisation("demo")
    sem = Child.objects.get(first_name="Sem")
    assert (sem.tussenvoegsel, sem.last_name, sem.full_name) == ("de", "Vries", "Sem de Vries")
    assert not Child.objects.filter(last_name__regex=r"^(de|van|van der|van den) ").exists()
    seed_demo_organisation("demo")  # again: nothing twice
    assert Child.objects.filter(first_name="Sem").count() == 1


# --- reading files -------------------------------------------------------------------------------


def _summary(result):
    return sorted((line.external_id, line.name, line.group_name, line.status) for line in result.children)


@pytest.mark.django_db
def test_comma_semicolon_bom_cp1252_and_xlsx_read_the_same(cast):
    rows = [child(), child(Kindnummer="K2", Voornaam="Zoë", Tussenvoegsel="", Achternaam="Aït, Ouali")]
    expected = _summary(plan(cast.org, csv_text(rows)))
    assert [name for _n, name, _g, _s in expected] == ["Lars van der Meer", "Zoë Aït, Ouali"]
    for data in (
        csv_text(rows, delimiter=",").encode("utf-8"),
        csv_text(rows, delimiter="\t").encode("utf-8"),
        b"\xef\xbb\xbf" + csv_text(rows).encode("utf-8"),
        csv_text(rows).encode("cp1252"),
        "\ufeff".encode("utf-16-le") + csv_text(rows).encode("utf-16-le"),
        xlsx_bytes(rows),
    ):
        assert _summary(plan(cast.org, data)) == expected, data[:20]
    assert read_table(csv_text(rows).encode("cp1252")).encoding == "cp1252"


@pytest.mark.django_db
def test_xlsx_dates_numbers_and_formulas(cast):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(HEADER))
    sheet.append(
        [
            1001,
            "Lars",
            "",
            "Meer",
            datetime.datetime(2024, 3, 14),
            "Locatie Een",
            "Groep A",
            datetime.date(2024, 9, 1),
            None,
            "staff.a@example.test",
            "hij",
        ]
    )
    sheet.append(
        [
            1002,
            '=HYPERLINK("https://example.org","Klik")',
            "",
            "Smit",
            "2024-01-01",
            "Locatie Een",
            "Groep A",
            "2024-09-01",
            None,
            None,
            None,
        ]
    )
    out = io.BytesIO()
    workbook.save(out)
    result = plan(cast.org, out.getvalue())
    [line] = result.children
    assert (line.external_id, line.values["date_of_birth"]) == ("1001", datetime.date(2024, 3, 14))
    [refusal] = result.refused
    assert refusal.line == 3 and "De kolom Voornaam bevat een formule" in refusal.reason


BAD_FILES = {
    "empty": (b"", "Het bestand is leeg."),
    "only a byte-order mark": (b"\xef\xbb\xbf\r\n", "Het bestand is leeg."),
    "binary": (bytes(range(256)) * 40, "Dit bestand is geen CSV- of Excel-bestand (.xlsx)."),
    "a picture": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "Dit bestand is geen CSV- of Excel-bestand"),
    "a broken xlsx": (b"PK\x03\x04" + b"niet echt een zip" * 10, "Dit bestand is geen CSV- of Excel-bestand"),
    "an old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Dit is een oud Excel-bestand (.xls)."),
    "Cyrillic in Windows-1251": (
        csv_text([child(Voornaam="Иван", Achternaam="Петров")]).encode("cp1251"),
        "We kunnen niet zien in welke tekenset dit bestand staat.",
    ),
    "Japanese in Shift-JIS": (
        csv_text([child(Voornaam="はると")]).encode("shift_jis"),
        "We kunnen niet zien in welke tekenset dit bestand staat.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_gets_a_dutch_message_and_saves_nothing(cast, tmp_path, name):
    data, message = BAD_FILES[name]
    with pytest.raises(ImportFileError) as refused:
        read_table(data)
    assert message in refused.value.message
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    before = rows_saved()
    with pytest.raises(CommandError) as failed:
        call_command("import_organisation", str(path), organisation=cast.org.pk, stdout=io.StringIO())
    assert message in str(failed.value)
    assert rows_saved() == before


@pytest.mark.django_db
def test_a_file_of_50_mb_is_refused_before_it_is_read(cast, tmp_path):
    path = tmp_path / "groot.csv"
    line = csv_text([child()]).splitlines()[1] + "\r\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(";".join(HEADER) + "\r\n")
        out.write(line * (50 * 1024 * 1024 // len(line) + 1))
    assert path.stat().st_size > 50 * 1024 * 1024
    message = "Het bestand is groter dan 10 MB. Splits de export, bijvoorbeeld per locatie."
    with pytest.raises(ImportFileError) as refused:
        read_table(path)
    assert refused.value.message == message
    with path.open("rb") as upload, pytest.raises(ImportFileError):
        read_table(upload)
    before = rows_saved()
    with pytest.raises(CommandError, match=message):
        call_command("import_organisation", str(path), organisation=cast.org.pk, stdout=io.StringIO())
    assert rows_saved() == before


def _workbook_with(sheet_xml=None, padding=0):
    """A workbook of one child whose sheet is replaced by `sheet_xml`, or with `padding` bytes of zeros
    in an extra part (a few hundred kB that unpack to much more)."""
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([child()])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            data = source.read(name)
            archive.writestr(name, sheet_xml if sheet_xml is not None and name.endswith("sheet1.xml") else data)
        if padding:
            with archive.open("xl/media/padding.bin", "w", force_zip64=True) as part:
                for _ in range(padding // (1024 * 1024)):
                    part.write(bytes(1024 * 1024))
    return out.getvalue()


DAMAGED_WORKBOOKS = {
    "a sheet that is no XML": (lambda: _workbook_with(bytes(range(256))), "Dit bestand is geen CSV- of Excel-bestand"),
    "a sheet cut off": (lambda: _workbook_with(b"<worksheet><sheetData><row>"), "Dit bestand is geen CSV- of Excel"),
    "a workbook that unpacks to 101 MB": (
        lambda: _workbook_with(padding=101 * 1024 * 1024),
        "Het Excel-bestand is uitgepakt groter dan 100 MB. Splits de export, bijvoorbeeld per locatie.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", DAMAGED_WORKBOOKS)
def test_a_damaged_or_swelling_workbook_gets_a_dutch_message_and_saves_nothing(cast, client_for, tmp_path, name):
    make, message = DAMAGED_WORKBOOKS[name]
    data = make()
    assert len(data) < 1024 * 1024  # well within the 10 MB a file may have
    with pytest.raises(ImportFileError) as refused:
        read_table(data)
    assert message in refused.value.message
    path = tmp_path / "export.xlsx"
    path.write_bytes(data)
    before = pending_rows()
    with pytest.raises(CommandError, match=message[:30]):
        call_command("import_organisation", str(path), organisation=cast.org.pk, stdout=io.StringIO())
    response = _upload(client_for(cast.admin), cast.org, data, name="export.xlsx")
    assert response.status_code == 200 and message in response.content.decode()
    assert pending_rows() == before


# --- applying: new, changed, idempotent ----------------------------------------------------------


@pytest.mark.django_db
def test_applying_twice_changes_nothing_the_second_time(cast):
    staff_rows = [
        {
            "E-mail": "nieuw@example.test",
            "Naam": "Nina de Wit",
            "Rol": "pedagogisch medewerker",
            "Locatie": "Locatie Een",
            "Groepen": "Groep A, Groep B",
        },
        {"E-mail": "Lm@Example.test", "Naam": "Lies Mol", "Rol": "locatiemanager", "Locatie": "Locatie Twee"},
        {"E-mail": "beheer@example.test", "Naam": "Bea Heer", "Rol": "beheerder"},
    ]
    header = HEADER + ("E-mail", "Naam", "Rol", "Groepen")
    rows = [*staff_rows, child(), child(Kindnummer="K2", Groep="Groep B", **{"Mentor (e-mail)": "nieuw@example.test"})]
    text = csv_text(rows, header=header)
    first = plan(cast.org, text)
    assert first.refused == []
    assert [line.status for line in first.children] == [Status.NEW, Status.NEW]
    assert [line.status for line in first.staff] == [Status.NEW] * 3
    apply_import(first, by=cast.admin)
    nina = User.objects.get(email="nieuw@example.test")
    assert (nina.first_name, nina.last_name, nina.has_usable_password()) == ("Nina", "de Wit", False)
    assert set(nina.memberships.values_list("role", "group__name")) == {
        (Role.STAFF, "Groep A"),
        (Role.STAFF, "Groep B"),
    }
    assert User.objects.get(email="lm@example.test").memberships.get().location == cast.location2
    assert User.objects.get(email="beheer@example.test").memberships.get().role == Role.ADMIN
    lars = Child.objects.get(external_id="K1")
    assert (lars.full_name, lars.form_of_address, lars.placements.get().group) == (
        "Lars van der Meer",
        "he",
        cast.group_a,
    )
    assert Child.objects.get(external_id="K2").mentorships.get().mentor == nina

    saved = rows_saved()
    second = plan(cast.org, text)
    assert {line.status for line in [*second.children, *second.staff]} == {Status.UNCHANGED}
    assert second.endings == [] and not second.changes_anything
    apply_import(second, by=cast.admin)
    assert rows_saved()[:-1] == saved[:-1]  # no record and no history row; the access log names the reader
    assert rows_saved()[-1] == saved[-1] + 1


@pytest.mark.django_db
def test_applying_is_all_or_nothing(cast, monkeypatch):
    """One transaction: a failure after the staff were written (here, while writing the children)
    leaves no staff member, membership, history row or access log line behind."""
    import planning_import.applying as applying

    staff_row = {"E-mail": "nieuw@example.test", "Naam": "Nina de Wit", "Rol": "pedagogisch medewerker"}
    rows = [{**staff_row, "Groepen": "Groep A"}, child()]
    result = plan(cast.org, csv_text(rows, header=HEADER + ("E-mail", "Naam", "Rol", "Groepen")))
    assert result.refused == [] and len(result.staff) == len(result.children) == 1
    written = []

    def fails(plan, organisation, outcome):
        written.append(User.objects.filter(email="nieuw@example.test").exists())
        raise RuntimeError("the database went away while writing the children")

    monkeypatch.setattr(applying, "_apply_children", fails)
    before = rows_saved()
    with pytest.raises(RuntimeError):
        apply_import(result, by=cast.admin)
    assert written == [True]  # the staff member was written before the failure ...
    assert rows_saved() == before  # ... and is gone with everything else
    assert not User.objects.filter(email="nieuw@example.test").exists()


@pytest.mark.django_db
def test_a_plan_applied_after_another_import_writes_nothing_twice(cast):
    """Two admins read the same dry run; the second to confirm finds everything there already."""
    text = csv_text([child(), child(Kindnummer="K2", Voornaam="Mees")])
    first, second = plan(cast.org, text), plan(cast.org, text)
    apply_import(first, by=cast.admin)
    saved = rows_saved()
    result = apply_import(second, by=cast.admin)
    assert (result.children_new, result.children_unchanged) == (0, 2)
    assert rows_saved()[:-1] == saved[:-1]


@pytest.mark.django_db
def test_the_history_and_the_access_log_name_who_read_the_file_in(cast):
    apply_import(plan(cast.org, csv_text([child()])), by=cast.admin)
    lars = Child.objects.get(external_id="K1")
    assert {row.history_user for row in Child.history.filter(id=lars.pk)} == {cast.admin}
    assert {row.history_user for row in Placement.history.filter(child_id=lars.pk)} == {cast.admin}
    assert {row.history_user for row in Mentorship.history.filter(child_id=lars.pk)} == {cast.admin}
    log = AccessLog.objects.get(action=AccessLog.Action.IMPORTED)
    assert (log.user, log.organisation, log.children, log.details["new"]) == (cast.admin, cast.org, [], 1)
    from django.test import Client

    client = Client()
    client.force_login(cast.admin)
    page = client.get("/inzagelog/").content.decode()
    assert "ingelezen uit het planningssysteem" in page


@pytest.mark.django_db
def test_changes_a_move_and_a_new_mentor(cast):
    apply_import(plan(cast.org, csv_text([child()])), by=cast.admin)
    moved = child(
        Achternaam="Molen", Groep="Groep B", Startdatum="01-12-2026", **{"Mentor (e-mail)": "staff.b@example.test"}
    )
    result = plan(cast.org, csv_text([moved]))
    [line] = result.children
    assert line.status == Status.CHANGED
    assert line.changes == ["achternaam", "gaat naar groep Groep B", "mentor"]
    apply_import(result, by=cast.admin)
    lars = Child.objects.get(external_id="K1")
    assert lars.last_name == "Molen"
    assert list(lars.placements.order_by("start_date").values_list("group__name", "start_date", "end_date")) == [
        ("Groep A", datetime.date(2024, 9, 1), datetime.date(2026, 11, 30)),
        ("Groep B", datetime.date(2026, 12, 1), None),
    ]
    assert lars.mentorships.get(end_date=None).mentor == cast.staff_b
    assert lars.mentorships.get(mentor=cast.staff_a).end_date == today() - datetime.timedelta(days=1)


@pytest.mark.django_db
def test_a_child_typed_in_by_hand_is_recognised_and_gets_its_number(cast):
    sem = cast.child_a
    row = child(
        Kindnummer="K7",
        Voornaam="Sem",
        Tussenvoegsel="",
        Achternaam="Testmans",
        Geboortedatum=sem.date_of_birth.isoformat(),
        Startdatum=sem.placements.get().start_date.isoformat(),
    )
    result = plan(cast.org, csv_text([row]))
    [line] = result.children
    assert (line.child_id, line.status, line.changes) == (sem.pk, Status.CHANGED, ["kindnummer", "aanspreekvorm"])
    apply_import(result, by=cast.admin)
    sem.refresh_from_db()
    assert sem.external_id == "K7" and Child.objects.count() == 4


@pytest.mark.django_db
def test_an_account_outside_the_organisation_and_an_unknown_role_are_refused(cast):
    rows = [
        {"E-mail": "other.admin@example.test", "Naam": "Otto", "Rol": "pedagogisch medewerker", "Groepen": "Groep A"},
        {"E-mail": "stagiair@example.test", "Naam": "Sam", "Rol": "stagiair", "Groepen": "Groep A"},
        {"E-mail": "geen-adres", "Naam": "X", "Rol": "beheerder"},
        {"E-mail": "coach2@example.test", "Naam": "Co", "Rol": "pedagogisch coach"},
    ]
    result = plan(cast.org, csv_text(rows, header=STAFF_HEADER))
    assert result.staff == []
    assert [r.reason for r in result.refused] == [
        "other.admin@example.test hoort bij een account buiten deze organisatie; voeg deze persoon toe in het beheer.",
        "Onbekende rol “stagiair”: schrijf een van deze: pedagogisch medewerker, locatiemanager, pedagogisch coach, "
        "beheerder.",
        "geen-adres is geen e-mailadres.",
        "Een pedagogisch coach hoort bij een locatie: vul de kolom Locatie in.",
    ]
    before = rows_saved()
    apply_import(result, by=cast.admin)
    assert rows_saved()[:-1] == before[:-1]


# --- a child no longer in the export -------------------------------------------------------------


@pytest.mark.django_db
def test_a_child_missing_from_a_later_export_ends_only_when_confirmed(cast):
    apply_import(plan(cast.org, csv_text([child(), child(Kindnummer="K2", Voornaam="Mees")])), by=cast.admin)
    mees = Child.objects.get(external_id="K2")
    later = plan(cast.org, csv_text([child()]))
    [ending] = later.endings
    yesterday = today() - datetime.timedelta(days=1)
    removal = add_months(yesterday, 3) + datetime.timedelta(days=1)
    assert (ending.child_id, ending.end_date, ending.removal_from) == (mees.pk, yesterday, removal)
    assert [line.status for line in later.children] == [Status.UNCHANGED]

    apply_import(later, by=cast.admin)  # not confirmed: Mees stays placed
    assert mees.placements.get().end_date is None
    assert children_due(on=removal + datetime.timedelta(days=400)) == []

    apply_import(plan(cast.org, csv_text([child()])), by=cast.admin, confirm_ending=True)
    assert mees.placements.get().end_date == yesterday
    assert mees.mentorships.get().end_date == yesterday
    assert Placement.history.filter(child_id=mees.pk).latest("history_date").history_user == cast.admin
    # the retention clock runs from the end date: due the day after three months, not before
    assert [due.child for due in children_due(on=removal)] == [mees]
    assert children_due(on=removal - datetime.timedelta(days=1)) == []
    # Lars, still in the file, and the children typed in by hand (no child number) stay placed
    assert Placement.objects.filter(end_date=None, child__organisation=cast.org).count() == 4


@pytest.mark.django_db
def test_a_partial_export_ends_nobody_at_the_locations_it_does_not_list(cast):
    rows = [child(), child(Kindnummer="K3", Locatie="Locatie Twee", Groep="Groep C", **{"Mentor (e-mail)": ""})]
    apply_import(plan(cast.org, csv_text(rows)), by=cast.admin)
    assert plan(cast.org, csv_text([child()])).endings == []  # Locatie Twee is not in this file


@pytest.mark.django_db
def test_an_end_date_in_the_export_ends_the_placement(cast):
    apply_import(plan(cast.org, csv_text([child()])), by=cast.admin)
    result = plan(cast.org, csv_text([child(Einddatum="31-01-2027")]))
    [line] = result.children
    assert (line.status, line.changes) == (Status.ENDING, ["einddatum 31-01-2027"])
    apply_import(result, by=cast.admin)
    assert Child.objects.get(external_id="K1").placements.get().end_date == datetime.date(2027, 1, 31)


# --- the command on the sample file --------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_dry_run_and_apply_on_the_demo_organisation():
    seed_demo_organisation("demo")
    org = Organisation.objects.get()
    before = rows_saved()
    out = io.StringIO()
    call_command("import_organisation", str(SAMPLE), organisation=org.pk, dry_run=True, stdout=out)
    text = out.getvalue()
    assert rows_saved() == before
    assert "Inlezen voor Kinderopvang De Linde" in text
    assert "planning-export.csv: CSV, UTF-8, gescheiden door puntkomma, 24 regels" in text
    assert "Locaties: 1 nieuw. Groepen: 2 nieuw, 0 gewijzigd." in text
    assert "  Regel 2: nieuwe locatie Kindercentrum De Zon" in text
    assert "  Regel 2: nieuwe groep Zonnetjes bij Kindercentrum De Zon (0 tot 24 maanden)" in text
    assert "  Regel 3: nieuwe groep Zonnebloemen bij Kindercentrum De Zon (24 tot 48 maanden)" in text
    assert "inlezen verwijdert of beëindigt nooit een locatie of groep." in text
    assert "Kinderen: 9 nieuw, 0 gewijzigd, 0 met einddatum, 0 ongewijzigd" in text
    assert "Medewerkers: 4 nieuw, 0 gewijzigd, 0 ongewijzigd" in text
    assert "9 regels geweigerd." in text
    assert "Regel 4 (Zonnestralen): De jongste leeftijd (48 maanden) ligt boven de oudste (12 maanden)." in text
    assert "Regel 17 (kindnummer KP-2008): Onbekende groep: Rupsen. Vul de kolom Locatie in" in text
    assert "Regel 21 (kindnummer KP-2011): Mentor sanne@example.org is geen pedagogisch medewerker" in text
    assert text.rstrip().endswith("Proefdraaien: er is niets opgeslagen.")

    out = io.StringIO()
    call_command("import_organisation", str(SAMPLE), organisation=org.pk, by="admin@example.org", stdout=out)
    assert "Opgeslagen. Kinderen: 9 nieuw, 0 gewijzigd, 0 plaatsingen beëindigd." in out.getvalue()
    assert "Locaties: 1 nieuw. Groepen: 2 nieuw, 0 gewijzigd." in out.getvalue()
    zon = Location.objects.get(organisation=org, name="Kindercentrum De Zon")
    assert list(zon.groups.values_list("name", "min_age_months", "max_age_months")) == [
        ("Zonnebloemen", 24, 48),
        ("Zonnetjes", 0, 24),
    ]
    sara = Child.objects.get(external_id="KP-2015")
    assert sara.placements.get().group == zon.groups.get(name="Zonnetjes")
    assert sara.mentorships.get().mentor.email == "ilse.zon@example.org"
    # written with other case and spaces, the location and group the organisation has
    assert Child.objects.get(external_id="KP-2014").placements.get().group.location.name == "Kindercentrum De Vlinder"
    admin = User.objects.get(email="admin@example.org")
    owen = Child.objects.get(external_id="KP-2003")
    assert owen.full_name == "Owen de Graaf"
    assert owen.mentorships.get().mentor.email == "yara.dekker@example.org"
    assert AccessLog.objects.get(action=AccessLog.Action.IMPORTED).user == admin

    out = io.StringIO()
    saved = rows_saved()
    call_command("import_organisation", str(SAMPLE), organisation=org.pk, dry_run=True, stdout=out)
    assert "Kinderen: 0 nieuw, 0 gewijzigd, 0 met einddatum, 9 ongewijzigd" in out.getvalue()
    assert "Locaties: 0 nieuw. Groepen: 0 nieuw, 0 gewijzigd." in out.getvalue()
    call_command("import_organisation", str(SAMPLE), organisation=org.pk, stdout=io.StringIO())
    assert rows_saved()[:-1] == saved[:-1]  # applied again: only the access log's line


@pytest.mark.django_db
def test_the_command_ends_a_missing_child_only_with_confirm_ending(cast, tmp_path):
    both, later = tmp_path / "september.csv", tmp_path / "december.csv"
    both.write_text(csv_text([child(), child(Kindnummer="K2", Voornaam="Mees")]), encoding="utf-8")
    later.write_text(csv_text([child()]), encoding="utf-8")

    def command(path, **options):
        out = io.StringIO()
        call_command("import_organisation", str(path), organisation=cast.org.pk, stdout=out, **options)
        return out.getvalue()

    command(both, by=cast.admin.email)
    mees = Child.objects.get(external_id="K2")
    text = command(later, by=cast.admin.email)
    assert "1 kind staat niet meer in het bestand" in text and "--confirm-ending" in text
    assert mees.placements.get().end_date is None
    before = rows_saved()
    command(later, dry_run=True, confirm_ending=True)
    assert rows_saved() == before and mees.placements.get().end_date is None
    command(later, by=cast.admin.email, confirm_ending=True)
    assert mees.placements.get().end_date == today() - datetime.timedelta(days=1)
    assert Placement.history.filter(child_id=mees.pk).latest("history_date").history_user == cast.admin


@pytest.mark.django_db
def test_the_sample_as_xlsx_plans_the_same(tmp_path):
    seed_demo_organisation("demo")
    org = Organisation.objects.get()
    table = read_table(SAMPLE)
    rows = [dict(zip(table.headers, row.cells, strict=True)) for row in table.rows]
    from_csv = plan_import(org, table, recognise_columns(table.headers))
    from_xlsx = plan(org, xlsx_bytes(rows, header=table.headers))
    assert _summary(from_xlsx) == _summary(from_csv)
    assert [(r.line, r.reason) for r in from_xlsx.refused] == [(r.line, r.reason) for r in from_csv.refused]


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_organisation_or_reader(cast):
    with pytest.raises(CommandError, match="Er is geen organisatie met id 999999."):
        call_command("import_organisation", str(SAMPLE), organisation=999999, stdout=io.StringIO())
    with pytest.raises(CommandError, match="Er is geen gebruiker met e-mailadres niemand@example.test."):
        call_command(
            "import_organisation",
            str(SAMPLE),
            organisation=cast.org.pk,
            by="niemand@example.test",
            stdout=io.StringIO(),
        )


# --- the upload page for organisation admins -----------------------------------------------------


def _upload(client, org, data, name="export.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(reverse("planning_import"), {"organisation": org.pk, "file": SimpleUploadedFile(name, data)})


@pytest.mark.django_db
def test_an_admin_uploads_reads_the_dry_run_and_applies_it(cast, client_for):
    from planning_import.models import PendingImport

    client = client_for(cast.admin)
    rows = [child(), child(Kindnummer="K2", Groep="Groep Z")]  # K2's mentor is not of the new group
    response = _upload(client, cast.org, csv_text(rows).encode("utf-8"))
    pending = PendingImport.objects.get()
    assert response.status_code == 302 and response.url == f"/inlezen/{pending.pk}/kolommen/"
    response = client.post(response.url, _columns_form(client, response.url))
    assert response.status_code == 302 and response.url == f"/inlezen/{pending.pk}/"
    before = rows_saved()
    page = client.get(response.url).content.decode()
    assert rows_saved() == before  # the dry run saves nothing
    assert "Wat inlezen zou veranderen" in page and "1 nieuw kind" in page
    assert "Mentor staff.a@example.test is geen pedagogisch medewerker van groep Groep Z." in page
    assert "0 nieuwe groepen" in page  # refused, the row adds no group
    done = client.post(response.url, follow=True)
    assert "Ingelezen. Kinderen: 1 nieuw" in done.content.decode()
    assert "Locaties: 0 nieuw. Groepen: 0 nieuw, 0 gewijzigd." in done.content.decode()
    assert Child.objects.get(external_id="K1").history.get().history_user == cast.admin
    assert not PendingImport.objects.exists()


@pytest.mark.django_db
def test_the_upload_page_confirms_before_ending(cast, client_for):
    client = client_for(cast.admin)
    apply_import(plan(cast.org, csv_text([child(), child(Kindnummer="K2", Voornaam="Mees")])), by=cast.admin)
    response = _upload(client, cast.org, csv_text([child()]).encode("utf-8"))
    page = client.get(response.url.replace("kolommen/", "")).content.decode()
    assert "1 kind staat niet meer in het bestand" in page
    client.post(response.url.replace("kolommen/", ""))  # without the tick: Mees stays placed
    assert Child.objects.get(external_id="K2").placements.get().end_date is None
    response = _upload(client, cast.org, csv_text([child()]).encode("utf-8"))
    client.post(response.url.replace("kolommen/", ""), {"confirm_ending": "1"})
    assert Child.objects.get(external_id="K2").placements.get().end_date == today() - datetime.timedelta(days=1)


@pytest.mark.django_db
def test_a_bad_upload_gets_a_dutch_message_and_keeps_nothing(cast, client_for):
    from planning_import.models import PendingImport

    response = _upload(client_for(cast.admin), cast.org, bytes(range(256)) * 10)
    assert response.status_code == 200
    assert "Dit bestand is geen CSV- of Excel-bestand (.xlsx)." in response.content.decode()
    assert not PendingImport.objects.exists()


@pytest.mark.django_db
def test_only_the_organisation_admin_who_uploaded_reaches_the_dry_run(cast, client_for):
    from django.urls import reverse

    response = _upload(client_for(cast.admin), cast.org, csv_text([child()]).encode("utf-8"))
    for user in (cast.staff_a, cast.manager, cast.coach, cast.other_admin):
        client = client_for(user)
        for url in (response.url, response.url.replace("kolommen/", "")):
            assert client.get(url).status_code == 404
            assert client.post(url).status_code == 404
    for user in (cast.staff_a, cast.manager, cast.coach):
        assert client_for(user).get(reverse("planning_import")).status_code == 404
    assert (
        _upload(client_for(cast.other_admin), cast.org, csv_text([child()]).encode()).status_code == 200
    )  # not theirs
    assert Child.objects.filter(external_id="K1").count() == 0


@pytest.mark.django_db
def test_an_account_that_also_works_elsewhere_keeps_its_name(cast):
    Membership.objects.create(user=cast.other_admin, organisation=cast.org, role=Role.STAFF, group=cast.group_a)
    rows = [
        {
            "E-mail": "other.admin@example.test",
            "Naam": "Nieuwe Naam",
            "Rol": "pedagogisch medewerker",
            "Groepen": "Groep A",
        }
    ]
    result = plan(cast.org, csv_text(rows, header=STAFF_HEADER))
    [line] = result.staff
    assert (line.status, line.name_changed) == (Status.UNCHANGED, False)


@pytest.mark.django_db
def test_the_migration_moves_a_tussenvoegsel_typed_into_the_last_name(cast):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("children.migrations.0004_tussenvoegsel_and_child_number")
    Child.objects.filter(pk=cast.child_a.pk).update(last_name="van der Berg")
    Child.objects.filter(pk=cast.child_b.pk).update(last_name="De Wit")  # a capital: the name itself
    migration.split_tussenvoegsel(apps, None)
    assert Child.objects.get(pk=cast.child_a.pk).full_name == "Sem van der Berg"
    assert Child.objects.values_list("tussenvoegsel", "last_name").get(pk=cast.child_a.pk) == ("van der", "Berg")
    assert Child.objects.values_list("tussenvoegsel", "last_name").get(pk=cast.child_b.pk) == ("", "De Wit")


@pytest.mark.django_db
def test_the_parents_access_export_holds_the_child_number_and_the_whole_name(cast):
    import zipfile

    from pypdf import PdfReader

    from privacy.export import render_access_export

    apply_import(plan(cast.org, csv_text([child()])), by=cast.admin)
    lars = Child.objects.get(external_id="K1")
    archive = zipfile.ZipFile(io.BytesIO(render_access_export(lars, made_on=today()).data))
    pdf = next(name for name in archive.namelist() if name.endswith(".pdf"))
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(pdf))).pages).split())
    assert "Lars van der Meer" in text
    assert "Kindnummer in het planningssysteem K1" in text


# --- the mapping step and bad files through the page ---------------------------------------------


def _columns_form(client, url, **changes):
    """The mapping page's form as offered (each select's preselected field), with `changes` by header."""
    import re

    page = client.get(url).content.decode()
    data = {}
    for name, body in re.findall(r'<select name="(column_\d+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = selected.group(1) if selected else ""
    labels = dict(
        (label, name) for name, label in re.findall(r'<label[^>]*for="id_(column_\d+)">([^<]*)</label>', page)
    )
    for header, code in changes.items():
        data[labels[header]] = code
    return data


def pending_rows():
    from planning_import.models import ImportMapping, PendingImport

    return (PendingImport.objects.count(), ImportMapping.objects.count(), *rows_saved())


@pytest.mark.django_db
def test_the_mapping_step_preselects_the_columns_and_remembers_them_per_organisation(cast, client_for, tmp_path):
    from planning_import.models import ImportMapping, PendingImport

    client = client_for(cast.admin)
    header = ("Nummer", "Roepnaam", "Achternaam", "Geboortedatum", "Locatie", "Groep", "Startdatum", "Opmerking")
    row = child(**{"Nummer": "K1", "Roepnaam": "Lars", "Opmerking": "allergie"})
    data = csv_text([row], header=header).encode("utf-8")
    url = _upload(client, cast.org, data).url
    page = client.get(url).content.decode()
    assert "Kolommen van het bestand" in page and "bijvoorbeeld: allergie" in page
    offered = _columns_form(client, url)
    assert sorted(offered.values()) == sorted(
        ["", "", "last_name", "date_of_birth", "location", "group", "start_date", "first_name"]
    )  # "Roepnaam" is known; "Nummer" and "Opmerking" are not
    response = client.post(url, offered)  # no Kindnummer: refused, nothing remembered
    assert response.status_code == 200
    assert "In de lijst met kinderen ontbreken deze kolommen: Kindnummer." in response.content.decode()
    assert not ImportMapping.objects.exists() and PendingImport.objects.get().mapping is None
    response = client.post(url, _columns_form(client, url, **{"Nummer": "external_id", "Opmerking": "first_name"}))
    assert "Meer dan één kolom staat op Voornaam. Kies voor elk veld één kolom." in response.content.decode()
    assert not ImportMapping.objects.exists()
    response = client.post(url, _columns_form(client, url, Nummer="external_id"))
    assert response.status_code == 302 and response.url == url.replace("kolommen/", "")
    remembered = ImportMapping.objects.get(organisation=cast.org)
    assert remembered.updated_by == cast.admin
    assert remembered.mapping["Nummer"] == "external_id" and remembered.mapping["Opmerking"] is None
    assert "1 nieuw kind" in client.get(response.url).content.decode()

    # the next file of the organisation: the remembered columns are preselected
    url = _upload(client, cast.org, data).url
    assert _columns_form(client, url)[f"column_{header.index('Nummer')}"] == "external_id"

    # the command reads the same JSON as its --mapping
    mapping_file = tmp_path / "kolommen.json"
    mapping_file.write_text(json.dumps(remembered.mapping))
    export = tmp_path / "export.csv"
    export.write_bytes(data)
    out = io.StringIO()
    call_command("import_organisation", str(export), organisation=cast.org.pk, mapping=str(mapping_file), stdout=out)
    assert Child.objects.get(external_id="K1").first_name == "Lars"


@pytest.mark.django_db
def test_the_dry_run_shows_every_line_and_a_second_upload_changes_nothing(cast, client_for):
    client = client_for(cast.admin)
    rows = [
        child(),
        child(Kindnummer="K2", Geboortedatum="14/03/2024"),
        child(Kindnummer="K3", Locatie="Locatie Drie", Groep="Zonnetjes", **{"Mentor (e-mail)": ""}),
    ]
    data = csv_text(rows).encode("utf-8")
    url = _upload(client, cast.org, data).url
    plan_url = client.post(url, _columns_form(client, url)).url
    before = rows_saved()
    page = client.get(plan_url).content.decode()
    assert rows_saved() == before
    assert '<tr class="import-new"><td>2</td>' in page
    assert '<tr class="import-refused"><td>3</td>' in page and "Geboortedatum “14/03/2024” is geen datum" in page
    # line 4 adds a location and a group before its child: three lines "nieuw", planned without ids
    assert page.count('<tr class="import-new"><td>4</td>') == 3
    assert "<td>nieuwe locatie Locatie Drie</td><td>kindercentrum</td>" in page
    assert "<td>nieuwe groep Zonnetjes bij Locatie Drie</td><td>0 tot 48 maanden</td>" in page
    assert "1 nieuwe locatie" in page and "1 nieuwe groep" in page
    assert "Regel 4 · nieuwe groep Zonnetjes bij Locatie Drie (0 tot 48 maanden)" in page  # the list, also on a phone
    assert "Locaties en groepen die het bestand niet noemt, blijven zoals ze zijn" in page
    done = client.post(plan_url, follow=True).content.decode()
    assert "Locaties: 1 nieuw. Groepen: 1 nieuw, 0 gewijzigd." in done
    assert Child.objects.get(external_id="K3").placements.get().group.location.name == "Locatie Drie"
    after = rows_saved()
    url = _upload(client, cast.org, data).url
    plan_url = client.post(url, _columns_form(client, url)).url
    page = client.get(plan_url).content.decode()
    assert '<tr class="import-unchanged"><td>2</td><td>ongewijzigd</td>' in page and "0 nieuwe kinderen" in page
    assert "0 nieuwe locaties" in page and "0 nieuwe groepen" in page and "nieuwe groep Zonnetjes" not in page
    client.post(plan_url)
    assert rows_saved()[:-1] == after[:-1]  # only the access log's line saying who read the file in
    assert rows_saved()[-1] == after[-1] + 1


PAGE_BAD_FILES = {
    "empty": (b"", "is leeg."),
    "only line breaks": (b"\r\n\r\n", "Het bestand is leeg."),
    "binary": (bytes(range(256)) * 40, "Dit bestand is geen CSV- of Excel-bestand (.xlsx)."),
    "unknown encoding": (
        csv_text([child(Voornaam="Иван", Achternaam="Петров")]).encode("cp1251"),
        "We kunnen niet zien in welke tekenset dit bestand staat.",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", PAGE_BAD_FILES)
def test_a_bad_file_through_the_page_gets_a_dutch_message_and_saves_nothing(cast, client_for, name):
    data, message = PAGE_BAD_FILES[name]
    before = pending_rows()
    response = _upload(client_for(cast.admin), cast.org, data)
    assert response.status_code == 200 and message in response.content.decode()
    assert pending_rows() == before


@pytest.mark.django_db
def test_a_file_of_50_mb_through_the_page_gets_a_dutch_message_and_saves_nothing(cast, client_for, tmp_path):
    from django.urls import reverse

    path = tmp_path / "groot.csv"
    line = csv_text([child()]).splitlines()[1] + "\r\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(";".join(HEADER) + "\r\n")
        out.write(line * (50 * 1024 * 1024 // len(line) + 1))
    before = pending_rows()
    with path.open("rb") as upload:
        response = client_for(cast.admin).post(
            reverse("planning_import"), {"organisation": cast.org.pk, "file": upload}
        )
    assert response.status_code == 200
    assert "Het bestand is groter dan 10 MB. Splits de export, bijvoorbeeld per locatie." in response.content.decode()
    assert pending_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_formula_cells_through_the_page_are_refused_with_a_dutch_reason_and_save_nothing(cast, client_for, kind):
    from planning_import.models import PendingImport

    rows = [child(Voornaam='=HYPERLINK("https://example.org";"Klik")')]
    data = csv_text(rows).encode("utf-8") if kind == "csv" else xlsx_bytes(rows)
    client = client_for(cast.admin)
    before = rows_saved()
    url = _upload(client, cast.org, data, name=f"export.{kind}").url
    plan_url = client.post(url, _columns_form(client, url)).url
    page = client.get(plan_url).content.decode()
    assert "De kolom Voornaam bevat een formule" in page and "geweigerd" in page
    client.post(plan_url)
    assert rows_saved()[:-1] == before[:-1] and not PendingImport.objects.exists()


@pytest.mark.django_db
def test_a_file_above_djangos_memory_limits_but_within_ours_is_read(cast, client_for, tmp_path, settings):
    """Django keeps an upload above FILE_UPLOAD_MAX_MEMORY_SIZE in a temporary file and never refuses
    it; DATA_UPLOAD_MAX_MEMORY_SIZE counts the other fields only. The page's own limit (10 MB) is the
    one a person meets, in Dutch."""
    from django.urls import reverse

    from planning_import.models import PendingImport

    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE < 3 * 1024 * 1024
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE < 3 * 1024 * 1024
    path = tmp_path / "export.csv"
    line = csv_text([child()]).splitlines()[1].replace("Lars", "Lars" + " " * 200) + "\r\n"
    with path.open("w", encoding="utf-8") as out:
        out.write(";".join(HEADER) + "\r\n")
        out.write(line * (3 * 1024 * 1024 // len(line) + 1))
    assert path.stat().st_size > 3 * 1024 * 1024
    with path.open("rb") as upload:
        response = client_for(cast.admin).post(
            reverse("planning_import"), {"organisation": cast.org.pk, "file": upload}
        )
    assert response.status_code == 302 and response.url.endswith("/kolommen/")
    assert PendingImport.objects.count() == 1


@pytest.mark.django_db
def test_a_request_beyond_djangos_limit_for_the_other_fields_gets_the_dutch_error_page(cast, client_for):
    from django.urls import reverse

    from planning_import.models import PendingImport

    response = client_for(cast.admin).post(
        reverse("planning_import"), {"organisation": cast.org.pk, "note": "x" * (3 * 1024 * 1024)}
    )
    assert response.status_code == 400
    assert "Verzoek niet begrepen" in response.content.decode()
    assert not PendingImport.objects.exists()


# --- a gastouderbureau ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_gastouderbureau_reads_in_its_gastouders_and_consultant_by_the_home_alone(nest):
    rows = [
        {"E-mail": "nieuw.gastouder@example.test", "Naam": "Gea Nieuw", "Rol": "gastouder", "Locatie": "Gastouder Q"},
        {
            "E-mail": "consulent@example.test",
            "Naam": "Cor Sulent",
            "Rol": "bemiddelingsmedewerker",
            "Locatie": "Gastouder Z",
        },
        {"E-mail": "consulent@example.test", "Naam": "Cor Sulent", "Rol": "consulent", "Locatie": "Gastouder Y"},
    ]
    home_q = Location.objects.create(organisation=nest.org, name="Gastouder Q", kind=Location.Kind.CHILDMINDER)
    group_q = Group.objects.create(location=home_q, name="Bij Q")
    result = plan(nest.org, csv_text(rows, header=STAFF_HEADER))
    assert result.refused == []
    apply_import(result, by=nest.admin)
    gastouder = Membership.objects.get(user__email="nieuw.gastouder@example.test")
    assert (gastouder.role, gastouder.group, gastouder.location) == (Role.GASTOUDER, group_q, None)
    consultant = Membership.objects.filter(user__email="consulent@example.test")
    assert set(consultant.values_list("role", "location__name")) == {
        (Role.CONSULTANT, "Gastouder Z"),
        (Role.CONSULTANT, "Gastouder Y"),
    }


@pytest.mark.django_db
def test_the_roles_must_fit_the_organisations_kind_and_a_home_has_one_gastouder(cast, nest):
    centre = [
        {"E-mail": "g@example.test", "Naam": "G", "Rol": "gastouder", "Groepen": "Groep A"},
        {"E-mail": "b@example.test", "Naam": "B", "Rol": "bemiddelingsmedewerker", "Locatie": "Locatie Een"},
    ]
    assert [r.reason for r in plan(cast.org, csv_text(centre, header=STAFF_HEADER)).refused] == [
        "Een gastouder werkt niet in een kinderopvangorganisatie.",
        "Een consulent werkt niet in een kinderopvangorganisatie.",
    ]
    agency = [
        {"E-mail": "pm@example.test", "Naam": "P", "Rol": "pedagogisch medewerker", "Groepen": "Bij X"},
        {"E-mail": "tweede@example.test", "Naam": "T", "Rol": "gastouder", "Locatie": "Gastouder X"},
        {"E-mail": "derde@example.test", "Naam": "D", "Rol": "gastouder", "Locatie": "Gastouder W"},
        {"E-mail": "vierde@example.test", "Naam": "V", "Rol": "gastouder", "Locatie": "Gastouder W"},
        {"E-mail": "s@example.test", "Naam": "S", "Rol": "stagiair", "Locatie": "Gastouder W"},
    ]
    Group.objects.create(
        location=Location.objects.create(organisation=nest.org, name="Gastouder W", kind=Location.Kind.CHILDMINDER),
        name="Bij W",
    )
    result = plan(nest.org, csv_text(agency, header=STAFF_HEADER))
    assert [line.email for line in result.staff] == ["derde@example.test"]
    assert [r.reason for r in result.refused] == [
        "Een pedagogisch medewerker werkt niet in een gastouderbureau.",
        "Gastouder X heeft al een gastouder (gastouder.x@example.test).",
        "Gastouder W heeft al een gastouder (derde@example.test).",
        "Onbekende rol “stagiair”: schrijf een van deze: locatiemanager, beheerder, gastouder, consulent.",
    ]


def home_child(number, **values):
    return child(
        Kindnummer=number,
        Voornaam=f"Kind{number}",
        Tussenvoegsel="",
        Achternaam="Thuis",
        **{"Locatie": "Gastouder Y", "Groep": "", "Mentor (e-mail)": "gastouder.y@example.test", **values},
    )


@pytest.mark.django_db
def test_children_at_a_home_by_its_name_alone_and_at_most_six_at_once(nest):
    # Y has KindY and Tweeling (with two gastouders): four more fit, the fifth of the file does not
    rows = [home_child(f"N{n}") for n in range(5)]
    result = plan(nest.org, csv_text(rows))
    assert [line.external_id for line in result.children] == ["N0", "N1", "N2", "N3"]
    assert [r.reason for r in result.refused] == [
        "Op een gastouderadres zijn hoogstens 6 kinderen tegelijk; in die periode is het daar vol."
    ]
    apply_import(result, by=nest.admin)
    assert Placement.objects.running_on(today()).filter(group=nest.group_y).count() == 6
    assert set(Mentorship.objects.filter(child__external_id__startswith="N").values_list("mentor", flat=True)) == {
        nest.gastouder_y.pk
    }
    # read in again: the same six, nothing refused; one who leaves before the fifth starts makes room
    again = [*rows[:4], home_child("N4", Startdatum="01-02-2027")]
    again[0] = home_child("N0", Einddatum="31-01-2027")
    result = plan(nest.org, csv_text(again))
    assert result.refused == []


# --- locations and groups from the file ----------------------------------------------------------

PLACES_HEADER = ("Locatie", "Groep", "Leeftijd van (maanden)", "Leeftijd tot (maanden)")
EVERYTHING = HEADER + ("E-mail", "Naam", "Rol", "Groepen", "Leeftijd van (maanden)", "Leeftijd tot (maanden)")


def place(location, group="", low="", high=""):
    return {"Locatie": location, "Groep": group, "Leeftijd van (maanden)": low, "Leeftijd tot (maanden)": high}


def new_organisation_file():
    """A new organisation's first export: its list of groups, its staff and its children."""
    return csv_text(
        [
            place("Kindercentrum De Zon", "Zonnetjes", "0", "24"),  # line 2: a new location and group
            place("Kindercentrum De Zon", "Zonnebloemen", "24", "48"),  # 3
            {"E-mail": "ilse@example.test", "Naam": "Ilse Zon", "Rol": "pm", "Locatie": "Kindercentrum De Zon",
             "Groepen": "Zonnetjes, Zonnebloemen"},  # 4
            {"E-mail": "lm.maan@example.test", "Naam": "Lia Maan", "Rol": "locatiemanager",
             "Locatie": "Kindercentrum De Maan"},  # 5: a location named by a manager's row
            child(Kindnummer="Z1", Locatie="Kindercentrum De Zon", Groep="Zonnetjes",
                  **{"Mentor (e-mail)": "ilse@example.test"}),  # 6
            child(Kindnummer="Z2", Locatie="kindercentrum de  zon", Groep="ZONNEBLOEMEN",
                  **{"Mentor (e-mail)": "ilse@example.test"}),  # 7: the same places, written otherwise
            child(Kindnummer="M1", Locatie="Kindercentrum De Maan", Groep="Maantjes",
                  **{"Mentor (e-mail)": ""}),  # 8: a group first named by a child
        ],
        header=EVERYTHING,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_new_organisation_starts_from_the_file_alone(cast):
    org = Organisation.objects.create(name="Nieuw Begin")
    admin = cast.admin
    text = new_organisation_file()
    before = rows_saved()
    first = plan(org, text)
    assert rows_saved() == before  # the dry run writes nothing
    assert first.refused == []
    assert [(p.line, p.kind, p.name, p.location_name, p.status, p.ages) for p in first.places] == [
        (2, "location", "Kindercentrum De Zon", "", Status.NEW, None),
        (2, "group", "Zonnetjes", "Kindercentrum De Zon", Status.NEW, (0, 24)),
        (3, "group", "Zonnebloemen", "Kindercentrum De Zon", Status.NEW, (24, 48)),
        (5, "location", "Kindercentrum De Maan", "", Status.NEW, None),
        (8, "group", "Maantjes", "Kindercentrum De Maan", Status.NEW, (0, 48)),
    ]
    assert all(p.ref < 0 for p in first.places)  # planned: no database id yet
    assert [line.status for line in [*first.children, *first.staff]] == [Status.NEW] * 5

    apply_import(first, by=admin)
    zon = Location.objects.get(organisation=org, name="Kindercentrum De Zon")
    maan = Location.objects.get(organisation=org, name="Kindercentrum De Maan")
    assert (zon.kind, maan.kind) == (Location.Kind.CENTRE, Location.Kind.CENTRE)
    assert list(Group.objects.filter(location__organisation=org).values_list("location__name", "name")) == [
        ("Kindercentrum De Maan", "Maantjes"),
        ("Kindercentrum De Zon", "Zonnebloemen"),
        ("Kindercentrum De Zon", "Zonnetjes"),
    ]
    ilse = User.objects.get(email="ilse@example.test")
    assert set(ilse.memberships.values_list("role", "group__name")) == {
        (Role.STAFF, "Zonnetjes"),
        (Role.STAFF, "Zonnebloemen"),
    }
    assert User.objects.get(email="lm.maan@example.test").memberships.get().location == maan
    assert Child.objects.get(external_id="Z2").placements.get().group.name == "Zonnebloemen"
    assert Child.objects.get(external_id="Z2").mentorships.get().mentor == ilse
    assert Child.objects.get(external_id="M1").placements.get().group.location == maan
    log = AccessLog.objects.filter(action=AccessLog.Action.IMPORTED).latest("created_at")
    assert (log.user, log.organisation) == (admin, org)
    assert (log.details["locations_new"], log.details["groups_new"]) == (2, 3)
    assert "Kindercentrum De Zon / Zonnetjes" in log.details["places_new"]

    saved = rows_saved()
    again = plan(org, text)
    assert again.refused == [] and not again.changes_anything
    # the list's own lines stay in the dry run, unchanged; nothing is planned new
    assert [(p.line, p.status) for p in again.places] == [(2, Status.UNCHANGED), (3, Status.UNCHANGED)]
    result = apply_import(again, by=admin)
    assert (result.locations_new, result.groups_new, result.groups_changed) == (0, 0, 0)
    assert rows_saved()[:-1] == saved[:-1]


@pytest.mark.django_db
def test_a_name_written_with_other_case_or_spaces_is_the_place_the_organisation_has(cast):
    rows = [
        child(Locatie="  locatie   EEN ", Groep="groep a"),
        child(Kindnummer="K2", Locatie="Locatie Drie", Groep="Peuters", **{"Mentor (e-mail)": ""}),
        child(Kindnummer="K3", Locatie="LOCATIE DRIE", Groep="peuters ", **{"Mentor (e-mail)": ""}),
    ]
    result = plan(cast.org, csv_text(rows))
    assert result.refused == []
    assert [(p.kind, p.name) for p in result.places] == [("location", "Locatie Drie"), ("group", "Peuters")]
    assert result.children[0].placement.group_id == cast.group_a.pk
    assert result.children[1].placement.group_id == result.children[2].placement.group_id < 0
    apply_import(result, by=cast.admin)
    assert Location.objects.filter(name__iexact="locatie een").count() == 1
    assert Group.objects.get(name="Peuters").placements.count() == 2


@pytest.mark.django_db
def test_places_that_differ_only_in_case_in_the_records_refuse_the_row(cast):
    Location.objects.create(organisation=cast.org, name="locatie een")
    Group.objects.create(location=cast.location2, name="Groep C ")
    assert refusals(cast.org, [child()]) == [
        (
            2,
            "De organisatie heeft meer dan één locatie die Locatie Een heet, anders geschreven "
            "(Locatie Een, locatie een): maak de namen in het beheer verschillend.",
        )
    ]
    assert refusals(cast.org, [child(Locatie="Locatie Twee", Groep="groep c", **{"Mentor (e-mail)": ""})]) == [
        (2, "Locatie Twee heeft meer dan één groep die groep c heet, anders geschreven: Groep C, Groep C .")
    ]


@pytest.mark.django_db
def test_a_group_named_without_a_location_where_the_file_names_it_at_another_is_refused(cast):
    rows = [
        child(Kindnummer="K1", Locatie="Locatie Twee", Groep="Groep A", **{"Mentor (e-mail)": ""}),
        child(Kindnummer="K2", Locatie="", Groep="Groep A", **{"Mentor (e-mail)": ""}),
    ]
    assert refusals(cast.org, rows) == [
        (3, "Er is een groep Groep A op meer dan één locatie: vul de kolom Locatie in.")
    ]
    staff = [{"E-mail": "x@example.test", "Naam": "X", "Rol": "pm", "Groepen": "Nieuwe Groep"}]
    assert refusals(cast.org, staff, STAFF_HEADER) == [
        (2, "Onbekende groep: Nieuwe Groep. Vul de kolom Locatie in, dan komt de groep bij die locatie.")
    ]


@pytest.mark.django_db
def test_the_list_of_locations_and_groups_new_changed_unchanged_and_refused(cast):
    rows = [
        place("Locatie Een", "Groep A", "12", "30"),  # 2: other ages: changed
        place("Locatie Een", "Groep B"),  # 3: unchanged
        place("Locatie Drie"),  # 4: a new location, no group yet
        place("Locatie Drie", "BSO", "48", "156"),  # 5: a new group with its ages
        place("Locatie Een", "Groep B", "0", "12"),  # 6: twice
        place("Locatie Drie", "Baby's", "twaalf"),  # 7
        place("Locatie Drie", "Dreumesen", "30", "12"),  # 8
        place("Locatie Twee", "", "0", "12"),  # 9: ages without a group
        place("", "", "0", "12"),  # 10
        place("Locatie Drie", "Oud", "0", "217"),  # 11
    ]
    table = read_table(csv_text(rows, header=PLACES_HEADER).encode())
    mapping = recognise_columns(table.headers)  # a list of places alone is a file we read
    result = plan_import(cast.org, table, mapping)
    assert [(p.line, p.kind, p.name, p.status, p.ages, p.changes) for p in result.places] == [
        (2, "group", "Groep A", Status.CHANGED, (12, 30), ["12 tot 30 maanden"]),
        (3, "group", "Groep B", Status.UNCHANGED, (0, 48), []),
        (4, "location", "Locatie Drie", Status.NEW, None, []),
        (5, "group", "BSO", Status.NEW, (48, 156), []),
    ]
    assert [(r.line, r.what, r.reason) for r in result.refused] == [
        (6, "Groep B", "Deze groep staat al in het bestand (regel 3)."),
        (7, "Baby's", "Leeftijd van (maanden) “twaalf” is geen leeftijd in maanden: schrijf een heel getal van 0 "
         "tot en met 216."),
        (8, "Dreumesen", "De jongste leeftijd (30 maanden) ligt boven de oudste (12 maanden)."),
        (9, "Locatie Twee", "Leeftijden horen bij een groep: vul de kolom Groep in."),
        (10, "", "Locatie ontbreekt."),
        (11, "Oud", "Leeftijd tot (maanden) “217” is geen leeftijd in maanden: schrijf een heel getal van 0 tot en "
         "met 216."),
    ]  # fmt: skip
    assert result.children == [] and result.endings == []
    apply_import(result, by=cast.admin)
    cast.group_a.refresh_from_db()
    assert (cast.group_a.min_age_months, cast.group_a.max_age_months) == (12, 30)
    assert Group.objects.get(name="BSO").location.name == "Locatie Drie"
    assert not Group.objects.filter(name__in=["Baby's", "Dreumesen", "Oud"]).exists()
    saved = rows_saved()
    again = plan_import(cast.org, table, mapping)
    assert {p.status for p in again.places} == {Status.UNCHANGED} and not again.changes_anything
    apply_import(again, by=cast.admin)
    assert rows_saved()[:-1] == saved[:-1]


@pytest.mark.django_db
def test_a_location_or_group_missing_from_a_later_export_stays(cast, tmp_path):
    first, later = tmp_path / "eerst.csv", tmp_path / "later.csv"
    first.write_text(
        csv_text([child(), child(Kindnummer="K2", Locatie="Locatie Drie", Groep="Peuters", **{"Mentor (e-mail)": ""})]),
        encoding="utf-8",
    )
    later.write_text(csv_text([child()]), encoding="utf-8")
    call_command("import_organisation", str(first), organisation=cast.org.pk, stdout=io.StringIO())
    peuters = Group.objects.get(name="Peuters", location__name="Locatie Drie")
    out = io.StringIO()
    call_command("import_organisation", str(later), organisation=cast.org.pk, confirm_ending=True, stdout=out)
    assert "Locaties en groepen die het bestand niet noemt, blijven zoals ze zijn" in out.getvalue()
    # K2's placement at Locatie Drie is not ended either: the file no longer speaks of that location
    assert Child.objects.get(external_id="K2").placements.get().end_date is None
    assert Group.objects.filter(pk=peuters.pk, location__name="Locatie Drie").exists()


@pytest.mark.django_db
def test_the_command_dry_run_lists_the_new_places_and_saves_nothing(cast, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(new_organisation_file(), encoding="utf-8")
    org = Organisation.objects.create(name="Nieuw Begin")
    before = rows_saved()
    out = io.StringIO()
    call_command("import_organisation", str(path), organisation=org.pk, dry_run=True, stdout=out)
    text = out.getvalue()
    assert rows_saved() == before
    assert "Locaties: 2 nieuw. Groepen: 3 nieuw, 0 gewijzigd." in text
    assert "  Regel 2: nieuwe locatie Kindercentrum De Zon\n" in text
    assert "  Regel 8: nieuwe groep Maantjes bij Kindercentrum De Maan (0 tot 48 maanden)\n" in text
    assert "Kinderen: 3 nieuw" in text and "Medewerkers: 2 nieuw" in text
    call_command("import_organisation", str(path), organisation=org.pk, by=cast.admin.email, stdout=io.StringIO())
    assert Location.objects.filter(organisation=org).count() == 2


@pytest.mark.django_db
def test_a_gastouderbureau_reads_in_new_homes_each_with_one_group(nest):
    rows = [
        {"E-mail": "gea@example.test", "Naam": "Gea Q", "Rol": "gastouder", "Locatie": "Gastouder Q"},  # 2
        home_child("Q1", Locatie="Gastouder Q", **{"Mentor (e-mail)": "gea@example.test"}),  # 3: the home alone
        home_child("R1", Locatie="Gastouder R", Groep="Bij R", **{"Mentor (e-mail)": ""}),  # 4
        home_child("R2", Locatie="Gastouder R", Groep="", **{"Mentor (e-mail)": ""}),  # 5: the home's one group
        home_child("R3", Locatie="Gastouder R", Groep="Tweede groep", **{"Mentor (e-mail)": ""}),  # 6
        home_child("Y9", Locatie="Gastouder Y", Groep="Andere groep", **{"Mentor (e-mail)": ""}),  # 7
    ]
    result = plan(nest.org, csv_text(rows, header=EVERYTHING))
    assert [(p.line, p.kind, p.name) for p in result.places] == [
        (2, "location", "Gastouder Q"),
        (2, "group", "Gastouder Q"),  # named after the home: the file names no group there
        (4, "location", "Gastouder R"),
        (4, "group", "Bij R"),
    ]
    assert [(r.line, r.reason) for r in result.refused] == [
        (6, "Gastouder R is een gastouderadres met één groep, Bij R; deze regel noemt een andere: Tweede groep."),
        (7, "Gastouder Y is een gastouderadres met één groep, Bij Y; deze regel noemt een andere: Andere groep."),
    ]
    apply_import(result, by=nest.admin)
    for name in ("Gastouder Q", "Gastouder R"):
        home = Location.objects.get(organisation=nest.org, name=name)
        assert home.kind == Location.Kind.CHILDMINDER and home.groups.count() == 1
    gea = Membership.objects.get(user__email="gea@example.test")
    assert (gea.role, gea.group.name) == (Role.GASTOUDER, "Gastouder Q")
    assert Child.objects.get(external_id="Q1").mentorships.get().mentor == gea.user
    assert {Child.objects.get(external_id=n).placements.get().group.name for n in ("R1", "R2")} == {"Bij R"}
    again = plan(nest.org, csv_text(rows, header=EVERYTHING))
    assert again.places == [] and [r.line for r in again.refused] == [6, 7]


# --- a new place that looks like another: a typing error? ----------------------------------------


@pytest.mark.parametrize(
    ("name", "others", "found"),
    [
        ("Rupsen", ["Groep A", "Rupsjes"], "Rupsjes"),  # ratio 0.77: the lowest typing error we warn about
        ("De Vlindr", ["De Vlinder"], "De Vlinder"),
        ("Kindercentrum De Vlindr", ["Kindercentrum De Vlinder"], "Kindercentrum De Vlinder"),
        ("Kindercentrm De Zon", ["Kindercentrum De Zon"], "Kindercentrum De Zon"),
        ("DeVlinder", ["De Vlinder"], "De Vlinder"),
        ("Peutrs", ["Dreumesen", "Peuters"], "Peuters"),
        ("Pinguïns", ["Pinguins"], "Pinguins"),
        ("rupsen ", ["RUPSJES"], "RUPSJES"),  # compared without case and extra spaces
        ("Peutrs", ["Peuters", "Peutertjes"], "Peuters"),  # the closest one
        # different names: no warning
        ("Peuters", ["Dreumesen"], None),
        ("Bijtjes", ["Beertjes"], None),  # 0.67: the closest pair of real group names we know
        ("Egeltjes", ["Eendjes"], None),
        ("Zonnetjes", ["Zonnebloemen", "Sterretjes"], None),
        ("Kindercentrum De Zon", ["Kindercentrum De Maan"], None),  # the shared words do not count
        ("BSO De Zon", ["KDV De Zon"], None),
        ("Locatie Drie", ["Locatie Een", "Locatie Twee"], None),
        # numbered on purpose: no warning
        ("Rupsjes 2", ["Rupsjes"], None),
        ("Groep1", ["Groep2"], None),
        ("Groep 1", ["Groep 2"], None),
        # the same place written otherwise is no lookalike
        ("Rupsjes", ["rupsjes "], None),
        ("Rupsjes", [], None),
    ],
)
def test_a_name_close_to_another_is_a_lookalike(name, others, found):
    from planning_import.lookalikes import lookalike

    assert lookalike(name, others) == found


def lookalike_rows():
    return [
        child(Groep="Rupsen", **{"Mentor (e-mail)": ""}),  # 2: next to the existing Rupsjes at Locatie Een
        child(Kindnummer="K2", Locatie="Kindercentrum De Vlindr", Groep="Peuters", **{"Mentor (e-mail)": ""}),  # 3
        child(Kindnummer="K3", Locatie="Locatie Twee", Groep="Rupsen", **{"Mentor (e-mail)": ""}),  # 4: other location
        child(Kindnummer="K4", Groep="Rupsjes 2", **{"Mentor (e-mail)": ""}),  # 5: numbered on purpose
        child(Kindnummer="K5", Locatie="Kindercentrum De Vlindr", Groep="Peutrs", **{"Mentor (e-mail)": ""}),  # 6
    ]


@pytest.fixture
def with_rupsjes(cast):
    Group.objects.create(location=cast.location1, name="Rupsjes")
    Location.objects.create(organisation=cast.org, name="Kindercentrum De Vlinder")
    return cast


@pytest.mark.django_db
def test_a_new_place_that_looks_like_another_at_its_level_is_noted_and_still_read_in(with_rupsjes):
    cast = with_rupsjes
    result = plan(cast.org, csv_text(lookalike_rows()))
    assert result.refused == []  # a warning, not a refusal
    assert [(p.line, p.kind, p.name, p.lookalike, p.lookalike_line) for p in result.places] == [
        (2, "group", "Rupsen", "Rupsjes", None),
        (3, "location", "Kindercentrum De Vlindr", "Kindercentrum De Vlinder", None),
        (3, "group", "Peuters", "", None),
        (4, "group", "Rupsen", "", None),  # Locatie Twee has no Rupsjes: a group compares within its location
        (5, "group", "Rupsjes 2", "", None),
        (6, "group", "Peutrs", "Peuters", 3),  # another new place in the same file
    ]
    apply_import(result, by=cast.admin)
    assert Group.objects.filter(location=cast.location1, name="Rupsen").exists()
    vlindr = Location.objects.get(organisation=cast.org, name="Kindercentrum De Vlindr")
    assert set(vlindr.groups.values_list("name", flat=True)) == {"Peuters", "Peutrs"}


@pytest.mark.django_db
def test_the_command_dry_run_warns_about_a_lookalike_and_applying_still_adds_it(with_rupsjes, tmp_path):
    cast = with_rupsjes
    path = tmp_path / "export.csv"
    path.write_text(csv_text(lookalike_rows()[:2]), encoding="utf-8")
    before = rows_saved()
    out = io.StringIO()
    call_command("import_organisation", str(path), organisation=cast.org.pk, dry_run=True, stdout=out)
    text = out.getvalue()
    assert rows_saved() == before
    assert (
        "  Regel 2: nieuwe groep Rupsen bij Locatie Een (0 tot 48 maanden). "
        "Lijkt op de bestaande groep Rupsjes: een tikfout?\n"
    ) in text
    assert (
        "  Regel 3: nieuwe locatie Kindercentrum De Vlindr. "
        "Lijkt op de bestaande locatie Kindercentrum De Vlinder: een tikfout?\n"
    ) in text
    assert "  Regel 3: nieuwe groep Peuters bij Kindercentrum De Vlindr (0 tot 48 maanden)\n" in text
    assert "2 nieuwe locaties of groepen lijken op een andere: kijk de namen na voordat je inleest." in text
    call_command("import_organisation", str(path), organisation=cast.org.pk, stdout=io.StringIO())
    assert Group.objects.filter(location=cast.location1, name="Rupsen").exists()
    assert Location.objects.filter(organisation=cast.org, name="Kindercentrum De Vlindr").exists()


@pytest.mark.django_db
def test_the_dry_run_page_warns_about_a_lookalike_and_applying_still_adds_it(with_rupsjes, client_for):
    cast = with_rupsjes
    client = client_for(cast.admin)
    response = _upload(client, cast.org, csv_text(lookalike_rows()).encode("utf-8"))
    url = response.url.replace("kolommen/", "")
    page = client.get(url).content.decode()
    assert "Lijkt op de bestaande groep Rupsjes: een tikfout?" in page
    assert "Lijkt op de bestaande locatie Kindercentrum De Vlinder: een tikfout?" in page
    assert "Lijkt op de nieuwe groep Peuters (regel 3): een tikfout?" in page
    assert "3 nieuwe locaties of groepen lijken op een andere: kijk de namen na voordat je inleest." in page
    done = client.post(url, follow=True).content.decode()
    assert "Locaties: 1 nieuw. Groepen: 5 nieuw, 0 gewijzigd." in done
    assert Group.objects.filter(location=cast.location1, name="Rupsen").exists()
    assert Group.objects.filter(location__name="Kindercentrum De Vlindr", name="Peutrs").exists()


@pytest.mark.django_db
def test_a_workbook_with_more_sheets_says_which_one_was_read(cast, client_for):
    """Only the first sheet is read; the columns page and the command say so, and name the others."""
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([child()])))
    workbook.active.title = "Kinderen"
    workbook.create_sheet("Medewerkers").append(["E-mail"])
    workbook.create_sheet("Notities")
    out = io.BytesIO()
    workbook.save(out)
    table = read_table(out.getvalue())
    assert (table.sheet, table.other_sheets, len(table.rows)) == ("Kinderen", ("Medewerkers", "Notities"), 1)
    client = client_for(cast.admin)
    response = _upload(client, cast.org, out.getvalue(), name="planning.xlsx")
    page = client.get(response.url).content.decode()
    assert "Alleen het eerste blad, ‘Kinderen’, is gelezen; de andere bladen niet: Medewerkers, Notities." in page
    from django.utils import translation

    from planning_import.report import describe_table

    with translation.override("nl"):
        assert describe_table(table, "planning.xlsx").endswith("de andere bladen niet: Medewerkers, Notities.")
    single = _upload(client, cast.org, xlsx_bytes([child()]), name="planning.xlsx")
    assert "Alleen het eerste blad" not in client.get(single.url).content.decode()
