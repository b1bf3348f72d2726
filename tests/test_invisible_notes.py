"""A note that shows nothing (white space, zero-width characters, byte-order marks, bidi controls) is
no note: stored as "", and on a pillar without a rating it is not a "note without a rating"."""

import pytest
from django.urls import reverse

from observations.models import Observation, PillarRating
from organisations.text import shows_nothing, visible_text
from tests.observation_factories import days_ago, entry_data, make_observation

pytestmark = pytest.mark.django_db

INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    *(chr(code) for code in range(0x202A, 0x202F)),  # embeddings and overrides
    *(chr(code) for code in range(0x2066, 0x206A)),  # isolates
]


def url(child):
    return reverse("observation_new", args=[child.pk])


def test_every_character_of_the_list_shows_nothing_under_the_one_rule():
    """The rule is organisations/text.py's (issue 19), for every free-text field; tests/test_visible_text.py."""
    assert len(INVISIBLE) == 16 and all(shows_nothing(char) for char in INVISIBLE)


def test_problem_9_a_note_of_only_invisible_characters_is_stored_as_empty(cast, client_for):
    """Issue 9, problem 9: a note of zero-width characters and a byte-order mark was stored as a note."""
    data = entry_data(cast.child_a, note="\ufeff\u200b\u200b", note_comfort_seeking="\u200b\ufeff")
    response = client_for(cast.staff_a).post(url(cast.child_a), data)
    assert response.status_code == 302
    observation = Observation.objects.get()
    assert observation.note == ""
    assert observation.ratings.get().note == ""


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_each_invisible_character_with_white_space_counts_as_empty(cast, client_for, char):
    note = f" {char}\n\t{char}{char} "
    data = entry_data(cast.child_a, note=note, note_comfort_seeking=note)
    assert client_for(cast.staff_a).post(url(cast.child_a), data).status_code == 302
    assert Observation.objects.get().note == ""
    assert PillarRating.objects.get().note == ""


def test_an_invisible_note_on_a_pillar_without_rating_is_no_note(cast, client_for):
    data = entry_data(cast.child_a, note_reunion="\u200d\u2066\u2069 ")
    assert client_for(cast.staff_a).post(url(cast.child_a), data).status_code == 302
    assert list(PillarRating.objects.values_list("pillar", flat=True)) == ["comfort_seeking"]


def test_a_visible_note_on_a_pillar_without_rating_is_still_refused(cast, client_for):
    data = entry_data(cast.child_a, note_reunion="\u200bZwaaide niet.")
    response = client_for(cast.staff_a).post(url(cast.child_a), data)
    assert response.status_code == 200
    assert "je schreef een notitie" in response.content.decode().lower()
    assert not Observation.objects.exists()


def test_an_entry_whose_only_content_is_an_invisible_pillar_note_rates_nothing(cast, client_for):
    data = entry_data(cast.child_a, kind_comfort_seeking="", strength_comfort_seeking="", note_comfort_seeking="\ufeff")
    response = client_for(cast.staff_a).post(url(cast.child_a), data)
    assert response.status_code == 200
    assert "Beoordeel minstens één pijler" in response.content.decode()
    assert not Observation.objects.exists()


def test_visible_text_keeps_its_invisible_characters():
    family = "\U0001f469\u200d\U0001f467"  # woman, zero-width joiner, girl: one emoji
    data_note = f"  Tekende {family} met mama. "
    assert visible_text(data_note) == f"Tekende {family} met mama."
    assert visible_text("\u202bשלום\u202c") == "\u202bשלום\u202c"


def test_an_edit_to_an_invisible_note_empties_it(cast, client_for):
    observation = make_observation(cast.child_a, cast.staff_a, date=days_ago(1), note="Eerste versie.")
    data = {
        "child": str(cast.child_a.pk),
        "version": str(observation.version),
        "date": observation.date.isoformat(),
        "situation": "outside",
        "note": "\u2060\u200e",
        "kind_comfort_seeking": "typical",
        "note_comfort_seeking": "\ufeff",
    }
    response = client_for(cast.staff_a).post(reverse("observation_edit", args=[observation.pk]), data)
    assert response.status_code == 302
    observation.refresh_from_db()
    assert observation.note == ""
    assert observation.ratings.get().note == ""
