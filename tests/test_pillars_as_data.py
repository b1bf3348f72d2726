"""The pillars are data (observations/pillars.py): the rating constraint, the entry form and the
demo planner follow them, and a ninth pillar added in memory gets a form row and demo ratings."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from demo.observations import TYPICAL_NOTES, _plan_child
from observations import pillars
from observations.forms import NewObservationForm
from observations.models import PillarRating
from observations.pillars import PILLARS, SCALE, Pillar
from observations.services import RatingInput, observation_create
from organisations.calendar import today
from tests.observation_factories import entry_data, make_observation

pytestmark = pytest.mark.django_db

# Only a low pole, unlike "strangers" (only a high one); no demo notes exist for it.
NINTH = Pillar(
    "peer_play",
    "Spelen met andere kinderen",
    "Speelt naast en met andere kinderen en zoekt ze zelf op.",
    "Speelt nooit met andere kinderen en ontloopt ze.",
    None,
    low_name="ontloopt andere kinderen",
)


@pytest.fixture
def nine_pillars(monkeypatch):
    """A ninth pillar, in memory only. It exists in no migration, so the database's rating
    constraint (fixed by observations/migrations) would refuse to store a rating on it: these
    tests build forms and plans but never write a ninth-pillar rating."""
    monkeypatch.setattr(pillars, "PILLARS", (*PILLARS, NINTH))
    assert len(pillars.all_pillars()) == 9
    return NINTH


def test_the_database_allows_exactly_the_values_of_each_pillars_directions(cast):
    observation = make_observation(cast.child_a, cast.staff_a)
    observation.ratings.all().delete()
    for pillar in PILLARS:
        for value in SCALE:
            if value in pillar.allowed_values:
                with transaction.atomic():
                    PillarRating.objects.create(observation=observation, pillar=pillar.code, value=value).delete()
            else:
                with pytest.raises(IntegrityError), transaction.atomic():
                    PillarRating.objects.create(observation=observation, pillar=pillar.code, value=value)
    strangers = pillars.PILLAR_BY_CODE["strangers"]
    assert strangers.allowed_values == (0, 1, 2)
    assert pillars.PILLAR_BY_CODE["reunion"].allowed_values == (-2, -1, 0, 1, 2)


def test_a_pillar_needs_an_atypical_direction():
    with pytest.raises(ValueError):
        Pillar("empty", "Leeg", "Passend.", None, None)


def test_each_pole_of_a_pillar_needs_its_own_name():
    """A pole is shown by its name everywhere, so a pole without one (or a name without a pole) is refused."""
    with pytest.raises(ValueError, match="low pole"):
        Pillar("unnamed", "Zonder naam", "Passend.", "Speelt alleen.", None)
    with pytest.raises(ValueError, match="high pole"):
        Pillar("stray", "Losse naam", "Passend.", "Speelt alleen.", None, low_name="speelt alleen", high_name="x")
    assert NINTH.pole_name("low") == "ontloopt andere kinderen"
    with pytest.raises(ValueError):
        NINTH.pole_name("high")


def test_a_ninth_pillar_gets_its_fields_and_only_its_own_directions_on_the_entry_form(cast, nine_pillars):
    form = NewObservationForm(child=cast.child_a)
    assert {"kind_peer_play", "strength_peer_play", "note_peer_play"} <= set(form.fields)
    rows = form.pillar_rows()
    assert [row.pillar.code for row in rows] == [p.code for p in PILLARS] + ["peer_play"]
    row = rows[-1]
    assert [value for value, _, _ in row.options] == ["", "typical", "low"]
    assert [str(title) for title, _ in row.descriptions] == ["passend", "opvallend: ontloopt andere kinderen"]
    assert [str(label) for _, label, _ in row.options] == ["niet gezien", "passend", "ontloopt andere kinderen"]
    assert [text for _, text in row.descriptions] == [NINTH.typical, NINTH.low]
    html = render_to_string("pages/_pillar_input.html", {"row": row})
    assert "Spelen met andere kinderen" in html and NINTH.low in html
    assert 'name="kind_peer_play" id="id_kind_peer_play_2" value="low"' in html
    assert 'value="high"' not in html
    # The eight keep their own options: strangers still has no low pole.
    assert [value for value, _, _ in rows[-2].options] == ["", "typical", "high"]


def test_the_entry_form_and_the_rules_validate_a_rating_on_the_ninth_pillar(cast, nine_pillars):
    data = entry_data(
        cast.child_a, kind_peer_play="low", strength_peer_play="clear", note_peer_play="Speelde alleen in de hoek."
    )
    form = NewObservationForm(data, child=cast.child_a)
    assert form.is_valid(), form.errors
    assert RatingInput("peer_play", "low", "clear", "Speelde alleen in de hoek.") in form.rating_inputs()

    # The service's rules know the ninth pillar too. A future date stops it before anything is
    # written, so the only complaints are about the date: the ninth pillar's rating passed.
    arguments = {**form.service_arguments(), "date": today() + datetime.timedelta(days=1)}
    with pytest.raises(ValidationError) as refused:
        observation_create(child=cast.child_a, observer=cast.staff_a, **arguments)
    assert set(refused.value.message_dict) == {"date"}

    # A direction the ninth pillar lacks is refused with the clear message, beside its own field.
    form = NewObservationForm(
        entry_data(cast.child_a, kind_peer_play="high", strength_peer_play="slight"), child=cast.child_a
    )
    assert form.is_valid(), form.errors
    with pytest.raises(ValidationError) as refused:
        observation_create(child=cast.child_a, observer=cast.staff_a, **form.service_arguments())
    message = (
        "Spelen met andere kinderen kent geen opvallende kant “te dichtbij, zonder onderscheid of tweeslachtig”; "
        "kies “ontloopt andere kinderen”."
    )
    assert refused.value.message_dict == {"peer_play": [message]}
    form.add_service_errors(refused.value)
    assert form.errors["kind_peer_play"] == [message]
    assert not PillarRating.objects.exists()


def test_the_demo_planner_covers_a_ninth_pillar(cast, nine_pillars):
    assert "peer_play" not in TYPICAL_NOTES
    placement = cast.child_a.placements.get()
    staff = [cast.staff_a.pk, cast.staff_b.pk]
    rated: dict[str, list[tuple[int, str]]] = {}
    for index in range(10):  # index picks the week and pillar of a typical child's one atypical rating
        for plan in _plan_child(cast.child_a, index, placement, staff, random.Random(index), today()):
            for code, value, note in plan.ratings:
                rated.setdefault(code, []).append((value, note))
    assert set(rated) == {p.code for p in pillars.all_pillars()}
    for pillar in pillars.all_pillars():
        assert {value for value, _ in rated[pillar.code]} <= set(pillar.allowed_values)
    # The ninth gets its one atypical rating in its own direction, and no notes (it has no demo notes).
    assert {value for value, _ in rated["peer_play"]} == {0, -1}
    assert {note for _, note in rated["peer_play"]} == {""}
    # Within one plan every pillar is rated about every other week.
    weeks = {}
    for plan in _plan_child(cast.child_a, 0, placement, staff, random.Random(0), today()):
        for code, _, _ in plan.ratings:
            weeks.setdefault(code, set()).add(plan.date - datetime.timedelta(days=plan.date.weekday()))
    assert all(len(weeks[p.code]) >= 6 for p in pillars.all_pillars())
