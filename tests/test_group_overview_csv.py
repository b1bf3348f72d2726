"""The group overview as CSV: Dutch Excel opens it (UTF-8 with BOM, `;`), one row per child and
pillar with the figures behind the pattern, no formulas from names, scoped like the page."""

import csv
import io

import pytest
from django.urls import reverse

from organisations.downloads import csv_cell
from reports.overview import group_overview
from tests import factories as f
from tests.report_data import give_recurring_comfort_pattern

pytestmark = pytest.mark.django_db

HEADER = [
    "Kind",
    "Groep",
    "Mentor",
    "Laatst waargenomen",
    "Waarnemingen in periode",
    "Pijler",
    "Beeld",
    "Opvallend vooral",
    "Weken beoordeeld",
    "Weken opvallend",
    "Beoordelingen",
    "Passend",
    "Opvallend ↓: naam",
    "Opvallend ↓: beoordelingen",
    "Opvallend ↑: naam",
    "Opvallend ↑: beoordelingen",
    "Medewerkers",
    "Medewerkers die het opvallend vonden",
    "Opvallend op dagen met omstandigheden",
    "Omstandigheden op opvallende dagen",
    "Periode van",
    "Periode tot en met",
]


def url(group, query=""):
    return reverse("group_overview_csv", args=[group.pk]) + query


def read(response):
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


EXPECTED = {"staff_a": 200, "staff_b": 404, "manager": 200, "coach": 200, "admin": 404, "other_admin": 404}


@pytest.mark.parametrize("role", EXPECTED)
def test_it_checks_access_for_every_role(cast, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get(url(cast.group_a)).status_code == EXPECTED[role]
    assert client.get(url(cast.other_group)).status_code == 404


def test_the_file_is_a_dutch_excel_csv_download(cast, client_for):
    response = client_for(cast.manager).get(url(cast.group_a))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="overzicht-groep-a-')
    assert response["Cache-Control"] == "no-store"
    assert b"\r\n" in response.content
    rows = read(response)
    assert rows[0] == HEADER
    assert len(rows) == 1 + 8  # one child, eight pillars


def test_one_row_per_child_and_pillar_with_the_figures_behind_the_pattern(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    f.make_child(cast.group_a, "Anna")
    rows = read(client_for(cast.manager).get(url(cast.group_a, "?weken=8")))
    body = [dict(zip(HEADER, r, strict=True)) for r in rows[1:]]
    assert len(body) == 2 * 8
    assert [r["Kind"] for r in body[::8]] == ["Anna Testmans", "Sem Testmans"]
    comfort = next(r for r in body if r["Kind"] == "Sem Testmans" and r["Pijler"] == "Zoeken van troost")
    assert comfort["Beeld"] == "terugkerend aandachtspunt"
    assert comfort["Opvallend vooral"] == "zoekt geen troost"
    assert (comfort["Weken beoordeeld"], comfort["Weken opvallend"], comfort["Beoordelingen"]) == ("6", "6", "6")
    assert (comfort["Passend"], comfort["Opvallend ↓: beoordelingen"], comfort["Opvallend ↑: beoordelingen"]) == (
        "0",
        "6",
        "0",
    )
    # each pole by the pillar's own name; a pillar without a pole has empty cells there
    assert (comfort["Opvallend ↓: naam"], comfort["Opvallend ↑: naam"]) == ("zoekt geen troost", "zoekt en duwt weg")
    strangers = next(r for r in body if r["Kind"] == "Sem Testmans" and r["Pijler"] == "Reactie op vreemden")
    assert (strangers["Opvallend ↓: naam"], strangers["Opvallend ↓: beoordelingen"]) == ("", "")
    assert strangers["Opvallend ↑: naam"] == "gaat met iedereen mee"
    assert (comfort["Medewerkers"], comfort["Medewerkers die het opvallend vonden"]) == ("2", "2")
    assert comfort["Mentor"] == "Anna" and comfort["Waarnemingen in periode"] == "6"
    assert comfort["Groep"] == "Groep A"
    empty = next(r for r in body if r["Kind"] == "Anna Testmans" and r["Pijler"] == "Reactie bij hereniging")
    assert empty["Beeld"] == "nog te weinig gezien" and empty["Laatst waargenomen"] == ""
    assert empty["Opvallend vooral"] == ""
    # the same figures as the page
    overview = group_overview(cast.group_a, 8)
    sem = next(r for r in overview.rows if r.child == cast.child_a)
    assert comfort["Periode van"] == overview.period_start.strftime("%d-%m-%Y")
    assert int(comfort["Beoordelingen"]) == sem.pillar("comfort_seeking").figures.ratings


def test_sort_and_filter_apply_to_the_csv(cast, client_for):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    f.make_child(cast.group_a, "Anna")
    rows = read(client_for(cast.manager).get(url(cast.group_a, "?filter=aandachtspunten")))
    assert {r[0] for r in rows[1:]} == {"Sem Testmans"}


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+31 6", "-2+3", "@SUM(A1)", "\tTab"])
def test_no_cell_starts_like_a_formula(cast, client_for, name):
    f.make_child(cast.group_a, name)
    rows = read(client_for(cast.manager).get(url(cast.group_a)))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any(r[0] == "'" + name + " Testmans" for r in rows)


def test_csv_cell():
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("Sem") == "Sem"
    assert csv_cell(None) == ""
    assert csv_cell(3) == "3"


def test_bad_weeks_get_a_400(cast, client_for):
    response = client_for(cast.manager).get(url(cast.group_a, "?weken=abc"))
    assert response.status_code == 400 and "weken" in response.content.decode()


def test_the_csv_runs_a_fixed_number_of_queries(cast, client_for, django_assert_num_queries):
    from tests.overview_data import fill_group

    client = client_for(cast.manager)
    client.get(url(cast.group_a))
    fill_group(cast.group_a, [cast.staff_a, cast.manager], children=15, weeks=12)
    # session, user, memberships, group, children, mentors, figures, access log (one insert)
    with django_assert_num_queries(8):
        client.get(url(cast.group_a))


def test_every_csv_export_writes_one_access_log_row_per_child(cast, client_for):
    from access_log.models import AccessLog

    second = f.make_child(cast.group_a, "Noor")
    response = client_for(cast.manager).get(url(cast.group_a, "?weken=8"))
    assert response.status_code == 200
    rows = AccessLog.objects.filter(action=AccessLog.Action.EXPORT_CSV)
    assert {(r.child_id, r.user_id, r.weeks) for r in rows} == {
        (cast.child_a.pk, cast.manager.pk, 8),
        (second.pk, cast.manager.pk, 8),
    }
    # A refused export logs nothing.
    client_for(cast.staff_b).get(url(cast.group_a))
    assert rows.count() == 2
