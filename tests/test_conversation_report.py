"""The report for parents of a recorded conversation (issue 21): "Verslag van ons gesprek over Sem".

What was agreed (what, who, by when, when we look back together), the parents' own words only when
they agreed, the next conversation; caution and "page x of y" on every page; in the parents' language
(the child's, or ?taal= for this print); laid out mirrored in a right-to-left language. Read by those
who read the whole conversation; the group's staff, who read only the group's agreements, get 404.
The PDFs and their page images are written to test-output/ to look at.
"""

import datetime
import io
import re
import shutil
import subprocess
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from access_log.models import AccessLog
from conversations.models import Agreement, Conversation
from conversations.services import AgreementInput, conversation_create
from observations.pillars import PILLAR_BY_CODE
from reports.conversation_report import conversation_report, conversation_report_html
from reports.handout import parent_handout, parent_handout_html
from reports.pdf import html_to_pdf
from reports.summary import child_summary
from staff.models import Role
from tests import factories as f
from tests.browser.conftest import OUTPUT_DIR

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = datetime.datetime(2026, 11, 16, 12, 0, tzinfo=AMSTERDAM)
CONVERSATION_DAY = datetime.date(2026, 11, 12)
ROOT = Path(__file__).resolve().parents[1]

PARENTS_WORDS = "Sinds de verhuizing slaapt Sem onrustig en wil hij 's ochtends niet los van papa."
FIRST = "Bij het brengen neemt Anna Sem over van papa, met zijn knuffel erbij."
SECOND = "Papa en mama schrijven in het schriftje hoe Sem die nacht sliep."
CAUTION_NL = "Wat we samen hebben afgesproken. Geen diagnose."
CAUTION_EN = "What we agreed together. Not a diagnosis."
# What parents never read in the report: staff words, pillar codes and names, focus weeks, counts.
NEVER = re.compile(
    r"meldcode|pijler|comfort_seeking|reunion|weken|weeks|aandachtspunt|waarneming|medewerkers van de groep|"
    r"teruggekeken|oudergesprek|" + "|".join(re.escape(str(p.name)) for p in PILLAR_BY_CODE.values()),
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(TODAY, tick=False):
        yield


def pages_text(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def keep(stem: str, data: bytes) -> Path:
    """The PDF and its page images (pdftoppm, 60 dpi) in test-output/, to look at."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUTPUT_DIR / f"{stem}.pdf"
    path.write_bytes(data)
    for old in OUTPUT_DIR.glob(f"{stem}-*.png"):
        old.unlink()
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(OUTPUT_DIR / stem)], check=True)
    return path


def make_conversation(
    cast, *, agreed: bool = True, agreements: list[AgreementInput] | None = None, next_date=datetime.date(2027, 2, 11)
) -> Conversation:
    if agreements is None:
        agreements = [
            AgreementInput(
                text=FIRST,
                who="Anna (mentor)",
                follow_up=datetime.date(2026, 12, 10),
                for_group=True,
                focus_pillars=("comfort_seeking", "reunion"),
                focus_weeks=6,
            ),
            AgreementInput(
                text=SECOND,
                who="papa en mama",
                due_by=datetime.date(2026, 11, 23),
                follow_up=datetime.date(2026, 12, 10),
            ),
        ]
    conversation, _created = conversation_create(
        child=cast.child_a,
        recorder=cast.coach,
        date=CONVERSATION_DAY,
        participants="mama, papa, Anna (mentor), Coen",
        parents_context=PARENTS_WORDS,
        parents_words_in_report=agreed,
        next_date=next_date,
        agreements=agreements,
    )
    return conversation


def report_url(conversation: Conversation, language: str | None = None) -> str:
    url = reverse("conversation_report_pdf", args=[conversation.pk])
    return f"{url}?taal={language}" if language is not None else url


def get_pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_report_of_a_conversation_with_two_agreements(cast, client_for):
    conversation = make_conversation(cast)
    response = client_for(cast.coach).get(report_url(conversation))
    assert response.status_code == 200
    assert 'filename="verslag-Sem-2026-11-12.pdf"' in response["Content-Disposition"]
    data = b"".join(response.streaming_content) if response.streaming else response.content
    keep("report-nl", data)
    pages = pages_text(data)
    text = " ".join(pages)
    assert "Verslag van ons gesprek over Sem" in text
    assert "Datum van het gesprek: 12 november 2026" in text
    assert "Wie waren erbij: mama, papa, Anna (mentor), Coen" in text
    assert "Wat we hebben afgesproken" in text
    assert FIRST in text and SECOND in text and text.index(FIRST) < text.index(SECOND)
    assert "Wie doet het: Anna (mentor)" in text and "Wie doet het: papa en mama" in text
    assert text.count("Klaar op:") == 1 and "Klaar op: 23 november 2026" in text  # only the second has one
    assert text.count("Wanneer we er samen op terugkijken: 10 december 2026") == 2
    assert "Wat jullie ons vertelden" in text and PARENTS_WORDS in text
    assert "We praten weer verder op 11 februari 2027." in text
    assert "Gemaakt op 16 november 2026." in text
    for number, page in enumerate(pages, start=1):
        assert CAUTION_NL in page and f"pagina {number} van {len(pages)}" in page
    assert not NEVER.search(text), NEVER.search(text)


def test_the_parents_words_only_when_they_agreed(cast, client_for):
    conversation = make_conversation(cast, agreed=False)
    text = " ".join(pages_text(get_pdf(client_for(cast.coach), report_url(conversation))))
    assert PARENTS_WORDS not in text and "Wat jullie ons vertelden" not in text
    assert FIRST in text and SECOND in text


def test_caution_and_page_numbers_on_every_page_of_a_long_report(cast, client_for):
    long = [
        AgreementInput(
            text=f"Afspraak nummer {n}: " + "we letten samen op hoe het gaat bij het brengen en het halen. " * 12,
            who="mentor",
            follow_up=datetime.date(2026, 12, 10),
        )
        for n in range(1, 11)
    ]
    conversation = make_conversation(cast, agreements=long)
    data = get_pdf(client_for(cast.coach), report_url(conversation))
    keep("report-long", data)
    pages = pages_text(data)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert CAUTION_NL in page and f"pagina {number} van {len(pages)}" in page and "Sem Testmans" in page


def test_a_conversation_without_agreements_or_next_date_still_gives_a_report(cast, client_for):
    conversation = make_conversation(cast, agreements=[], next_date=None)
    text = " ".join(pages_text(get_pdf(client_for(cast.coach), report_url(conversation))))
    assert "Verslag van ons gesprek over Sem" in text
    assert "Deze keer hebben we geen afspraken opgeschreven." in text
    assert "We hebben nog geen datum voor het volgende gesprek." in text


def test_in_english_with_taal_and_with_the_parents_language(cast, client_for):
    conversation = make_conversation(cast)
    client = client_for(cast.coach)
    data = get_pdf(client, report_url(conversation, "en"))
    keep("report-en", data)
    pages = pages_text(data)
    english = " ".join(pages)
    assert "Report of our conversation about Sem" in english
    assert "Date of the conversation: 12 November 2026" in english
    assert "What we agreed" in english and "Done by: 23 November 2026" in english
    assert "When we look back on it together: 10 December 2026" in english
    assert "What you told us" in english and PARENTS_WORDS in english  # their own words stay theirs
    assert "We will talk again on 11 February 2027." in english
    assert all(CAUTION_EN in page and f"page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert "Verslag" not in english and "november" not in english

    cast.child_a.parents_language = "en"
    cast.child_a.save()
    assert "Report of our conversation about Sem" in " ".join(pages_text(get_pdf(client, report_url(conversation))))
    dutch = " ".join(pages_text(get_pdf(client, report_url(conversation, "nl"))))  # this print in Dutch
    assert "Verslag van ons gesprek over Sem" in dutch
    # The page around it stays in the user's language.
    assert "Verslag voor ouders" in client.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()


def test_the_handout_in_the_parents_language(cast, client_for):
    client = client_for(cast.coach)
    url = reverse("child_parent_handout_pdf", args=[cast.child_a.pk])
    assert "Kennismaken met Sem" in " ".join(pages_text(get_pdf(client, f"{url}?weken=12")))
    assert "Getting to know Sem" in " ".join(pages_text(get_pdf(client, f"{url}?weken=12&taal=en")))
    cast.child_a.parents_language = "en"
    cast.child_a.save()
    english = " ".join(pages_text(get_pdf(client, f"{url}?weken=12")))
    assert "Getting to know Sem" in english and "Made on: 16 November 2026" in english
    assert "Kennismaken met Sem" in " ".join(pages_text(get_pdf(client, f"{url}?weken=12&taal=nl")))


@pytest.mark.parametrize("name", ["conversation_report_pdf", "child_parent_handout_pdf"])
@pytest.mark.parametrize("bad", ["fr", "EN", "nederlands", "ar"])
def test_a_bad_language_gets_400_with_a_dutch_message_and_no_log(cast, client_for, name, bad):
    conversation = make_conversation(cast)
    pk = conversation.pk if name == "conversation_report_pdf" else cast.child_a.pk
    AccessLog.objects.all().delete()
    response = client_for(cast.coach).get(f"{reverse(name, args=[pk])}?taal={bad}")
    assert response.status_code == 400
    assert response.content.decode() == "De taal moet een van deze zijn: nl, en."
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


def test_who_may_print_the_report(cast, client_for, client):
    conversation = make_conversation(cast)
    url = report_url(conversation)
    colleague = f.make_user("collega@example.test", first_name="Cor")  # group A's staff, not the mentor
    f.add_membership(colleague, Role.STAFF, group=cast.group_a)
    expected = {
        cast.coach: 200,
        cast.manager: 200,
        cast.staff_a: 200,  # Sem's mentor
        colleague: 404,  # reads only the group's agreements, never the parents' words
        cast.staff_b: 404,  # another group
        cast.admin: 404,
        cast.other_admin: 404,
    }
    for user, status in expected.items():
        response = client_for(user).get(url)
        assert response.status_code == status, user
        if status == 404:
            assert "Pagina niet gevonden" in response.content.decode()
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    missing = client_for(cast.coach).get(reverse("conversation_report_pdf", args=[conversation.pk + 1000]))
    assert missing.status_code == 404 and "Pagina niet gevonden" in missing.content.decode()
    assert client_for(cast.coach).post(url).status_code == 405


def test_the_access_log_records_the_report_as_an_export(cast, client_for):
    conversation = make_conversation(cast)
    AccessLog.objects.all().delete()
    get_pdf(client_for(cast.manager), report_url(conversation, "en"))
    row = AccessLog.objects.get()
    assert (row.user, row.child, row.action) == (cast.manager, cast.child_a, AccessLog.Action.EXPORT)
    assert row.path == report_url(conversation, "en")


def test_the_conversation_page_offers_the_report_in_the_parents_language(cast, client_for):
    conversation = make_conversation(cast, agreed=False)
    cast.child_a.parents_language = "en"
    cast.child_a.save()
    html = client_for(cast.staff_a).get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert f'action="{reverse("conversation_report_pdf", args=[conversation.pk])}"' in html
    assert "Verslag voor ouders (PDF)" in html
    assert '<option value="en" selected>English</option>' in html and '<option value="nl">Nederlands</option>' in html
    assert "Hun woorden in het verslag" in html and "zij gaven daar geen toestemming voor" in html


def test_the_team_pdf_has_no_signature_lines(cast, client_for):
    data = get_pdf(client_for(cast.coach), reverse("child_summary_pdf", args=[cast.child_a.pk]) + "?weken=12")
    text = " ".join(pages_text(data))
    assert "Sem Testmans" in text  # the PDF itself is there
    assert "Ouder(s)" not in text and "Namens de kinderopvang" not in text
    template = (ROOT / "reports/templates/reports/summary_pdf.html").read_text()
    assert "signature" not in template


# --- the conversation form: the consent and "klaar op" --------------------------------------------------
def form_data(**overrides):
    data = {
        "submission_key": str(uuid.uuid4()),
        "date": CONVERSATION_DAY.isoformat(),
        "participants": "moeder, mentor",
        "parents_context": PARENTS_WORDS,
        "parents_words_in_report": "on",
        "next_date": "2027-02-11",
        "afspraak-TOTAL_FORMS": "3",
        "afspraak-INITIAL_FORMS": "0",
        "afspraak-MIN_NUM_FORMS": "0",
        "afspraak-MAX_NUM_FORMS": "10",
        "afspraak-0-text": FIRST,
        "afspraak-0-who": "mentor",
        "afspraak-0-due_by": "2026-11-19",
        "afspraak-0-follow_up": "2026-12-10",
        "afspraak-1-text": SECOND,
        "afspraak-1-who": "ouders",
        "afspraak-1-follow_up": "2026-12-10",
    }
    data.update(overrides)
    return data


def test_the_form_saves_the_consent_and_the_date_it_is_done_by(cast, client_for):
    client = client_for(cast.coach)
    form = client.get(reverse("conversation_new", args=[cast.child_a.pk])).content.decode()
    assert "De ouders vinden het goed dat hun woorden in het verslag staan" in form and "Klaar op" in form
    response = client.post(reverse("conversation_new", args=[cast.child_a.pk]), form_data())
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert conversation.parents_words_in_report
    first, second = conversation.agreements.order_by("pk")
    assert first.due_by == datetime.date(2026, 11, 19) and second.due_by is None
    detail = client.get(reverse("conversation_detail", args=[conversation.pk])).content.decode()
    assert "Klaar op: 19 november 2026" in detail and "Ja, de ouders vinden het goed" in detail
    edit = client.get(reverse("conversation_edit", args=[conversation.pk])).content.decode()
    assert re.search(r'name="parents_words_in_report"[^>]*checked', edit)
    assert 'name="afspraak-0-due_by" value="2026-11-19"' in edit


def test_the_consent_is_off_unless_ticked(cast, client_for):
    data = form_data()
    del data["parents_words_in_report"]
    client_for(cast.coach).post(reverse("conversation_new", args=[cast.child_a.pk]), data)
    assert not Conversation.objects.get().parents_words_in_report


def test_done_by_before_the_conversation_is_refused_with_a_dutch_message(cast, client_for):
    response = client_for(cast.coach).post(
        reverse("conversation_new", args=[cast.child_a.pk]), form_data(**{"afspraak-1-due_by": "2026-11-11"})
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Er is niets opgeslagen" in html
    assert "Afspraak 2: de datum waarop het klaar is, kan niet vóór het gesprek liggen." in html
    assert not Conversation.objects.exists() and not Agreement.objects.exists()


def test_done_by_on_the_day_of_the_conversation_is_fine(cast, client_for):
    client_for(cast.coach).post(
        reverse("conversation_new", args=[cast.child_a.pk]), form_data(**{"afspraak-1-due_by": "2026-11-12"})
    )
    assert Agreement.objects.filter(due_by=CONVERSATION_DAY).count() == 1


# --- right to left ------------------------------------------------------------------------------------
PHYSICAL = re.compile(r"(margin|padding|border)-(left|right)|text-align:\s*(left|right)|float:\s*(left|right)")


def _style(template: str) -> str:
    text = (ROOT / "reports/templates/reports" / template).read_text()
    return text[text.index("<style>") : text.index("</style>")] if "<style>" in text else text


def test_the_parent_documents_share_one_style_with_logical_properties_only():
    for template in ("parent_report_pdf.html", "parent_handout_pdf.html"):
        style = _style(template)
        assert '{% include "reports/_parent_style.html"' in style
        assert not PHYSICAL.search(style), (template, PHYSICAL.search(style))
    assert not PHYSICAL.search(_style("_parent_style.html"))


def test_the_parent_documents_in_a_right_to_left_language(cast):
    """Arabic has no catalogue here (the words fall back to Dutch); Django counts it right to left
    (LANGUAGE_BIDI), so both documents say dir="rtl" and the PDF lays out mirrored: test-output/report-rtl-*.png
    and handout-rtl-*.png show the headings, the bordered notes and the page frame on the other side."""
    conversation = make_conversation(cast)
    with translation.override("nl"):
        assert 'dir="ltr"' in conversation_report_html(conversation_report(conversation), made_on=TODAY.date())
    with translation.override("ar"):
        assert translation.get_language_bidi()
        report_html = conversation_report_html(conversation_report(conversation), made_on=TODAY.date())
        handout_html = parent_handout_html(parent_handout(child_summary(cast.child_a, 12)), made_on=TODAY.date())
    for html in (report_html, handout_html):
        assert '<html lang="ar" dir="rtl">' in html
        assert "@top-left" in html and "@bottom-right" in html and "@top-right" not in html  # the frame mirrored
    report_pdf = html_to_pdf(report_html)
    keep("report-rtl", report_pdf)
    assert FIRST.rstrip(".") in " ".join(pages_text(report_pdf))  # the full stop goes to the start of an RTL line
    handout_pdf = html_to_pdf(handout_html)
    keep("handout-rtl", handout_pdf)
    pages = pages_text(handout_pdf)
    assert "Sem" in " ".join(pages)
    for number, page in enumerate(pages, start=1):  # the real caution and page numbers, on the mirrored frame
        assert "Wat wij in de opvang zagen, geen diagnose" in page and f"pagina {number} van {len(pages)}" in page


def test_the_summary_page_offers_the_handout_in_the_other_language(cast, client_for):
    handout = reverse("child_parent_handout_pdf", args=[cast.child_a.pk])
    client = client_for(cast.coach)
    html = client.get(reverse("child_summary", args=[cast.child_a.pk]) + "?weken=12").content.decode()
    assert f'href="{handout}?weken=12"' in html  # the parents' own language
    assert f'href="{handout}?weken=12&amp;taal=en">Handout voor de ouders, English (PDF)</a>' in html
    cast.child_a.parents_language = "en"
    cast.child_a.save()
    html = client.get(reverse("child_summary", args=[cast.child_a.pk]) + "?weken=12").content.decode()
    assert f'href="{handout}?weken=12&amp;taal=nl">Handout voor de ouders, Nederlands (PDF)</a>' in html
    assert "taal=en" not in html


def test_no_report_before_the_conversation_is_recorded(cast, client_for):
    """Bad input: the conversation form refused (a Dutch message, nothing saved) leaves no conversation
    to report on; its report is a Dutch 'page not found', with nothing logged or kept."""
    from organisations.downloads import exports_storage

    client = client_for(cast.coach)
    form = client.get(reverse("conversation_new", args=[cast.child_a.pk])).content.decode()
    assert "Verslag voor ouders" not in form  # the report comes with a recorded conversation only
    refused = client.post(reverse("conversation_new", args=[cast.child_a.pk]), form_data(participants=""))
    assert refused.status_code == 200 and "Er is niets opgeslagen" in refused.content.decode()
    assert not Conversation.objects.exists()
    AccessLog.objects.all().delete()
    for pk in (1, 10**6):
        response = client.get(reverse("conversation_report_pdf", args=[pk]))
        assert response.status_code == 404
        assert "Pagina niet gevonden" in response.content.decode()
    assert not AccessLog.objects.exists()
    assert not exports_storage().exists(f"pdf-cache/{cast.child_a.pk}")
    # Recorded, the report is there.
    conversation = make_conversation(cast)
    assert client.get(report_url(conversation)).status_code == 200
