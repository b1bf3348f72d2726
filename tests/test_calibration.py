"""Issue 20: the calibration round (oefenronde) at /oefenen/. Written vignettes rated with the entry
chips; afterwards the intended rating and why. Practice ratings live apart (calibration/) and never
reach a child's figures, patterns, exports or the rollup."""

import re

import pytest
from django.urls import reverse

from calibration.models import PracticeLater, PracticeRating, PracticeRound
from calibration.selectors import calibration_results, location_calibration_results
from calibration.vignettes import VIGNETTES, all_vignettes
from observations.pillars import all_pillars, rating_direction, rating_strength
from observations.services import RatingInput
from staff.models import Role
from tests import factories as f
from tests.observation_factories import make_observation
from tests.rollup_check import stored_rollup

pytestmark = pytest.mark.django_db

ROUND = reverse("practice_round")


def answers(values=None):
    """POST data rating every vignette: its intended value unless `values` names another."""
    values = values or {}
    data = {}
    for v in all_vignettes():
        value = values.get(v.code, v.intended)
        data[f"kind_{v.code}"] = rating_direction(value) or "typical"
        data[f"strength_{v.code}"] = rating_strength(value) or ""
    return data


def test_every_pillar_has_a_vignette_for_typical_and_each_pole_and_some_name_circumstances():
    for pillar in all_pillars():
        own = [v for v in VIGNETTES if v.pillar_code == pillar.code]
        sides = {rating_direction(v.intended) for v in own}
        assert len(own) >= 3, pillar.code
        assert sides == {None, *pillar.directions}, pillar.code
    assert sum(bool(v.circumstances) for v in VIGNETTES) >= 3
    assert len({v.code for v in VIGNETTES}) == len(VIGNETTES)


def test_a_new_staff_member_does_the_round_and_sees_the_intended_rating_and_why(cast, client_for):
    client = client_for(cast.staff_a)
    page = client.get(ROUND).content.decode()
    assert "Oefenronde" in page
    assert "Tijdens het vrij spelen loopt Noor (2 jaar)" in page  # the vignettes in Dutch
    assert f"Situatie 1 van {len(VIGNETTES)}" in page
    # the entry form's chips, with each pillar's sides named as on the entry form
    assert "passend" in page and "checkt niet terug" in page and "durft nauwelijks weg" in page
    assert not re.search(r"\b(te weinig|te veel)\b", page.replace("nog te weinig gezien", ""))
    assert "niet gezien" not in page  # every vignette gets a rating: no "not seen" chip
    assert 'name="note_' not in page  # and no note

    wrong = {"comfort_low": 0, "help_low": -2}  # one on the wrong side, one with another strength
    response = client.post(ROUND, answers(wrong))
    done = PracticeRound.objects.get(user=cast.staff_a)
    assert response.status_code == 302 and response["Location"] == reverse("practice_result", args=[done.pk])
    assert done.ratings.count() == len(VIGNETTES)
    assert done.ratings.get(vignette="comfort_low").value == 0

    result = client.get(response["Location"]).content.decode()
    assert f"{len(VIGNETTES) - 1} van de {len(VIGNETTES)} situaties beoordeeld zoals bedoeld" in result
    assert "Bedoelde beoordeling" in result and "Waarom" in result
    assert "Duidelijk pijn, en toch zoekt ze geen troost" in result  # comfort_low's explanation, in Dutch
    assert "zoals bedoeld, andere sterkte" in result
    assert result.count(">anders<") == 1
    assert "Doe de ronde opnieuw" in result

    client.post(ROUND, answers())  # anyone may repeat it
    assert PracticeRound.objects.filter(user=cast.staff_a).count() == 2


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind_strangers_high": "low", "strength_strangers_high": "clear"}, "heeft zo&#x27;n kant niet"),
        ({"kind_no_such_vignette": "typical"}, "een situatie die niet bestaat"),
        ({"kind_affect_low": ""}, "Kies een beoordeling voor deze situatie"),
        ({"strength_affect_low": ""}, "Kies licht of duidelijk"),
        ({"kind_affect_low": "sideways"}, "Selecteer een geldige keuze"),
    ],
    ids=["pole the pillar lacks", "unknown vignette", "unrated", "no strength", "not on the scale"],
)
def test_bad_input_gets_a_dutch_message_and_saves_nothing(cast, client_for, change, message):
    response = client_for(cast.staff_a).post(ROUND, {**answers(), **change})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Er is niets opgeslagen" in page
    assert message in page
    assert not PracticeRound.objects.exists() and not PracticeRating.objects.exists()


def _without_tokens(html: str) -> str:
    """The page without its CSRF tokens (a new one each time it is drawn)."""
    return re.sub(r'(name="csrfmiddlewaretoken" value|data-csrf)="[^"]*"', "", html)


