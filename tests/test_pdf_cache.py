"""A PDF about a child is drawn once per version (reports/pdf_cache.py): an unchanged second download is
served from the exports storage without drawing, and still logged; a write about the child (an entry
written, changed or removed, a conversation, a handout made ready) makes the next download new; the
permission check comes first; erasure removes the kept files."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from access_log.models import AccessLog
from children.models import Child, Placement
from observations.services import RatingInput
from organisations.downloads import exports_storage
from organisations.observability import PDF_RENDER_SECONDS
from privacy.erasure import erase_child
from reports import pdf_cache
from reports.models import PreparedHandout
from tests.observation_factories import days_ago, make_observation
from tests.test_conversations import form_data as conversation_data
from tests.test_prepare_handout import form_data as handout_form_data

pytestmark = pytest.mark.django_db

A_WEDNESDAY = datetime.datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(A_WEDNESDAY, tick=True):
        yield


def renders() -> float:
    """How many PDFs this process has drawn (the PDF metrics of organisations/observability.py)."""
    for metric in PDF_RENDER_SECONDS.collect():
        for sample in metric.samples:
            if sample.name.endswith("_count"):
                return sample.value
    return 0.0


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def kept(child) -> list[str]:
    """The names of the child's kept PDFs."""
    try:
        return sorted(exports_storage().listdir(pdf_cache.child_folder(child.pk))[1])
    except FileNotFoundError:
        return []


