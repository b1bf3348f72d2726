"""The privacy statement (docs/privacy.md) is a page of the app, linked from every page's footer."""

import pytest
from django.urls import reverse

from pages.views.privacy import PRIVACY_STATEMENT, STATEMENT_END

pytestmark = pytest.mark.django_db

SECTIONS = [
    "Waarvoor gebruiken we de gegevens?",
    "Op welke grond?",
    "Welke gegevens, en waarom?",
    "Hoe lang bewaren we het?",
    "Wie ziet wat?",
    "Verwerkers en hosting",
    "De rechten van ouders, en hoe de organisatie ze nakomt",
    "Vragen die een DPIA stelt",
]


def test_the_statement_covers_what_the_issue_asks():
    text = PRIVACY_STATEMENT.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f"## {section}" in text, section


def test_the_page_renders_the_markdown_for_everyone(client):
    response = client.get(reverse("privacy_statement"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Privacy: hoe Gehechtheid in beeld omgaat met gegevens van kinderen</h1>" in html
    for section in SECTIONS:
        assert f"<h2>{section}</h2>" in html, section
    assert "<table>" in html and "<td>pedagogisch coach</td>" in html
    assert "<code>apply_retention</code>" in html


def test_the_technical_notes_after_the_statement_stay_out_of_the_page(client):
    statement, notes = PRIVACY_STATEMENT.read_text(encoding="utf-8").split(STATEMENT_END)
    assert "## Technical notes for developers and operators" in notes
    html = client.get(reverse("privacy_statement")).content.decode()
    assert "Vragen die een DPIA stelt" in html
    for absent in ("Technical notes for developers", "end of the statement", "child_records", "NestedObjects"):
        assert absent not in html, absent


def test_the_footer_links_it_on_every_page(cast, client_for):
    link = f'href="{reverse("privacy_statement")}"'
    assert link in client_for(cast.staff_a).get(reverse("home")).content.decode()
    from django.test import Client

    assert link in Client().get(reverse("login")).content.decode()