def test_practice_ratings_never_reach_figures_patterns_exports_or_the_rollup(cast, client_for):
    make_observation(cast.child_a, cast.staff_a, ratings=[RatingInput("exploration", "high", "clear")])
    make_observation(cast.child_a, cast.staff_a, ratings=[RatingInput("comfort_seeking", "typical")])
    client = client_for(cast.manager)
    pages = [
        reverse("child_summary", args=[cast.child_a.pk]),
        reverse("group_overview", args=[cast.group_a.pk]),
        reverse("group_detail", args=[cast.group_a.pk]),
        reverse("location_detail", args=[cast.location1.pk]),
    ]

    def snapshot():
        shown = {url: _without_tokens(client.get(url).content.decode()) for url in pages}
        csv = client.get(reverse("group_overview_csv", args=[cast.group_a.pk])).content
        return shown, csv, stored_rollup()

    before = snapshot()
    atypical = {v.code: 2 if v.pillar.allows("high") else -2 for v in VIGNETTES}
    for user in (cast.staff_a, cast.staff_b):
        client_for(user).post(ROUND, answers(atypical))
    assert PracticeRating.objects.count() == 2 * len(VIGNETTES)
    client.force_login(cast.manager)
    assert snapshot() == before


def test_the_round_is_offered_before_the_first_entry_until_done_or_later(cast, client_for):
    client = client_for(cast.staff_a)
    new_entry = reverse("observation_new", args=[cast.child_a.pk])
    assert "Begin met de oefenronde" in client.get("/").content.decode()
    assert "Begin met de oefenronde" in client.get(new_entry).content.decode()

    response = client.post(reverse("practice_later"))
    assert response.status_code == 302 and PracticeLater.objects.filter(user=cast.staff_a).exists()
    assert "Begin met de oefenronde" not in client.get("/").content.decode()
    assert "Begin met de oefenronde" not in client.get(new_entry).content.decode()
    assert 'href="/oefenen/"' in client.get("/").content.decode()  # still in the navigation

    client = client_for(cast.staff_b)
    client.post(ROUND, answers())
    assert "Begin met de oefenronde" not in client.get("/").content.decode()  # done it

    newcomer = f.make_user("nieuw@example.test", first_name="Nina")
    f.add_membership(newcomer, Role.STAFF, group=cast.group_a)
    client = client_for(newcomer)
    assert "Begin met de oefenronde" in client.get("/").content.decode()
    make_observation(cast.child_a, newcomer)
    assert "Begin met de oefenronde" not in client.get("/").content.decode()  # already observing

    assert "Begin met de oefenronde" not in client_for(cast.manager).get("/").content.decode()  # no entries


def test_a_person_sees_only_their_own_results(cast, client_for):
    client_for(cast.staff_a).post(ROUND, answers())
    own = PracticeRound.objects.get(user=cast.staff_a)
    for other in (cast.staff_b, cast.manager, cast.coach):
        assert client_for(other).get(reverse("practice_result", args=[own.pk])).status_code == 404


def test_the_results_per_pillar_aggregate_a_locations_staff(cast, client_for):
    client_for(cast.staff_a).post(ROUND, answers({"explore_low": 0, "reunion_low": 2}))
    client_for(cast.staff_b).post(ROUND, answers({"explore_low": 0}))
    outsider = f.make_user("elders@example.test")
    f.add_membership(outsider, Role.STAFF, group=cast.group_c)  # another location
    client_for(outsider).post(ROUND, answers({"explore_typical": -2}))

    results = {r.pillar.code: r for r in location_calibration_results(cast.location1)}
    exploring = results["exploration"]
    assert exploring.ratings == 6 and exploring.as_intended == 4
    assert [(c.intended, c.given, c.count) for c in exploring.confusions] == [("low", "typical", 2)]
    assert exploring.share_as_intended == pytest.approx(4 / 6)
    assert [(c.intended, c.given, c.count) for c in results["reunion"].confusions] == [("low", "high", 1)]
    assert results["cooperation"].confusions == [] and results["cooperation"].share_as_intended == 1

    everyone = {r.pillar.code: r for r in calibration_results([cast.staff_a, cast.staff_b, outsider])}
    assert everyone["exploration"].ratings == 9 and everyone["exploration"].as_intended == 6
    nobody = calibration_results([])
    assert all(r.ratings == 0 and r.share_as_intended is None for r in nobody)


def test_the_agreement_page_shows_the_locations_calibration_per_pillar_and_no_names(cast, client_for):
    client_for(cast.staff_a).post(ROUND, answers({"explore_low": 0}))
    client_for(cast.staff_b).post(ROUND, answers())
    for reader in (cast.coach, cast.manager):
        page = client_for(reader).get(reverse("location_agreement", args=[cast.location1.pk])).content.decode()
        start = page.index('id="calibration-results"')
        section = page[start : page.index("</section>", start)]
        assert "Oefenrondes per pijler" in section
        exploring = section[section.index("Explorerend") :]
        exploring = exploring[: exploring.index("</tr>")]
        # 5 of 6 as intended
        assert '<td class="text-end" data-label="Geoefend">6</td>' in exploring and "83%" in exploring
        assert "bedoeld " in exploring and "gekozen " in exploring and "(1×)" in exploring
        for person in (cast.staff_a, cast.staff_b):
            assert person.first_name not in section and person.email not in section


def test_each_explanation_names_the_intended_side_as_the_chips_do_and_never_a_bare_direction():
    from django.utils import translation

    from observations.pillars import rating_direction

    for language in ("nl", "en"):
        with translation.override(language):
            for vignette in all_vignettes():
                text = vignette.explanation
                assert "%(" not in text, vignette.code
                assert not re.search(r"\b(te weinig|te veel|too little|too much)\b", text), (language, vignette.code)
                direction = rating_direction(vignette.intended)
                if direction:
                    assert f"“{vignette.pillar.pole_name(direction)}”" in text, (language, vignette.code)
