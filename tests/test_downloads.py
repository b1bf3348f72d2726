"""Every renderer returns one type, a Download (filename, content type, bytes), and every view and the
admin's access export answer with organisations.downloads.attachment (issue 18)."""

import dataclasses
import datetime

import pytest
from django.urls import reverse

from access_log.csv_export import render_access_log_csv
from access_log.models import AccessLog
from access_log.selectors import access_log_rows
from access_log.services import access_log_record
from organisations.calendar import today
from organisations.downloads import Download, attachment
from privacy.export import render_access_export
from reports.csv_export import render_group_overview_csv
from reports.handout import parent_handout, render_parent_handout_pdf
from reports.overview import group_overview
from reports.pdf import render_child_summary_pdf
from reports.summary import child_summary
from tests.report_data import give_recurring_comfort_pattern

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 12, 4)


def test_every_renderer_returns_a_download(cast):
    give_recurring_comfort_pattern(cast.child_a, [cast.staff_a, cast.manager])
    summary = child_summary(cast.child_a, 12)
    access_log_record(user=cast.coach, child=cast.child_a, action=AccessLog.Action.VIEW, path="/")
    downloads = {
        "summary": render_child_summary_pdf(summary, made_by=cast.coach, made_on=DAY),
        "handout": render_parent_handout_pdf(parent_handout(summary), made_on=DAY),
        "overview": render_group_overview_csv(group_overview(cast.group_a, 12), made_on=DAY),
        "access log": render_access_log_csv(access_log_rows(list(AccessLog.objects.all())), made_on=DAY),
        "access export": render_access_export(cast.child_a, made_on=DAY),
    }
    expected = {
        "summary": ("overzicht-Sem-2026-12-04.pdf", "application/pdf", b"%PDF"),
        "handout": ("oudergesprek-Sem-2026-12-04.pdf", "application/pdf", b"%PDF"),
        "overview": ("overzicht-groep-a-2026-12-04.csv", "text/csv; charset=utf-8", "\ufeff".encode()),
        "access log": ("inzagelog-2026-12-04.csv", "text/csv; charset=utf-8", "\ufeff".encode()),
        "access export": ("inzage-Sem-2026-12-04.zip", "application/zip", b"PK"),
    }
    for name, download in downloads.items():
        assert isinstance(download, Download), name
        filename, content_type, start = expected[name]
        assert (download.filename, download.content_type) == (filename, content_type), name
        assert download.data.startswith(start), name
        with pytest.raises(dataclasses.FrozenInstanceError):
            download.filename = "other.pdf"


def test_an_attachment_is_saved_under_its_name_and_never_cached():
    response = attachment(Download("overzicht-Sem.pdf", "application/pdf", b"%PDF-1.7"))
    assert response.content == b"%PDF-1.7" and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="overzicht-Sem.pdf"'
    assert response["Cache-Control"] == "no-store"
    # a name beyond ASCII is written the way browsers read it (RFC 6266), not broken
    response = attachment(Download("inzage-Zoë.zip", "application/zip", b"PK"))
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''inzage-Zo%C3%AB.zip"


def test_the_views_and_the_admin_action_send_the_renderers_download(cast, client_for):
    manager = client_for(cast.manager)
    csv = manager.get(reverse("group_overview_csv", args=[cast.group_a.pk]))
    assert csv["Content-Disposition"] == f'attachment; filename="overzicht-groep-a-{today():%Y-%m-%d}.csv"'
    pdf = manager.get(reverse("child_summary_pdf", args=[cast.child_a.pk]))
    assert pdf["Content-Disposition"] == f'attachment; filename="overzicht-Sem-{today():%Y-%m-%d}.pdf"'
    admin = client_for(cast.admin)
    log = admin.get(reverse("access_log_csv"))
    assert log["Content-Disposition"] == f'attachment; filename="inzagelog-{today():%Y-%m-%d}.csv"'
    export = admin.post(
        reverse("admin:children_child_changelist"),
        {"action": "export_for_parents", "_selected_action": [cast.child_a.pk]},
    )
    assert export["Content-Disposition"] == f'attachment; filename="inzage-Sem-{today():%Y-%m-%d}.zip"'
    for response in (csv, pdf, log, export):  # (the admin adds Django's never_cache to the action's no-store)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
