"""The parents' right of access (issue 10): one zip with a readable PDF and a JSON file of every row."""

import io
import json
import zipfile

import pytest
from django.urls import reverse
from pypdf import PdfReader

from access_log.models import AccessLog
from observations.models import Observation, PillarRating
from tests.privacy_data import MARKERS, NAME, rich_child

pytestmark = pytest.mark.django_db


def _export(client, child):
    return client.post(
        reverse("admin:children_child_changelist"), {"action": "export_for_parents", "_selected_action": [child.pk]}
    )


def _open(response):
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(archive.namelist())
    pdf = next(n for n in names if n.endswith(".pdf"))
    data = next(n for n in names if n.endswith(".json"))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(pdf))).pages)
    return names, " ".join(text.split()), json.loads(archive.read(data))


def test_the_admin_downloads_everything_about_one_child(cast, client_for):
    child = rich_child(cast, client_for)
    response = _export(client_for(cast.admin), child)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="inzage-Zebedeus-')
    names, text, data = _open(response)
    assert len(names) == 2

    # The PDF: every observation with date, moment, circumstances, notes and ratings; the observer by role.
    assert f"{NAME[0]} {NAME[1]}" in text
    for marker in (MARKERS[0], MARKERS[2], MARKERS[4], MARKERS[5], MARKERS[6], MARKERS[7]):
        assert marker in text, marker
    assert "2 waarnemingen" in text
    assert "slecht geslapen" in text and "vrij spel" in text
    assert "Zoeken van troost: opvallend: zoekt geen troost, duidelijk" in text
    assert "pedagogisch medewerker" in text and "pedagogisch coach" in text
    assert "verwijderd door de medewerker op" in text
    for staff_name in ("Anna", "Coen", "Mira", "Ada"):
        assert staff_name not in text, staff_name
    assert "Oudergesprekken" in text and "Afspraken" in text
    assert "Wie heeft deze waarnemingen gezien" in text

    # The JSON: every row, history rows and earlier versions included.
    rows = data["rows"]
    models = {row["model"] for row in rows}
    assert {
        "children.child",
        "children.placement",
        "children.mentorship",
        "observations.observation",
        "observations.pillarrating",
        "observations.historicalobservation",
        "observations.historicalpillarrating",
        "conversations.conversation",
        "conversations.agreement",
        "privacy.retentionconsent",
        "children.historicalchild",
        "children.historicalplacement",
        "admin.logentry",
        "access_log.accesslog",
    } <= models
    dumped = json.dumps(data, ensure_ascii=False)
    for marker in MARKERS:  # the earlier note and the dropped rating are only in the history
        assert marker in dumped, marker
    observations = [r for r in rows if r["model"] == "observations.observation"]
    assert {r["pk"] for r in observations} == set(Observation.objects.filter(child=child).values_list("pk", flat=True))
    ratings = [r for r in rows if r["model"] == "observations.pillarrating"]
    assert len(ratings) == PillarRating.objects.filter(observation__child=child).count()
    # Group rows list only this child, not the others of the group.
    listed = [row["fields"]["children"] for row in rows if row["model"] == "access_log.accesslog"]
    listed = [json.loads(c) if isinstance(c, str) else c for c in listed]  # an array field serializes as text
    assert [c for c in listed if c] and all([int(x) for x in c] == [child.pk] for c in listed if c)
    assert cast.child_a.first_name not in dumped  # Sem, in the same group


def test_the_export_is_in_the_access_log(cast, client_for):
    child = rich_child(cast, client_for)
    _export(client_for(cast.admin), child)
    row = AccessLog.objects.get(action=AccessLog.Action.EXPORT_ACCESS)
    assert (row.user, row.child, row.organisation) == (cast.admin, child, cast.org)


def test_one_child_at_a_time_and_only_of_ones_own_organisation(cast, client_for):
    admin = client_for(cast.admin)
    response = admin.post(
        reverse("admin:children_child_changelist"),
        {"action": "export_for_parents", "_selected_action": [cast.child_a.pk, cast.child_b.pk]},
        follow=True,
    )
    assert "Kies precies één kind" in response.content.decode()
    other = _export(client_for(cast.other_admin), cast.child_a)
    assert other["Content-Type"] != "application/zip"
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT_ACCESS).exists()
    for user in (cast.manager, cast.coach, cast.staff_a):
        assert _export(client_for(user), cast.child_a).status_code in (302, 403)
