"""The parent handout (issues 11 and 21): plain words for parents from the same computation as the team summary.

The demo children cover the cases: Daan Mulder (a recurring "too little" on seeking comfort, only the
first name), Sem de Vries (the same pattern, "he", a baby with a baby's notes), Sophie Bos (reunion "too
much" only after sleeping badly, "she"), Emma (typical, "she", a baby) and Finn Vos (too few
observations: the one-page getting-to-know handout). The cast's children, under a fixed clock, show
the three forms of address in Dutch and English. The handouts and their page images are written to
test-output/ to look at.
"""

import datetime
import io
import re
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from access_log.models import AccessLog
from children.models import Child
from children.names import split_surname
from demo.observations import ATYPICAL_NOTES, BABY_MONTHS, TYPICAL_NOTES
from observations.models import PillarRating
from observations.pillars import PARENT_WORDS
from organisations.calendar import today
from reports.handout import ParentHandout, months_phrase, parent_handout, period_phrase, render_parent_handout_pdf
from reports.pdf import render_child_summary_pdf
from reports.summary import child_summary
from staff.models import User
from tests.browser.conftest import OUTPUT_DIR
from tests.report_data import observe, weeks_ago
from tests.test_report_summary import EXPECTED, FORBIDDEN

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

DUTCH_MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip
CAUTION = "Wat wij in de opvang zagen, geen diagnose."
# What parents never read: counts, badges, labels of the rules, week numbers, instruments, staff instructions.
NEVER = re.compile(
    r"LSVG|meldcode|aandachtsfunctionaris|terugkerend aandachtspunt|passend beeld|wisselend|"
    r"te weinig waarnemingen|drempel|procent|\bweek \d+|\d+\s*(passend|te weinig|te veel|beoordeling|"
    r"waarneming|keer|van de|medewerkers?\b)|richting|pedagogisch coach|bespreek|screening|gevalideerd|!|"
    r"\bte weinig\b(?! gezien)|\bte veel\b|houdt afstand|te dichtbij",  # a bare pole or a side of the scale
    re.IGNORECASE,
)


