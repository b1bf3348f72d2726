"""The batch export: one PDF per child placed in the group, logged, in Dutch."""

import io

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from access_log.models import AccessLog
from tests import factories as f
from tests.report_data import give_recurring_comfort_pattern

pytestmark = pytest.mark.django_db


def test_one_pdf_per_child_in_the_group(cast, tmp_path):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    second = f.make_child(cast.group_a, "Noor")
    out, err = io.StringIO(), io.StringIO()
    call_command("export_reports", group=cast.group_a.pk, weeks=8, out=str(tmp_path / "pdf"), stdout=out, stderr=err)
    files = sorted(p.name for p in (tmp_path / "pdf").iterdir())
    assert len(files) == 2
    assert files[0].startswith("overzicht-Noor-") and files[1].startswith("overzicht-Sem-")
    assert str(tmp_path / "pdf") in out.getvalue()
    assert "2/2" in err.getvalue()  # the progress bar
    text = PdfReader(tmp_path / "pdf" / files[1]).pages[0].extract_text()
    assert "Let op" in text and "opdrachtregel" in text
    rows = AccessLog.objects.filter(action=AccessLog.Action.EXPORT)
    assert sorted(r.child_id for r in rows) == sorted([cast.child_a.pk, second.pk])
    assert {r.user for r in rows} == {None} and {r.weeks for r in rows} == {8}


def test_the_export_can_be_made_for_a_named_user(cast, tmp_path):
    call_command(
        "export_reports",
        group=cast.group_b.pk,
        out=str(tmp_path),
        **{"as_user": cast.coach.email},
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert AccessLog.objects.get().user == cast.coach


@pytest.mark.parametrize("options", [{"group": 999999}, {"weeks": 3}, {"weeks": 53}, {"as_user": "nobody@x.test"}])
def test_bad_arguments(cast, tmp_path, options):
    with pytest.raises(CommandError):
        call_command("export_reports", **{"group": cast.group_a.pk, "out": str(tmp_path), **options})
