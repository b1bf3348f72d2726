"""Named poles (issue 20): every pillar's atypical poles carry a short name of their own that says what
the child does ("checkt niet terug", "durft nauwelijks weg"), and no page, PDF or CSV shows a bare
"te weinig" or "te veel" for a pillar. "Nog te weinig gezien" (not enough observations, GLOSSARY.md)
is the one phrase with "te weinig" in it, and it names no pole."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from conversations.models import Conversation
from observations.pillars import PILLARS, Direction, rating_label
from tests.observation_factories import make_observation
from tests.report_data import observe, weeks_ago
from tests.test_parent_handout import pages_text

pytestmark = pytest.mark.django_db

# (low, high) per pillar, in Dutch and in English (the msgids); strangers has no low pole.
POLES_NL = {
    "positive_affect": ("toont weinig warmte", "te eigen met onbekenden"),
    "comfort_seeking": ("zoekt geen troost", "zoekt en duwt weg"),
    "trust_help": ("vraagt geen hulp", "wil overal hulp bij"),
    "cooperation": ("negeert verzoeken", "doet alles zonder protest"),
    "exploration": ("checkt niet terug", "durft nauwelijks weg"),
    "controlling": ("zorgt als een ouder", "commandeert en straft"),
    "reunion": ("negeert of vermijdt", "heel boos of ontroostbaar"),
    "strangers": (None, "gaat met iedereen mee"),
}
POLES_EN = {
    "positive_affect": ("shows little warmth", "too familiar with strangers"),
    "comfort_seeking": ("seeks no comfort", "seeks and pushes away"),
    "trust_help": ("seeks no help", "wants help with everything"),
    "cooperation": ("ignores requests", "complies without any protest"),
    "exploration": ("does not check back", "hardly lets go"),
    "controlling": ("cares like a parent", "bosses and punishes"),
    "reunion": ("ignores or avoids", "very angry or inconsolable"),
    "strangers": (None, "goes off with anyone"),
}

# "te weinig" / "te veel" as words, and the English they came from (an untranslated leak).
BARE = re.compile(r"\bte\s+(weinig|veel)\b|\btoo\s+(little|much)\b", re.IGNORECASE)
NOT_ENOUGH = re.compile(r"\bnog\s+te\s+weinig\s+gezien\b", re.IGNORECASE)


def bare_directions(text: str) -> list[str]:
    """Every bare "te weinig" / "te veel" in `text`, with a little context (the glossary's
    "nog te weinig gezien" left out)."""
    text = NOT_ENOUGH.sub("", text)
    return [text[max(m.start() - 40, 0) : m.end() + 40] for m in BARE.finditer(text)]


def test_bare_directions_finds_them_and_lets_not_enough_pass():
    assert bare_directions("Zoeken van troost: opvallend: te weinig, licht") != []
    assert bare_directions("0 passend, 3 te veel") != []
    assert bare_directions("Te Weinig") != [] and bare_directions("too much") != []
    assert bare_directions("Beeld: nog te weinig gezien. Nog te weinig gezien om iets te zeggen over: X.") == []
    assert bare_directions("te eigen met onbekenden, te dichtbij, tevreden, veel") == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_pole_has_a_short_name_of_its_own(language):
    expected = POLES_NL if language == "nl" else POLES_EN
    with translation.override(language):
        for pillar in PILLARS:
            names = tuple(
                str(pillar.pole_name(d)) if pillar.allows(d) else None for d in (Direction.LOW, Direction.HIGH)
            )
            assert names == expected[pillar.code], pillar.code
            for name in filter(None, names):
                assert 2 <= len(name.split()) <= 4, name
                assert not bare_directions(name), name
        every = [n for pair in expected.values() for n in pair if n]
        assert len(set(every)) == len(every)  # one name, one pole


def test_a_rating_label_names_the_pole_of_its_pillar():
    exploration = next(p for p in PILLARS if p.code == "exploration")
    with translation.override("nl"):
        assert rating_label(exploration, -1) == "opvallend: checkt niet terug, licht"
        assert rating_label(exploration, 2) == "opvallend: durft nauwelijks weg, duidelijk"
        assert rating_label(exploration, 0) == "passend"
    with translation.override("en"):
        assert rating_label(exploration, -2) == "atypical: does not check back, clear"


def test_each_pillars_chips_show_its_own_two_pole_names(cast, client_for):
    html = client_for(cast.staff_a).get(reverse("observation_new", args=[cast.child_a.pk])).content.decode()
    for code, (low, high) in POLES_NL.items():
        start = html.index(f'data-pillar="{code}"')
        fieldset = html[start : html.index("</fieldset>", start)]
        chips = dict(re.findall(r'<label class="btn chip chip-(low|high)"[^>]*>([^<]*)</label>', fieldset))
        assert chips == {k: v for k, v in (("low", low), ("high", high)) if v}, code
        for name in filter(None, (low, high)):  # and the description of each pole is headed by its name
            assert f"<dt>opvallend: {name}</dt>" in fieldset, code


# Atypical in both poles on every pillar that has two (strangers: its one), in ten weeks by two observers,
# and a parent conversation five weeks ago: recurring attention points, mixed pillars and the table before
# and since the conversation all have something to name.
MOSTLY = {
    "positive_affect": -2,
    "comfort_seeking": 2,
    "trust_help": -1,
    "cooperation": 1,
    "exploration": -2,
    "controlling": 2,
    "reunion": -2,
    "strangers": 2,
}


@pytest.fixture
def both_poles(cast):
    observers = [cast.staff_a, cast.manager]
    for n in range(1, 11):
        observe(cast.child_a, observers[n % 2], weeks_ago(n), MOSTLY)
        if n % 3 == 0:  # now and then the other pole
            other = {code: -value for code, value in MOSTLY.items() if code != "strangers"}
            observe(cast.child_a, observers[(n + 1) % 2], weeks_ago(n, weekday=3), other)
    # the last week: the other pole on every pillar, so its strip and timeline carry both
    observe(cast.child_a, cast.staff_a, weeks_ago(0, weekday=0), {c: -v for c, v in MOSTLY.items() if c != "strangers"})
    Conversation.objects.create(child=cast.child_a, date=weeks_ago(5), participants="moeder", recorded_by=cast.coach)
    return make_observation(cast.child_a, cast.staff_a)  # one of today, which staff can still change


def _pages(cast, entry) -> dict[str, list[tuple[str, list[int]]]]:
    child, group, location = cast.child_a, cast.group_a, cast.group_a.location
    readers: list[tuple[str, list[int]]] = [
        ("child_detail", [child.pk]),
        ("child_summary", [child.pk]),
        ("home", []),
    ]
    return {
        "staff_a": [
            ("observation_new", [child.pk]),
            ("observation_edit", [entry.pk]),
            ("observation_detail", [entry.pk]),
            ("group_detail", [group.pk]),
            *readers,
        ],
        "manager": [("location_detail", [location.pk]), ("group_overview", [group.pk]), *readers],
        "coach": [("location_detail", [location.pk]), ("group_overview", [group.pk]), *readers],
    }


def test_no_page_shows_a_bare_direction(cast, client_for, both_poles):
    shown = 0
    for role, pages in _pages(cast, both_poles).items():
        client = client_for(getattr(cast, role))
        for name, args in pages:
            response = client.get(reverse(name, args=args) + ("?weken=12" if "summary" in name else ""))
            assert response.status_code == 200, (role, name)
            html = response.content.decode()
            assert not bare_directions(html), (role, name, bare_directions(html))
            shown += html.count("zoekt en duwt weg")
    assert shown  # the pages did show the named poles


def test_the_pages_name_the_poles_where_they_used_to_say_te_weinig(cast, client_for, both_poles):
    client = client_for(cast.coach)
    timeline = client.get(reverse("child_detail", args=[cast.child_a.pk])).content.decode()
    assert (
        "opvallend: checkt niet terug, duidelijk" in timeline
        and "opvallend: durft nauwelijks weg, duidelijk" in timeline
    )
    summary = client.get(reverse("child_summary", args=[cast.child_a.pk]) + "?weken=12").content.decode()
    facts = "14 beoordelingen:\n        0 passend, 10 checkt niet terug, 4 durft nauwelijks weg"
    assert facts in summary  # the facts line
    assert "Meestal dezelfde kant: checkt niet terug." in summary  # a reason
    assert 'opvallend vooral: <span aria-hidden="true">↓</span> checkt niet terug' in summary
    assert re.search(r"Week \d+: 1 beoordeling: 0 passend, 1 checkt niet terug, 0 durft nauwelijks weg", summary)
    # the strip legend says what the axis means, across pillars
    assert "Boven de lijn (oranje, ↑): te dichtbij, zonder onderscheid of tweeslachtig" in summary
    assert "onder de lijn (blauw, ↓): houdt afstand of trekt zich terug" in summary
    overview = client.get(reverse("group_overview", args=[cast.group_a.pk])).content.decode()
    assert '<span aria-hidden="true">↑</span> gaat met iedereen mee</span>' in overview
    assert "Boven de lijn (oranje, ↑): te dichtbij, zonder onderscheid of tweeslachtig" in overview


def test_neither_pdf_shows_a_bare_direction(cast, client_for, both_poles):
    client = client_for(cast.coach)
    for name in ("child_summary_pdf", "child_parent_handout_pdf"):
        response = client.get(reverse(name, args=[cast.child_a.pk]) + "?weken=12")
        assert response.status_code == 200, name
        text = " ".join(pages_text(response.content))
        assert not bare_directions(text), (name, bare_directions(text))
        if name == "child_summary_pdf":
            assert "checkt niet terug" in text and "gaat met iedereen mee" in text
            assert "Voor en sinds het laatste oudergesprek" in text
        else:  # parents read behaviour in their own words, never a pole's name or a side of the scale
            assert "checkt niet terug" not in text and "houdt afstand" not in text and "↓" not in text


def test_the_csv_shows_no_bare_direction(cast, client_for, both_poles):
    response = client_for(cast.manager).get(reverse("group_overview_csv", args=[cast.group_a.pk]))
    text = response.content.decode("utf-8-sig")
    assert not bare_directions(text), bare_directions(text)
    assert ";checkt niet terug;" in text and ";durft nauwelijks weg;" in text