def pages_text(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def handout_url(child: Child, weeks: object = 12) -> str:
    return f"{reverse('child_parent_handout_pdf', args=[child.pk])}?weken={weeks}"


def save_with_page_images(data: bytes, stem: str) -> Path:
    """The PDF and its pages as PNG images (pdftoppm, 70 dpi) in test-output/, to look at."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUTPUT_DIR / f"{stem}.pdf"
    path.write_bytes(data)
    for old in OUTPUT_DIR.glob(f"{stem}-*.png"):
        old.unlink()
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", str(path), str(OUTPUT_DIR / stem)], check=True)
    return path


def demo_child(first_name: str, surname: str) -> Child:
    """A demo child by first name and surname as it reads ("de Vries": tussenvoegsel "de", last name "Vries")."""
    tussenvoegsel, last_name = split_surname(surname)
    return Child.objects.get(first_name=first_name, tussenvoegsel=tussenvoegsel, last_name=last_name)


def atypical_months(child: Child, pillar: str, weeks: int = 12) -> list[datetime.date]:
    """The first days of the months in which the pillar's atypical ratings of the window fell: the
    same dates the demo stored, read back from the database."""
    summary = child_summary(child, weeks)
    dates = PillarRating.objects.filter(
        observation__child=child,
        pillar=pillar,
        observation__date__gte=summary.period_start,
        observation__removed_at__isnull=True,
    ).exclude(value=0)
    return sorted({d.replace(day=1) for d in dates.values_list("observation__date", flat=True)})


def dutch_months(months: list[datetime.date]) -> str:
    """How a parent reads those months at the start of a sentence, written out here independently of
    the handout's code: up to three months listed ("In september en oktober"), more as a range ("Van
    september tot en met december", with the years when it crosses a new year)."""
    names = [DUTCH_MONTHS[m.month - 1] for m in months]
    if len(names) <= 3:
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
        return f"In {listed}"
    if months[0].year != months[-1].year:
        names[0] += f" {months[0].year}"
        names[-1] += f" {months[-1].year}"
    return f"Van {names[0]} tot en met {names[-1]}"


def assert_parent_document(pages: list[str], who: str) -> str:
    text = " ".join(pages)
    assert not NEVER.findall(text), (who, NEVER.findall(text))
    assert not FORBIDDEN.findall(text), who
    for number, page in enumerate(pages, start=1):
        assert CAUTION in page, (who, number)
        assert f"pagina {number} van {len(pages)}" in page, (who, number)
    assert "Goed om te weten" in pages[0]
    assert "geen diagnose en geen oordeel" in pages[0]
    assert "hangt af van de omstandigheden" in pages[0]
    assert "Om samen over te praten" in text
    assert "Wat we afspreken" in text and "We praten weer verder op" in text
    return text


def seeded_demo(client):
    call_command("seed_demo", force=True, stdout=io.StringIO())
    client.force_login(User.objects.get(email="coach@example.org"))
    return client


@pytest.fixture
def demo(client):
    return seeded_demo(client)


# The demo is made relative to the day it is seeded: the handouts are read on days whose windows cross
# a year end (week 53 of 2026, the Monday after), the start of a month and a leap day.
DEMO_DAYS = {
    "2026-12-06": datetime.datetime(2026, 12, 6, 10, 0, tzinfo=AMSTERDAM),
    "2027-01-04": datetime.datetime(2027, 1, 4, 9, 0, tzinfo=AMSTERDAM),
    "2027-03-01": datetime.datetime(2027, 3, 1, 8, 30, tzinfo=AMSTERDAM),
    "2028-02-29": datetime.datetime(2028, 2, 29, 14, 0, tzinfo=AMSTERDAM),
}


@pytest.fixture(params=list(DEMO_DAYS.values()), ids=list(DEMO_DAYS))
def demo_on_day(request, client):
    with time_machine.travel(request.param, tick=False):
        yield seeded_demo(client)


def sentences_of(text: str) -> list[str]:
    """The sentences of a text (a quote inside a sentence stays with it)."""
    return [s for s in re.split(r"(?<=[.?!])\s+(?=[A-Z“])", text) if s]


def handout_texts(handout: ParentHandout) -> list[str]:
    """Every text of the handout that the code wrote (not the staff notes)."""
    texts = [*handout.intro, handout.to_watch, handout.not_enough, *handout.questions]
    for section in handout.good + handout.noticed:
        texts += section.sentences
    return [t for t in texts if t]


def assert_reads_well(handout: ParentHandout, child: Child, text: str) -> None:
    """What every handout does: the name once a sentence, one place a pillar, no case-building, quotes
    that end as sentences, dated by month, distinct, a few a section, and on the right side."""
    name = re.compile(rf"\b{re.escape(child.first_name)}\b")
    for written in handout_texts(handout):
        for sentence in sentences_of(written):
            assert len(name.findall(sentence)) <= 1, sentence
    assert not {s.pillar for s in handout.good} & {s.pillar for s in handout.noticed}
    for section in handout.noticed:
        assert text.count(section.heading) == 1, section.heading
    assert "Verschillende collega" not in text and "niet elke week" not in text and "in verschillende weken" not in text
    quotes = [q for s in handout.good + handout.noticed for q in s.quotes]
    ratings = {
        f"r{r.pk}": r for r in PillarRating.objects.filter(observation__child=child).select_related("observation")
    }
    assert len({q.key for q in quotes}) == len(quotes)
    assert len({q.text.casefold() for q in quotes}) == len(quotes)
    assert len({ratings[q.key].observation_id for q in quotes}) == len(quotes)  # different moments
    for quote in quotes:
        assert quote.text[0].isupper() and quote.text[-1] in ".!?", quote
        assert quote.when in DUTCH_MONTHS, quote  # the month only, never the recorded moment
        assert f"“{quote.text}” ({quote.when})" in text
    for section in handout.good:
        assert len(section.quotes) <= 2
        assert all(ratings[q.key].value == 0 for q in section.quotes + section.alternatives), section.heading
    for section in handout.noticed:
        assert len(section.quotes) <= 2
        assert all(ratings[q.key].value != 0 for q in section.quotes + section.alternatives), section.heading
        for sentence in section.sentences:  # a note of a moment that went well only as the other side
            if "“" in sentence:
                assert sentence.startswith("Op andere momenten"), sentence


def test_the_handouts_of_the_demo_children(demo_on_day):
    demo = demo_on_day
    documents = {}
    for first, last in (
        ("Daan", "Mulder"),
        ("Sophie", "Bos"),
        ("Sem", "de Vries"),
        ("Emma", "Jansen"),
        ("Finn", "Vos"),
    ):
        child = demo_child(first, last) if first != "Emma" else Child.objects.get(first_name=first)
        response = demo.get(handout_url(child))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="oudergesprek-{first}-{today():%Y-%m-%d}.pdf"'
        assert response["Cache-Control"] == "no-store"
        save_with_page_images(response.content, f"handout-{first.lower()}")
        pages = pages_text(response.content)
        text = assert_parent_document(pages, first)
        with translation.override("nl"):
            handout = parent_handout(child_summary(child, 12))
        assert_reads_well(handout, child, text)
        documents[first] = (child, handout, pages, text)

    # Daan (only the first name): first what goes well, then one paragraph on seeking comfort with the
    # months, the moments that did go well as its other side, and examples that are not repeated.
    daan, handout, pages, text = documents["Daan"]
    assert daan.form_of_address == "name"
    assert "In gesprek over Daan" in pages[0]
    assert text.index("Wat goed gaat") < text.index("Wat ons opviel") < text.index("Om samen over te praten")
    good = text[text.index("Wat goed gaat") : text.index("Wat ons opviel")]
    shown = [note for note in TYPICAL_NOTES.values() if note in good]
    assert len(shown) >= 4
    assert all(good.count(note) == 1 for note in shown)
    assert "Troost zoeken" not in good
    months = atypical_months(daan, "comfort_seeking")
    assert len(months) >= 2
    assert f"{dutch_months(months)} zocht Daan bij pijn of verdriet vaak geen troost bij ons." in text
    assert "Op andere momenten ging Daan wel naar een vertrouwde pedagogisch medewerker voor troost, zoals in " in text
    noticed = text[text.index("Wat ons opviel") :]
    examples = [note for note in ATYPICAL_NOTES["comfort_seeking"] if note in noticed]
    assert 1 <= len(examples) <= 2 and all(noticed.count(note) == 1 for note in examples)
    assert "Daan deed meestal mee met wat we vroegen, met af en toe een protest." in text
    assert "Naar wie gaat Daan thuis bij pijn of verdriet?" in text
    # Daan's reunion was never rated in the window: said in one sentence, no block of zeros.
    assert "We hebben nog te weinig gezien om iets te zeggen over het weerzien na een afscheid." in text
    assert (
        "Hoe een kind zich gedraagt, hangt af van de omstandigheden, zoals een slechte nacht, een koortsje, "
        "een drukke dag in de groep of een verandering thuis." in pages[0]
    )

    # Sophie ("she"): "sometimes", with the circumstance that played a part, the pronoun after her name.
    sophie, handout, pages, text = documents["Sophie"]
    months = atypical_months(sophie, "reunion")
    assert (
        f"{dutch_months(months)} werd Sophie bij het weerzien soms heel boos of verdrietig, en was zij moeilijk "
        "te troosten, vooral na een slechte nacht." in text
    )
    assert "Op andere momenten maakte zij na een afscheid wel weer blij contact" in text
    assert "Sophie deed meestal mee met wat we vroegen, ook al protesteerde zij weleens." in text
    assert "vaak" not in text
    assert "Hoe slaapt Sophie thuis" in text

    # Sem ("he", a baby): the same pattern as Daan, in his words, with notes of a baby.
    sem, handout, pages, text = documents["Sem"]
    assert sem.age_in_months() < BABY_MONTHS
    assert "zocht Sem bij pijn of verdriet vaak geen troost bij ons. Op andere momenten ging hij wel naar" in text
    assert "Sem deed meestal mee met wat we vroegen, ook al protesteerde hij weleens." in text
    assert not re.search(r"puzzel|zandbak|rennen", text, re.IGNORECASE)

    # Finn: too little seen: one page to get to know him, without an apology box or all eight topics.
    finn, handout, pages, text = documents["Finn"]
    assert handout.getting_to_know and len(pages) == 1
    assert "Kennismaken met Finn" in pages[0] and "In gesprek over" not in text
    assert "nog te weinig gezien om iets te zeggen" not in text and "Over Finn hebben we" not in text
    assert "Wat we tot nu toe zagen" in text and "Wat ons opviel" not in text
    assert "De komende weken letten we vooral op het zoeken van troost bij pijn of verdriet" in text
    topics = [str(words.topic) for words in PARENT_WORDS.values()]
    with translation.override("nl"):
        topics = [str(words.topic) for words in PARENT_WORDS.values()]
    assert 1 <= sum(topic in text for topic in topics) <= 3
    assert sum(str(words.heading) in text for words in PARENT_WORDS.values()) <= 2
    assert "Wat moeten wij weten om goed voor Finn te zorgen?" in text
    assert ATYPICAL_NOTES["exploration"][0] not in text  # one atypical rating says nothing yet


def test_the_demo_notes_fit_the_age_of_the_child(demo):
    """A baby's notes are about crawling, bottles and being carried, never puzzles, the sandpit or running."""
    babies = older = 0
    for child in Child.objects.all():
        notes = " ".join(PillarRating.objects.filter(observation__child=child).values_list("note", flat=True))
        if child.age_in_months() < BABY_MONTHS:
            babies += 1
            assert not re.search(r"puzzel|zandbak|rennen", notes, re.IGNORECASE), child
        elif notes:
            older += 1
    assert babies >= 3 and older >= 3
    assert demo_child("Sem", "de Vries").age_in_months() < BABY_MONTHS


def test_the_handout_is_written_to_the_access_log_like_the_summary_pdf(demo):
    daan = demo_child("Daan", "Mulder")
    demo.get(handout_url(daan, 26))
    row = AccessLog.objects.get(child=daan)
    assert (row.action, row.weeks, row.user.email) == (AccessLog.Action.EXPORT, 26, "coach@example.org")


@pytest.mark.parametrize("role", EXPECTED)
def test_it_checks_access_like_the_summary_pdf(cast, client_for, role):
    client = client_for(getattr(cast, role))
    for child, expected in zip((cast.child_a, cast.child_c), EXPECTED[role], strict=True):
        assert client.get(handout_url(child)).status_code == expected, (role, child)
    assert client.get(handout_url(cast.other_child)).status_code == 404


def test_anonymous_users_are_sent_to_log_in(cast, client):
    response = client.get(handout_url(cast.child_a))
    assert response.status_code == 302 and "/inloggen/" in response["Location"]
    assert client.post(handout_url(cast.child_a)).status_code == 405


@pytest.mark.parametrize("raw", ["abc", "2", "60"])
def test_bad_weeks_get_a_400_with_a_dutch_message(cast, client_for, raw):
    response = client_for(cast.coach).get(handout_url(cast.child_a, raw))
    assert response.status_code == 400
    assert "Het aantal weken moet een heel getal van 4 tot en met 52 zijn" in response.content.decode()
    assert not AccessLog.objects.exists()


def test_moments_that_go_well_are_varied_and_never_repeated(cast):
    observers = [cast.staff_a, cast.manager]
    same = "Zwaaide blij naar papa."
    for n in range(1, 7):
        observe(
            cast.child_a,
            observers[n % 2],
            weeks_ago(n),
            dict.fromkeys(PARENT_WORDS, 0),
            notes=dict.fromkeys(PARENT_WORDS, "") | {"reunion": same, "positive_affect": f"Lachte naar Anna ({n})"},
        )
    with translation.override("nl"):
        handout = parent_handout(child_summary(cast.child_a, 12))
    moments = {g.heading: [q.text for q in g.quotes] for g in handout.good}
    assert moments["Afscheid en weerzien"] == [same]  # six times the same sentence: shown once
    assert len(moments["Warmte en genegenheid"]) == 2  # at most two a pillar, the newest first
    # written without a full stop, printed as a sentence; the second from another moment than papa's
    assert moments["Warmte en genegenheid"] == ["Lachte naar Anna (1).", "Lachte naar Anna (3)."]
    assert "Om hulp vragen" in moments  # typical pattern: its words, without a note
    assert all(len(texts) <= 2 for texts in moments.values())


def test_the_handout_escapes_notes_and_fetches_nothing(cast):
    observe(
        cast.child_a, cast.staff_a, weeks_ago(1), {"reunion": 0}, notes={"reunion": '<img src="http://x.invalid/a">'}
    )
    with translation.override("nl"):
        data = render_parent_handout_pdf(parent_handout(child_summary(cast.child_a, 12)), made_on=today()).data
    assert 'img src="http://x.invalid/a"' in " ".join(pages_text(data))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_attachment_style_or_disorder_in_either_language(cast, language):
    observe(cast.child_a, cast.staff_a, weeks_ago(1), {"comfort_seeking": -2})
    with translation.override(language):
        data = render_parent_handout_pdf(parent_handout(child_summary(cast.child_a, 12)), made_on=today()).data
    assert not FORBIDDEN.findall(" ".join(pages_text(data)))


def test_dates_are_months():
    d = datetime.date
    with translation.override("nl"):
        assert months_phrase([d(2026, 10, 3), d(2026, 11, 20), d(2026, 10, 9)]) == "in oktober en november"
        assert months_phrase([d(2026, 9, 1)]) == "in september"
        assert months_phrase([d(2026, m, 1) for m in (6, 7, 9, 11)]) == "van juni tot en met november"
        assert months_phrase([d(2025, 11, 1), d(2026, 1, 1), d(2026, 2, 1), d(2026, 3, 1)]) == (
            "van november 2025 tot en met maart 2026"
        )
        assert period_phrase(d(2026, 9, 7), d(2026, 11, 29)) == "september tot en met november 2026"
        assert period_phrase(d(2025, 12, 1), d(2026, 2, 22)) == "december 2025 tot en met februari 2026"


def test_a_pillar_without_parent_words_is_described_with_its_own_descriptions():
    from observations.pillars import Direction, Pillar, parent_words
    from reports.handout import Address, _clause

    ninth = Pillar(
        "peer_play",
        "Spelen met andere kinderen",
        "Speelt met andere kinderen.",
        "Speelt nooit mee.",
        None,
        low_name="speelt nooit mee",
    )
    words = parent_words(ninth)
    assert words.heading == "Spelen met andere kinderen" and words.high is None
    with translation.override("nl"):
        sem = Address({"name": "Sem", "he": "hij", "him": "hem", "his": "zijn"}, pronouns=True)
        assert _clause(ninth, Direction.LOW, "soms", sem) == "liet Sem soms dit zien: Speelt nooit mee."


def test_the_handout_goes_to_json_safe_data_and_back(demo):
    import json

    from reports.handout import handout_from_data, handout_to_data

    with translation.override("nl"):
        handout = parent_handout(child_summary(demo_child("Daan", "Mulder"), 12))
    data = json.loads(json.dumps(handout_to_data(handout)))
    assert handout_from_data(data) == handout
    assert handout.good and handout.noticed
    quote = handout.noticed[0].quotes[0]
    assert re.fullmatch(r"r\d+", quote.key)
    assert PillarRating.objects.get(pk=quote.key[1:]).observation.child == demo_child("Daan", "Mulder")


# The cast's children, observed with a fixed clock: the form of address decides the words after the name.
FROZEN = datetime.datetime(2026, 12, 4, 11, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def frozen():
    with time_machine.travel(FROZEN, tick=False):
        yield


def give_comfort_and_reunion(child, observers) -> None:
    """Seeking comfort: too little in four of six weeks (with notes), went well in the other two (with
    notes); reunion, on another day of the week: too much in three weeks, each after a bad night or on
    a busy day; the rest typical."""
    typical = dict.fromkeys(PARENT_WORDS, 0)
    for n in range(1, 7):
        comfort = 0 if n in (2, 5) else -2
        note = (
            f"Liep na het vallen meteen naar Anna ({n})" if comfort == 0 else f"Bleef na het vallen alleen zitten ({n})"
        )
        observe(
            child,
            observers[n % 2],
            weeks_ago(n),
            typical | {"comfort_seeking": comfort},
            notes=dict.fromkeys(PARENT_WORDS, "")
            | {"comfort_seeking": note, "cooperation": f"Ruimde de blokken op ({n})"},
        )
        reunion = 1 if n in (1, 3, 4) else 0
        observe(
            child,
            observers[(n + 1) % 2],
            weeks_ago(n, weekday=3),
            {"reunion": reunion},
            circumstances=(["slept_badly"] if n in (1, 3) else ["busy_group"]) if reunion else [],
            notes={"reunion": ""},
            situation="pick_up",
        )


FORMS = {
    "he": (
        "Op andere momenten ging hij wel naar een vertrouwde pedagogisch medewerker voor troost, zoals in ",
        "Sem deed meestal mee met wat we vroegen, ook al protesteerde hij weleens.",
        ", en was hij moeilijk te troosten, vooral na een slechte nacht of op drukke dagen in de groep.",
    ),
    "she": (
        "Op andere momenten ging zij wel naar een vertrouwde pedagogisch medewerker voor troost, zoals in ",
        "Sem deed meestal mee met wat we vroegen, ook al protesteerde zij weleens.",
        ", en was zij moeilijk te troosten, vooral na een slechte nacht of op drukke dagen in de groep.",
    ),
    "name": (
        "Op andere momenten ging Sem wel naar een vertrouwde pedagogisch medewerker voor troost, zoals in ",
        "Sem deed meestal mee met wat we vroegen, met af en toe een protest.",
        ", en was daarna moeilijk te troosten, vooral na een slechte nacht of op drukke dagen in de groep.",
    ),
}


@pytest.mark.parametrize("form", FORMS)
def test_the_form_of_address_decides_the_words_after_the_name(frozen, cast, form):
    sem = cast.child_a
    Child.objects.filter(pk=sem.pk).update(form_of_address=form)
    sem.refresh_from_db()
    give_comfort_and_reunion(sem, [cast.staff_a, cast.manager])
    with translation.override("nl"):
        handout = parent_handout(child_summary(sem, 12))
        data = render_parent_handout_pdf(handout, made_on=today()).data
    save_with_page_images(data, f"handout-form-{form}")
    pages = pages_text(data)
    text = assert_parent_document(pages, form)
    assert_reads_well(handout, sem, text)
    other_moments, cooperation, reunion = FORMS[form]
    assert "zocht Sem bij pijn of verdriet vaak geen troost bij ons. " + other_moments in text
    assert cooperation in text
    assert "werd Sem bij het weerzien soms heel boos of verdrietig" + reunion in text
    # One paragraph on seeking comfort, under what stood out: its examples the notes of the concern.
    assert [s.pillar for s in handout.noticed] == ["comfort_seeking", "reunion"]
    comfort = handout.noticed[0]
    assert [q.text for q in comfort.quotes] == [
        "Bleef na het vallen alleen zitten (1).",
        "Bleef na het vallen alleen zitten (3).",
    ]
    assert "“Liep na het vallen meteen naar Anna (2).”" in comfort.sentences[1]
    # In print the examples are named as what stood out, after the moments that went well.
    assert (
        "zoals in november: “Liep na het vallen meteen naar Anna (2).” Uit de momenten die ons opvielen: "
        "“Bleef na het vallen alleen zitten (1).” (november)" in text
    )


ENGLISH = {
    "he": ("At other moments he did go to a familiar staff member for comfort", "even if he protested now and then."),
    "she": (
        "At other moments she did go to a familiar staff member for comfort",
        "even if she protested now and then.",
    ),
    "name": ("At other moments Sem did go to a familiar staff member for comfort", "with a protest now and then."),
}


@pytest.mark.parametrize("form", ENGLISH)
def test_the_english_handout_uses_the_form_of_address_too(frozen, cast, form):
    Child.objects.filter(pk=cast.child_a.pk).update(form_of_address=form)
    cast.child_a.refresh_from_db()
    give_comfort_and_reunion(cast.child_a, [cast.staff_a, cast.manager])
    with translation.override("en"):
        handout = parent_handout(child_summary(cast.child_a, 12))
    text = " ".join(handout_texts(handout))
    for expected in ENGLISH[form]:
        assert expected in text
    for written in handout_texts(handout):
        for sentence in sentences_of(written):
            assert sentence.count("Sem") <= 1, sentence


@pytest.mark.parametrize("form", ["he", "name"])
def test_a_child_seen_too_little_gets_a_one_page_getting_to_know_handout(frozen, cast, form):
    tess = cast.child_b
    Child.objects.filter(pk=tess.pk).update(form_of_address=form)
    tess.refresh_from_db()
    observe(tess, cast.staff_a, weeks_ago(2), {"exploration": 0}, notes={"exploration": "speelde lang met de blokken"})
    observe(tess, cast.staff_a, weeks_ago(3), {"reunion": -1}, notes={"reunion": "Keek niet op toen mama kwam."})
    for n, (pillar, note) in enumerate(
        (
            ("positive_affect", "Kwam 's ochtends meteen bij Anna op schoot zitten en lachte naar de andere kinderen."),
            ("cooperation", "Hielp mee met opruimen toen we dat vroegen en zette de bekers op tafel"),
            ("trust_help", "Vroeg om hulp bij de jas"),
        ),
        start=4,
    ):
        observe(tess, cast.staff_a, weeks_ago(n), {pillar: 0}, notes={pillar: note})
    with translation.override("nl"):
        handout = parent_handout(child_summary(tess, 12))
        data = render_parent_handout_pdf(handout, made_on=today()).data
    save_with_page_images(data, f"handout-getting-to-know-{form}")
    pages = pages_text(data)
    text = assert_parent_document(pages, form)
    assert_reads_well(handout, tess, text)
    assert handout.getting_to_know and len(pages) == 1
    assert "Kennismaken met Tess" in text and "We leren Tess nog kennen" in text
    assert "“Speelde lang met de blokken.” (november)" in text
    assert len([q for section in handout.good for q in section.quotes]) == 3  # a few, each another moment
    assert "“Kwam 's ochtends meteen bij Anna op schoot zitten en lachte naar de andere kinderen.” (november)" in text
    assert "Keek niet op toen mama kwam" not in text  # one atypical rating says nothing yet
    assert handout.to_watch == (
        "De komende weken letten we vooral op het zoeken van troost bij pijn of verdriet, het weerzien na een "
        "afscheid en het ontdekken van nieuwe dingen."
    )
    assert "Wat moeten wij weten om goed voor Tess te zorgen?" in text
    assert "nog te weinig gezien" not in text and "Wat ons opviel" not in text


def test_a_getting_to_know_handout_with_long_notes_stays_one_page(frozen, cast):
    long = (
        "Kwam binnen met een knuffel, zwaaide lang naar papa bij het raam, ging daarna bij de leidster op schoot "
        "zitten, keek rond naar de andere kinderen en wees naar de blokken om samen te gaan bouwen"
    )
    for n, pillar in enumerate(("positive_affect", "cooperation", "trust_help"), start=2):
        observe(cast.child_b, cast.staff_a, weeks_ago(n), {pillar: 0}, notes={pillar: f"{long} ({n})"})
    with translation.override("nl"):
        handout = parent_handout(child_summary(cast.child_b, 12))
        data = render_parent_handout_pdf(handout, made_on=today()).data
    assert handout.getting_to_know and len(pages_text(data)) == 1
    assert [q.text for s in handout.good for q in s.quotes] == [f"{long} (2)."]  # the newest; the rest too long
    assert [s.pillar for s in handout.good] == ["positive_affect"]


def test_the_handout_is_printed_in_the_language_of_the_parents(frozen, cast, client_for):
    Child.objects.filter(pk=cast.child_a.pk).update(parents_language="en", form_of_address="she")
    give_comfort_and_reunion(cast.child_a, [cast.staff_a, cast.manager])
    response = client_for(cast.coach).get(handout_url(cast.child_a))
    text = " ".join(pages_text(response.content))
    assert "Talking about Sem" in text and "In gesprek over" not in text
    assert "At other moments she did go to a familiar staff member for comfort" in text
    Child.objects.filter(pk=cast.child_a.pk).update(parents_language="nl")
    text = " ".join(pages_text(client_for(cast.coach).get(handout_url(cast.child_a)).content))
    assert "In gesprek over Sem" in text and "Op andere momenten ging zij wel naar" in text


@pytest.mark.parametrize(
    ("note", "printed"),
    [
        ("huilde hard bij het ophalen, klampte zich vast", "Huilde hard bij het ophalen, klampte zich vast."),
        ("  Zwaaide naar papa.\n", "Zwaaide naar papa."),
        ("Riep: “nog een keer!”", "Riep: “nog een keer!”"),
        ("Wilde niet naar binnen, ", "Wilde niet naar binnen."),
        ("Zat stil (moe)", "Zat stil (moe)."),
    ],
)
def test_a_note_is_printed_as_a_sentence(note, printed):
    from reports.handout import as_sentence

    assert as_sentence(note) == printed


def test_at_a_childminders_home_the_handout_names_the_gastouder(frozen, nest):
    """One person cares for the child there: "ging naar de gastouder voor troost", never the staff."""
    child = nest.child_x
    Child.objects.filter(pk=child.pk).update(form_of_address="she")
    child.refresh_from_db()
    typical = dict.fromkeys(PARENT_WORDS, 0)
    for n in range(1, 7):
        comfort = 0 if n in (2, 5) else -2
        observe(
            child,
            (nest.gastouder_x, nest.consultant)[n % 2],  # the consultant's home visits: a second view
            weeks_ago(n),
            typical | {"comfort_seeking": comfort},
            notes=dict.fromkeys(PARENT_WORDS, "")
            | {"comfort_seeking": f"Liep na het vallen naar mij toe ({n})" if comfort == 0 else f"Bleef zitten ({n})"},
        )
    with translation.override("nl"):
        handout = parent_handout(child_summary(child, 12))
        data = render_parent_handout_pdf(handout, made_on=today()).data
    save_with_page_images(data, "handout-childminder")
    text = " ".join(pages_text(data))
    assert "medewerker" not in text
    assert "warmte zien naar de gastouder." in text
    assert (
        "zocht KindX bij pijn of verdriet vaak geen troost bij ons. "
        "Op andere momenten ging zij wel naar de gastouder voor troost" in text
    )
    with translation.override("en"):
        english = handout_texts(parent_handout(child_summary(child, 12)))
    assert any("the childminder" in t for t in english) and not any("staff" in t for t in english)


# Words that show a Dutch text left in an English document (the children's and staff's names aside).
DUTCH_LEFT = re.compile(
    r"\b(het|een|wat|wij|jullie|niet|ook|bij|naar|zagen|gesprek|opvang|pagina|januari|februari|maart|mei|juni|"
    r"juli|augustus|oktober|vaak|soms|weleens|troost|afspreken|goed|gaat)\b",
    re.IGNORECASE,
)


def test_the_english_handouts_of_the_demo_children_and_the_team_pdf(client):
    """In the parents' language: the demo children's handouts in English read as English (the staff
    notes, quoted, stay as written); the team PDF ends without signature lines. Page images in
    test-output/ (handout-en-*.png, team-daan-*.png)."""
    with time_machine.travel(DEMO_DAYS["2026-12-06"], tick=False):
        demo = seeded_demo(client)
        for first, last in (("Daan", "Mulder"), ("Sophie", "Bos"), ("Sem", "de Vries"), ("Finn", "Vos")):
            child = demo_child(first, last)
            data = demo.get(f"{handout_url(child)}&taal=en").content
            save_with_page_images(data, f"handout-en-{first.lower()}")
            pages = pages_text(data)
            notes = set(PillarRating.objects.filter(observation__child=child).values_list("note", flat=True))
            text = " ".join(pages)
            for note in notes:  # the quoted notes are the staff's own words
                text = text.replace(as_sentence_of(note), "")
            assert not DUTCH_LEFT.findall(text), (first, DUTCH_LEFT.findall(text))
            for number, page in enumerate(pages, start=1):
                assert "What we saw at the childcare, not a diagnosis." in page, (first, number)
                assert f"page {number} of {len(pages)}" in page, (first, number)
            assert ("Getting to know" if first == "Finn" else "Talking about") + f" {first}" in pages[0]
        daan = demo_child("Daan", "Mulder")
        team = demo.get(reverse("child_summary_pdf", args=[daan.pk]) + "?weken=12").content
        save_with_page_images(team, "team-daan")
        pages = pages_text(team)
        assert "Daan Mulder" in pages[0]
        assert not re.search(r"handtekening|Ouder\(s\)|Namens de|_{5,}", " ".join(pages), re.IGNORECASE)
        for number, page in enumerate(pages, start=1):
            assert f"pagina {number} van {len(pages)}" in page


def as_sentence_of(note: str) -> str:
    from reports.handout import as_sentence

    return as_sentence(note)


def test_the_form_of_address_is_a_field_on_the_child_only_the_name_by_default(cast):
    from django.db import IntegrityError, transaction

    from children.models import FormOfAddress

    assert cast.child_a.form_of_address == FormOfAddress.NAME  # made without one
    with translation.override("nl"):
        assert [str(label) for _value, label in FormOfAddress.choices] == ["alleen de voornaam", "hij", "zij"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=cast.child_a.pk).update(form_of_address="het")


def test_the_handouts_of_the_demo_gastouderbureau_name_the_gastouder(client):
    """The demo's children at the gastouders' homes (Ruben with two gastouders): their parents read of
    the gastouder, never of "pedagogisch medewerkers". Page images: test-output/handout-nest-*.png."""
    from demo.organisation import AGENCY_HOMES

    with time_machine.travel(DEMO_DAYS["2026-12-06"], tick=False):
        seeded_demo(client)
        for _home, _group, _gastouder, children in AGENCY_HOMES:
            for first, surname, _months in children:
                child = demo_child(first, surname)
                assert child.cared_for_at_childminder_home()
                with translation.override("nl"):
                    data = render_parent_handout_pdf(parent_handout(child_summary(child, 12)), made_on=today()).data
                if first in ("Ruben", "Lotte"):
                    save_with_page_images(data, f"handout-nest-{first.lower()}")
                text = " ".join(pages_text(data))
                assert "medewerker" not in text, (first, re.findall(r"[^.]*medewerker[^.]*\.", text))
                # The team's PDF of the same child: its caution speaks of the childcare, not of staff.
                with translation.override("nl"):
                    team = render_child_summary_pdf(child_summary(child, 12), made_by=None, made_on=today()).data
                team_text = " ".join(pages_text(team))
                assert "Dit zijn waarnemingen uit de opvang, geen diagnose." in team_text, first
                assert "pedagogisch medewerker" not in team_text, first
