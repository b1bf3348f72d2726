"""The team summary after issue 11: for staff, coach and manager, beside the parent handout.

It keeps the reporting code (meldcode) and the "adapted, not validated" note, explains honestly what
the thresholds do, says in one sentence at the top when too little was observed (and which pillars
to watch) instead of blocks of zeros, and shows each pillar before and since the last parent
conversation.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from children.models import Child
from conversations.models import Conversation
from organisations.calendar import today
from reports.patterns import PatternKind
from reports.summary import child_summary
from staff.models import User
from tests.report_data import observe, weeks_ago
from tests.test_parent_handout import pages_text, save_with_page_images
from tests.test_pole_names import bare_directions

pytestmark = pytest.mark.django_db

HONEST = "Die bepalen wanneer er genoeg is waargenomen om iets over een pijler te zeggen"
NO_NORM = "Ze zijn geen norm voor het kind"
TOO_LITTLE = "In deze periode is nog te weinig gezien om veel te zeggen"
ZERO_COUNTS = re.compile(r"\b0 beoordelingen")


def summary_url(child, weeks=12):
    return f"{reverse('child_summary', args=[child.pk])}?weken={weeks}"


def pdf_url(child, weeks=12):
    return f"{reverse('child_summary_pdf', args=[child.pk])}?weken={weeks}"


@pytest.fixture
def demo(client):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    client.force_login(User.objects.get(email="coach@example.org"))
    return client


def test_the_team_pdfs_of_three_demo_children(demo):
    texts = {}
    for first, last in (("Daan", "Mulder"), ("Sophie", "Bos"), ("Finn", "Vos")):
        child = Child.objects.get(first_name=first, last_name=last)
        response = demo.get(pdf_url(child))
        assert response.status_code == 200
        save_with_page_images(response.content, f"team-{first.lower()}")
        pages = pages_text(response.content)
        text = " ".join(pages)
        texts[first] = (pages, text)
        # for the team: the reporting code, the screening list and its unvalidated use, the honest rules
        assert "meldcode" in text and "LSVG" in text and "niet gevalideerd" in text, first
        assert HONEST in text and NO_NORM in text, first
        assert "nergens wordt een grenswaarde gebruikt" not in text
        assert "voor het team" in pages[0]
        assert not ZERO_COUNTS.search(text), first
        assert not bare_directions(text), (first, bare_directions(text))  # poles by their names only
        for number, page in enumerate(pages, start=1):
            assert f"pagina {number} van {len(pages)}" in page

    pages, text = texts["Finn"]
    assert TOO_LITTLE in pages[0]
    assert pages[0].index(TOO_LITTLE) < pages[0].index("Let op")
    assert "over 8 van de 8 pijlers valt nog niets te zeggen" in pages[0]
    assert "Let de komende weken vooral op: Positieve affectie, Zoeken van troost" in pages[0]
    assert "Nog te weinig gezien om iets te zeggen over: Positieve affectie" in text
    assert len(pages) <= 2  # was three pages of zero counts
    assert "Voor en sinds het laatste oudergesprek" not in text  # no conversation: nothing shown

    pages, text = texts["Daan"]
    assert TOO_LITTLE not in text
    assert "terugkerend aandachtspunt" in text
    assert "Nog te weinig gezien om iets te zeggen over: Reactie bij hereniging." in text
    conversation = Conversation.objects.get(child__first_name="Daan")
    assert "Voor en sinds het laatste oudergesprek" in text
    assert f"Het laatste oudergesprek was op {conversation.date.day} " in text

    pages, text = texts["Sophie"]
    assert "wisselend" in text and "slecht geslapen" in text
    assert "Voor en sinds het laatste oudergesprek" not in text


def test_the_summary_page_says_too_little_at_the_top_and_links_the_handout(demo):
    finn = Child.objects.get(first_name="Finn", last_name="Vos")
    html = demo.get(summary_url(finn)).content.decode()
    assert TOO_LITTLE in html
    assert html.index(TOO_LITTLE) < html.index("Let op")
    assert 'id="pijler-' not in html  # no block per pillar, one line instead
    assert "Nog te weinig gezien om iets te zeggen over:" in html
    assert "meldcode" in html and NO_NORM in html
    handout = reverse("child_parent_handout_pdf", args=[finn.pk])
    assert f'href="{handout}?weken=12"' in html
    # On the child page the coach prepares the handout first (issue 21): the way in is the prepare page.
    assert (
        reverse("handout_prepare", args=[finn.pk]) in demo.get(reverse("child_detail", args=[finn.pk])).content.decode()
    )

    daan = Child.objects.get(first_name="Daan", last_name="Mulder")
    html = demo.get(summary_url(daan, 26)).content.decode()
    assert TOO_LITTLE not in html and 'id="pijler-comfort_seeking"' in html
    assert "Voor en sinds het laatste oudergesprek" in html
    assert f'href="{reverse("child_parent_handout_pdf", args=[daan.pk])}?weken=26"' in html


def test_before_and_since_the_last_conversation(cast, client_for):
    observers = [cast.staff_a, cast.manager]
    for n in range(7, 13):  # before: too little in six weeks, by two observers
        observe(cast.child_a, observers[n % 2], weeks_ago(n), {"comfort_seeking": -2, "reunion": 0})
    for n in range(0, 6):  # since: typical
        observe(cast.child_a, observers[n % 2], weeks_ago(n, weekday=0), {"comfort_seeking": 0, "reunion": 0})
    assert child_summary(cast.child_a, 12).before_after is None  # no conversation: nothing to compare
    Conversation.objects.create(child=cast.child_a, date=weeks_ago(6), participants="moeder", recorded_by=cast.coach)
    before_after = child_summary(cast.child_a, 12).before_after
    assert before_after is not None and not before_after.too_soon
    assert before_after.weeks == 6
    assert before_after.before_end < before_after.conversation_date < before_after.since_start
    assert before_after.since_end >= today()
    comfort = next(c for c in before_after.pillars if c.pillar.code == "comfort_seeking")
    assert comfort.before.pattern.kind == PatternKind.RECURRING
    assert comfort.since.pattern.kind == PatternKind.TYPICAL
    assert comfort.changed
    # The table names the pole by the pillar's own words, never a bare "te weinig".
    html = client_for(cast.coach).get(summary_url(cast.child_a)).content.decode()
    table = html[html.index('class="before-after"') : html.index("</table>", html.index('class="before-after"'))]
    row = table[table.index("Zoeken van troost") :]
    assert re.search(
        r'terugkerend aandachtspunt</span>\s+<span class="direction">'
        r'<span aria-hidden="true">↓</span> zoekt geen troost</span>',
        row,
    )
    assert not bare_directions(table)


def test_a_conversation_long_ago_compares_the_weeks_next_to_it(cast, settings):
    """More weeks since the conversation than a side may hold: the weeks right before it beside the
    weeks right after it, never weeks after the conversation counted as before."""
    settings.REPORT_WEEKS_MAX = 8
    observers = [cast.staff_a, cast.manager]
    for n in range(15, 21):  # the six weeks before the conversation: too little comfort seeking
        observe(cast.child_a, observers[n % 2], weeks_ago(n), {"comfort_seeking": -2})
    for n in range(4, 14):  # every week after it: typical
        observe(cast.child_a, observers[n % 2], weeks_ago(n, weekday=0), {"comfort_seeking": 0})
    Conversation.objects.create(child=cast.child_a, date=weeks_ago(14), participants="moeder", recorded_by=cast.coach)
    Conversation.objects.create(child=cast.child_a, date=today(), participants="moeder", recorded_by=cast.coach)
    before_after = child_summary(cast.child_a, 12, until=weeks_ago(1)).before_after  # the later one not yet
    assert before_after is not None and before_after.weeks == 8
    assert before_after.before_end < before_after.conversation_date == weeks_ago(14) < before_after.since_start
    assert before_after.since_start - before_after.before_end <= datetime.timedelta(days=8)  # next to it
    comfort = next(c for c in before_after.pillars if c.pillar.code == "comfort_seeking")
    assert comfort.before.pattern.kind == PatternKind.RECURRING
    assert comfort.since.pattern.kind == PatternKind.TYPICAL


def test_a_recent_conversation_is_too_soon_to_compare(cast, client_for):
    Conversation.objects.create(child=cast.child_a, date=weeks_ago(2), participants="vader", recorded_by=cast.coach)
    before_after = child_summary(cast.child_a, 12).before_after
    assert before_after is not None and before_after.too_soon and before_after.weeks == 2
    html = client_for(cast.coach).get(summary_url(cast.child_a)).content.decode()
    assert "te kort geleden om te vergelijken" in html


def test_summary_data_with_a_conversation_has_fixed_queries(cast, django_assert_num_queries):
    observe(cast.child_a, cast.staff_a, weeks_ago(8), {"comfort_seeking": -1})
    Conversation.objects.create(child=cast.child_a, date=weeks_ago(6), participants="moeder", recorded_by=cast.coach)
    with django_assert_num_queries(7):
        summary = child_summary(cast.child_a, 12)
    assert summary.before_after is not None and len(summary.before_after.pillars) == 8
