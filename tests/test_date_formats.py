"""Dates are written in one place (attachment_site/formats/, organisations/calendar.py): templates name
a format and never spell one out, and Dutch pages and PDFs write months in lowercase, as Dutch does
("27 oktober 2026", never "27 Okt 2026")."""

import datetime
import io
import re
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from django.utils.formats import FORMAT_SETTINGS, get_format
from pypdf import PdfReader

from observations.services import RatingInput
from reports.pdf import render_child_summary_pdf
from reports.summary import child_summary
from tests.conftest import build_cast
from tests.observation_factories import make_observation

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# |date:"…", |time:"…" and {% now "…" %} with their argument.
FORMAT_USE = re.compile(r"""\|(?:date|time):(["'])(?P<fmt>[^"']*)\1|\{%\s*now\s+(["'])(?P<now>[^"']*)\3""")
NAMED_FORMAT = re.compile(r"^[A-Z][A-Z_]*_FORMAT$")
# A day and a capitalised month abbreviation, Dutch or English: "27 Okt", "4 Dec".
CAPITALISED_MONTH = re.compile(r"\b\d{1,2} (?:Jan|Feb|Mrt|Mar|Apr|Mei|May|Jun|Jul|Aug|Sep|Okt|Oct|Nov|Dec)\b")
FRIDAY = datetime.datetime(2026, 12, 4, 11, 0, tzinfo=datetime.UTC)  # 12:00 in Amsterdam


def template_format_uses() -> list[tuple[str, str]]:
    uses = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            for match in FORMAT_USE.finditer(path.read_text(encoding="utf-8")):
                uses.append((str(path.relative_to(ROOT)), match.group("fmt") or match.group("now")))
    return uses


def test_templates_name_their_date_formats_instead_of_spelling_them_out():
    uses = template_format_uses()
    assert uses, "the templates format dates somewhere"
    spelt_out = [(name, fmt) for name, fmt in uses if not NAMED_FORMAT.match(fmt)]
    assert spelt_out == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_named_format_a_template_uses_exists_in_every_language(language):
    """Django takes a name it cannot find for the format itself ("WEEKDAY_DATE_FORMAT" letter by letter)."""
    for name in {fmt for _, fmt in template_format_uses()}:
        assert name in FORMAT_SETTINGS or get_format(name, lang=language) != name, (language, name)


def test_the_numeric_format_is_the_one_of_messages_and_files():
    from organisations.calendar import numeric_date

    day = datetime.date(2026, 3, 9)
    for language in ("nl", "en"):
        with translation.override(language):
            assert numeric_date(day) == "09-03-2026"
            assert get_format("SHORT_DATE_FORMAT") == "d-m-Y", language


@pytest.fixture
def october_observation(db):
    """On Friday 4 December 2026: Sem, observed on Tuesday 27 October (too little comfort seeking)."""
    with time_machine.travel(FRIDAY, tick=False):
        cast = build_cast()
        observation = make_observation(
            cast.child_a,
            cast.staff_a,
            date=datetime.date(2026, 10, 27),
            ratings=[RatingInput(pillar="comfort_seeking", kind="low", strength="clear")],
        )
        yield cast, observation


def test_dutch_pages_write_months_in_lowercase(october_observation, client):
    cast, observation = october_observation
    client.force_login(cast.staff_a)
    detail = client.get(reverse("observation_detail", args=[observation.pk])).content.decode()
    assert "27 oktober 2026" in detail  # the breadcrumb
    assert "dinsdag 27 oktober 2026" in detail  # the observation's card
    pages = [
        detail,
        client.get(reverse("child_detail", args=[cast.child_a.pk])).content.decode(),
        client.get(reverse("child_summary", args=[cast.child_a.pk])).content.decode(),
        client.get(reverse("observation_remove", args=[observation.pk])).content.decode(),
    ]
    assert "van 27 oktober 2026 tot en met 27 oktober 2026" in pages[2]
    for html in pages:
        assert CAPITALISED_MONTH.findall(html) == []


def test_english_pages_write_the_month_in_full(october_observation, client):
    cast, observation = october_observation
    client.force_login(cast.staff_a)
    html = client.get(reverse("observation_detail", args=[observation.pk]), HTTP_ACCEPT_LANGUAGE="en").content
    assert "Tuesday 27 October 2026" in html.decode()


def test_the_summary_pdf_writes_months_in_lowercase(october_observation):
    cast, _ = october_observation
    with translation.override("nl"):
        summary = child_summary(cast.child_a, 12, until=datetime.date(2026, 12, 4))
        data = render_child_summary_pdf(summary, made_by=cast.coach, made_on=datetime.date(2026, 12, 4)).data
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)
    assert "4 december 2026 door Coen" in text
    assert "27 oktober 2026" in text
    assert CAPITALISED_MONTH.findall(text) == []