def summary_url(child, **query):
    url = reverse("child_summary_pdf", args=[child.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def entry(cast):
    return make_observation(
        cast.child_a,
        cast.staff_a,
        date=days_ago(1),
        ratings=[
            RatingInput(pillar="comfort_seeking", kind="low", strength="slight", note="Eerste versie van de notitie.")
        ],
    )


def test_an_unchanged_pdf_is_served_from_the_cache_and_every_download_is_logged(cast, client_for, entry):
    client = client_for(cast.coach)
    before = renders()
    first = client.get(summary_url(cast.child_a))
    assert first.status_code == 200 and first.content.startswith(b"%PDF-")
    assert renders() == before + 1
    assert len(kept(cast.child_a)) == 1
    second = client.get(summary_url(cast.child_a))
    assert second.status_code == 200
    assert renders() == before + 1  # not drawn again
    assert second.content == first.content
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second["Content-Type"] == "application/pdf" and second["Cache-Control"] == "no-store"
    logged = AccessLog.objects.filter(user=cast.coach, child=cast.child_a, action=AccessLog.Action.EXPORT)
    assert logged.count() == 2
    assert {(row.weeks, row.period_start, row.period_end) for row in logged} == {
        (12, datetime.date(2026, 8, 31), datetime.date(2026, 11, 22))
    }


def test_an_edit_and_a_removal_make_the_next_download_new(cast, client_for, entry):
    coach = client_for(cast.coach)
    before = renders()
    first = coach.get(summary_url(cast.child_a)).content
    assert "Eerste versie van de notitie." in pdf_text(first)
    version = Child.objects.get(pk=cast.child_a.pk).record_version

    staff = client_for(cast.staff_a)
    changed = staff.post(
        reverse("observation_edit", args=[entry.pk]),
        {
            "child": str(entry.child_id),
            "version": str(entry.version),
            "date": entry.date.isoformat(),
            "situation": "outside",
            "kind_comfort_seeking": "low",
            "strength_comfort_seeking": "clear",
            "note_comfort_seeking": "Tweede versie van de notitie.",
        },
    )
    assert changed.status_code == 302
    assert Child.objects.get(pk=cast.child_a.pk).record_version == version + 1

    coach = client_for(cast.coach)
    second = coach.get(summary_url(cast.child_a)).content
    assert renders() == before + 2  # drawn again
    assert second != first
    text = pdf_text(second)
    assert "Tweede versie van de notitie." in text and "Eerste versie" not in text
    assert len(kept(cast.child_a)) == 1  # the superseded version is gone

    staff = client_for(cast.staff_a)
    assert staff.post(reverse("observation_remove", args=[entry.pk]), {"version": "2"}).status_code == 302
    coach = client_for(cast.coach)
    third = coach.get(summary_url(cast.child_a)).content
    assert renders() == before + 3
    assert "Tweede versie van de notitie." not in pdf_text(third)
    assert len(kept(cast.child_a)) == 1


def test_a_new_entry_and_a_conversation_move_the_version(cast, client_for, entry):
    coach = client_for(cast.coach)
    coach.get(summary_url(cast.child_a))
    version = Child.objects.get(pk=cast.child_a.pk).record_version
    other_version = Child.objects.get(pk=cast.child_b.pk).record_version
    make_observation(
        cast.child_a,
        cast.staff_a,
        date=days_ago(2),
        ratings=[RatingInput(pillar="reunion", kind="low", strength="clear", note="Nog een keer gezien.")],
    )
    assert Child.objects.get(pk=cast.child_a.pk).record_version == version + 1
    response = coach.post(reverse("conversation_new", args=[cast.child_a.pk]), conversation_data())
    assert response.status_code == 302
    assert Child.objects.get(pk=cast.child_a.pk).record_version == version + 2
    before = renders()
    text = pdf_text(coach.get(summary_url(cast.child_a)).content)
    assert renders() == before + 1 and "Nog een keer gezien." in text
    # Another child's version is not touched by it.
    assert Child.objects.get(pk=cast.child_b.pk).record_version == other_version


def test_each_reader_language_and_window_has_its_own_pdf(cast, client_for, entry):
    """The team's summary names who made it: the manager gets her own; the parents' handout in English
    is another document than the Dutch one; 4 weeks another than 12."""
    before = renders()
    coach = client_for(cast.coach)
    coach.get(summary_url(cast.child_a))
    coach.get(summary_url(cast.child_a, weken=4))
    handout = reverse("child_parent_handout_pdf", args=[cast.child_a.pk])
    dutch, english = coach.get(handout), coach.get(handout + "?taal=en")
    assert renders() == before + 4
    assert pdf_text(dutch.content) != pdf_text(english.content)
    assert coach.get(handout + "?taal=en").content == english.content
    assert coach.get(handout).content == dutch.content
    assert renders() == before + 4
    manager = client_for(cast.manager)
    assert "Mira" in pdf_text(manager.get(summary_url(cast.child_a)).content)
    assert renders() == before + 5


def test_another_persons_scope_cannot_get_the_kept_pdf(cast, client_for, entry):
    coach = client_for(cast.coach)
    assert coach.get(summary_url(cast.child_a)).status_code == 200
    assert coach.get(reverse("child_parent_handout_pdf", args=[cast.child_a.pk])).status_code == 200
    before = renders()
    for user in (cast.staff_b, cast.other_admin):
        client = client_for(user)
        assert client.get(summary_url(cast.child_a)).status_code == 404
        assert client.get(reverse("child_parent_handout_pdf", args=[cast.child_a.pk])).status_code == 404
    assert renders() == before
    assert not AccessLog.objects.filter(user__in=[cast.staff_b, cast.other_admin], child=cast.child_a).exists()


def test_the_report_for_parents_is_kept_until_an_agreement_is_looked_back_on(cast, client_for):
    coach = client_for(cast.coach)
    assert coach.post(reverse("conversation_new", args=[cast.child_a.pk]), conversation_data()).status_code == 302
    conversation = cast.child_a.conversations.get()
    url = reverse("conversation_report_pdf", args=[conversation.pk])
    before = renders()
    first = coach.get(url)
    assert first.status_code == 200 and coach.get(url).content == first.content
    assert renders() == before + 1
    assert client_for(cast.staff_b).get(url).status_code == 404
    agreement = conversation.agreements.order_by("pk").first()
    coach = client_for(cast.coach)
    assert coach.post(reverse("agreement_looked_back", args=[agreement.pk])).status_code == 302
    assert coach.get(url).status_code == 200
    assert renders() == before + 2
    assert AccessLog.objects.filter(user=cast.coach, action=AccessLog.Action.EXPORT).count() == 3


def test_a_prepared_handout_is_reprinted_as_stored_and_kept(cast, client_for, entry):
    coach = client_for(cast.coach)
    page = coach.get(reverse("handout_prepare", args=[cast.child_a.pk]))
    version = Child.objects.get(pk=cast.child_a.pk).record_version
    ready = coach.post(reverse("handout_prepare", args=[cast.child_a.pk]), handout_form_data(page, action="ready"))
    assert ready.status_code == 302
    handout = PreparedHandout.objects.get(child=cast.child_a, status=PreparedHandout.Status.READY)
    assert Child.objects.get(pk=cast.child_a.pk).record_version == version + 1
    url = reverse("prepared_handout_pdf", args=[handout.pk])
    before = renders()
    first = coach.get(url)
    assert first.status_code == 200 and coach.get(url).content == first.content
    assert renders() == before + 1
    # A later entry does not change what was handed over: drawn again, the same text.
    make_observation(cast.child_a, cast.staff_a, date=days_ago(1), note="Een nieuwe notitie na de handout.")
    again = coach.get(url)
    assert renders() == before + 2
    assert pdf_text(again.content) == pdf_text(first.content)


def test_a_new_release_draws_anew(cast, client_for, entry, settings):
    coach = client_for(cast.coach)
    before = renders()
    coach.get(summary_url(cast.child_a))
    settings.APP_RELEASE = "9.9.9+other"
    coach.get(summary_url(cast.child_a))
    coach.get(summary_url(cast.child_a))
    assert renders() == before + 2
    assert len(kept(cast.child_a)) == 1
    settings.PDF_CACHE = False
    coach.get(summary_url(cast.child_a))
    assert renders() == before + 3


def test_the_childs_facts_and_placements_move_the_version(cast):
    child = Child.objects.get(pk=cast.child_a.pk)
    stale = Child.objects.get(pk=cast.child_a.pk)
    start = child.record_version
    child.first_name = "Semmie"
    child.save()
    assert Child.objects.get(pk=child.pk).record_version == start + 1
    stale.save()  # an older copy saved over it: the version never goes back
    assert Child.objects.get(pk=child.pk).record_version == start + 2
    placement = Placement.objects.filter(child=child).first()
    placement.end_date = datetime.date(2026, 12, 31)
    placement.save()
    assert Child.objects.get(pk=child.pk).record_version == start + 3


def test_erasure_removes_the_kept_pdfs(cast, client_for, entry, django_capture_on_commit_callbacks):
    coach = client_for(cast.coach)
    coach.get(summary_url(cast.child_a))
    coach.get(reverse("child_parent_handout_pdf", args=[cast.child_a.pk]))
    assert len(kept(cast.child_a)) == 2
    child_b_before = len(kept(cast.child_b))
    coach.get(summary_url(cast.child_b))
    with django_capture_on_commit_callbacks(execute=True):
        erase_child(cast.child_a, rule=AccessLog.Rule.REQUEST, by=cast.admin)
    assert kept(cast.child_a) == []
    assert not exports_storage().exists(pdf_cache.child_folder(cast.child_a.pk))
    assert len(kept(cast.child_b)) == child_b_before + 1  # another child's stay


def test_pdfs_kept_too_long_are_removed(cast, client_for, entry):
    coach = client_for(cast.coach)
    coach.get(summary_url(cast.child_a))
    assert pdf_cache.remove_stale_pdfs() == 0
    (name,) = kept(cast.child_a)
    written = exports_storage().get_modified_time(f"{pdf_cache.child_folder(cast.child_a.pk)}/{name}")
    later = written + datetime.timedelta(days=pdf_cache.CACHE_KEEP_DAYS, hours=1)  # the disk's clock
    assert pdf_cache.remove_stale_pdfs(now=later) >= 1
    assert kept(cast.child_a) == []


def test_the_daily_command_removes_pdfs_kept_too_long(cast, client_for, entry):
    coach = client_for(cast.coach)
    coach.get(summary_url(cast.child_a))
    (name,) = kept(cast.child_a)
    written = exports_storage().get_modified_time(f"{pdf_cache.child_folder(cast.child_a.pk)}/{name}")
    out = io.StringIO()
    with time_machine.travel(written + datetime.timedelta(days=pdf_cache.CACHE_KEEP_DAYS, hours=1)):
        call_command("remove_expired_exports", stdout=out)
    assert out.getvalue() == "0 expired export(s) removed.\n1 kept PDF(s) removed.\n"
    assert kept(cast.child_a) == []
