"""Erasure on request (issue 10): afterwards nothing that named the child or was written about it
remains anywhere in the database. The proof is a pg_dump of the whole test database."""

import io
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse

from children.models import Child
from observations.models import Observation, PillarRating
from privacy.erasure import erase_child
from reports.models import AccessLog
from tests.observation_factories import make_observation
from tests.privacy_data import MARKERS, NAME, database_dump, rich_child, traces


def _erase_in_admin(client, child):
    changelist = reverse("admin:children_child_changelist")
    confirmation = client.post(changelist, {"action": "erase_children", "_selected_action": [child.pk]})
    assert confirmation.status_code == 200
    done = client.post(
        changelist, {"action": "erase_children", "_selected_action": [child.pk], "confirm": "erase"}, follow=True
    )
    assert done.status_code == 200
    return confirmation, done


@pytest.mark.django_db(transaction=True)
def test_after_erasure_the_database_holds_nothing_about_the_child(cast, client_for):
    child = rich_child(cast, client_for)
    make_observation(cast.child_b, cast.staff_b, note="UNIEK-ander-kind-2222")  # someone else's: stays
    before = database_dump()
    assert traces(before) == [*NAME, "Zebbedoes", *MARKERS], "the test data is not where the test looks"
    views = AccessLog.objects.filter(child=child).count()
    assert views >= 3

    confirmation, done = _erase_in_admin(client_for(cast.admin), child)

    html = confirmation.content.decode()
    assert "Zebedeus Quirijnsma" in html and "Waarnemingen: 2" in html and "Oudergesprekken: 1" in html
    assert not Child.objects.filter(pk=child.pk).exists()
    after = database_dump()
    assert traces(after) == []
    assert "UNIEK-ander-kind-2222" in after and "Sem" in after
    # The access log keeps who saw it, under a pseudonym, and why it went.
    removed = AccessLog.objects.get(action=AccessLog.Action.REMOVED)
    assert (removed.user, removed.rule, removed.child) == (cast.admin, AccessLog.Rule.REQUEST, None)
    assert removed.pseudonym.startswith("K-") and removed.pseudonym in done.content.decode()
    assert AccessLog.objects.filter(pseudonym=removed.pseudonym, child=None).count() == views + 1
    assert removed.details["removed"]["observations.Observation"] == 2


@pytest.mark.django_db
def test_the_confirmation_page_lists_what_will_go_and_removes_nothing_yet(cast, client_for):
    child = rich_child(cast, client_for)
    response = client_for(cast.admin).post(
        reverse("admin:children_child_changelist"), {"action": "erase_children", "_selected_action": [child.pk]}
    )
    html = response.content.decode()
    for line in ("Kinderen: 1", "Plaatsingen: 1", "Waarnemingen: 2", "Beoordelingen per pijler: 2", "Afspraken: 1"):
        assert line in html, line
    assert re.search(r"Eerdere versies van waarnemingen: [1-9]", html)
    assert "historical" not in html.lower()
    assert "Ja, alles verwijderen" in html
    assert Child.objects.filter(pk=child.pk).exists() and Observation.objects.filter(child=child).count() == 2


@pytest.mark.django_db
def test_a_child_that_was_seen_can_be_deleted_in_the_admin(cast, client_for):
    """It used to answer 403: the access log's rows blocked the delete."""
    client_for(cast.coach).get(reverse("child_summary", args=[cast.child_a.pk]))
    assert AccessLog.objects.filter(child=cast.child_a).exists()
    admin = client_for(cast.admin)
    url = reverse("admin:children_child_delete", args=[cast.child_a.pk])
    page = admin.get(url)
    assert page.status_code == 200 and "Sem Testmans" in page.content.decode()
    response = admin.post(url, {"confirm": "erase"})
    assert response.status_code == 302
    assert not Child.objects.filter(pk=cast.child_a.pk).exists()
    assert not LogEntry.objects.filter(object_repr__contains="Sem").exists()
    assert AccessLog.objects.filter(action=AccessLog.Action.REMOVED, rule=AccessLog.Rule.REQUEST).count() == 1


@pytest.mark.django_db
def test_another_organisations_admin_cannot_erase_our_child(cast, client_for):
    other = client_for(cast.other_admin)
    assert other.get(reverse("admin:children_child_delete", args=[cast.child_a.pk])).status_code == 404
    other.post(
        reverse("admin:children_child_changelist"),
        {"action": "erase_children", "_selected_action": [cast.child_a.pk], "confirm": "erase"},
    )
    assert Child.objects.filter(pk=cast.child_a.pk).exists()
    assert not AccessLog.objects.filter(action=AccessLog.Action.REMOVED).exists()


@pytest.mark.django_db
def test_the_command_shows_what_would_go_and_removes_only_with_yes(cast):
    make_observation(cast.child_a, cast.staff_a, note="Zocht troost.")
    out = io.StringIO()
    call_command("erase_child", str(cast.child_a.pk), stdout=out)
    assert "Would remove child" in out.getvalue() and "Sem Testmans" in out.getvalue()
    assert "1 observations" in out.getvalue() and "add --yes" in out.getvalue()
    assert Child.objects.filter(pk=cast.child_a.pk).exists()

    out = io.StringIO()
    call_command("erase_child", str(cast.child_a.pk), "--yes", "--as", cast.admin.email, stdout=out)
    assert "Sem" not in out.getvalue()
    assert not Child.objects.filter(pk=cast.child_a.pk).exists()
    assert not Observation.history.filter(child_id=cast.child_a.pk).exists()
    assert not PillarRating.objects.filter(observation__child_id=cast.child_a.pk).exists()
    removed = AccessLog.objects.get(action=AccessLog.Action.REMOVED)
    assert removed.user == cast.admin and removed.pseudonym in out.getvalue()
    with pytest.raises(CommandError, match="no child"):
        call_command("erase_child", str(cast.child_a.pk), "--yes", stdout=io.StringIO())


@pytest.mark.django_db
def test_erasure_leaves_the_other_children_alone(cast):
    make_observation(cast.child_b, cast.staff_b, note="Blijft staan.")
    erase_child(cast.child_a, rule=AccessLog.Rule.REQUEST)
    assert Observation.objects.get(child=cast.child_b).note == "Blijft staan."
    assert Child.history.filter(id=cast.child_b.pk).exists()
    assert set(Child.objects.values_list("first_name", flat=True)) == {"Tess", "Daan", "Olaf"}
