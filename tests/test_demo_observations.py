"""seed_demo's observations: idempotent, and the documented patterns hold under the report rules."""

import io
from collections import defaultdict

import pytest
from django.core.management import call_command

from children.models import Child
from children.names import split_surname
from demo.organisation import ORGANISATION
from observations.models import DuoObservation, Observation, PillarRating
from organisations.calendar import last_weeks, today, week_of
from organisations.models import Location
from reports.agreement import location_agreement
from staff.models import User

pytestmark = pytest.mark.django_db

WINDOW = 12


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def figures(first_name, last_name, pillar):
    """Per ISO week in the last 12: observers, values and whether the day had circumstances."""
    tussenvoegsel, last = split_surname(last_name)  # "de Vries": the seed keeps "de" apart
    child = Child.objects.get(first_name=first_name, tussenvoegsel=tussenvoegsel, last_name=last)
    window = last_weeks(WINDOW)
    weeks = defaultdict(list)
    for value, observer, date, circumstances in PillarRating.objects.filter(
        observation__child=child, pillar=pillar, observation__date__gte=window[0].start
    ).values_list("value", "observation__observer_id", "observation__date", "observation__circumstances"):
        weeks[week_of(date).start].append((value, observer, bool(circumstances)))
    return weeks


def atypical(weeks):
    return [row for rows in weeks.values() for row in rows if row[0] != 0]


def test_seed_creates_sixteen_weeks_of_observations_once():
    output = seed()
    count = Observation.objects.filter(child__organisation__name=ORGANISATION).count()
    assert count > 1000
    assert f"observations: {count} created" in output  # De Linde's (the gastouderbureau's come on their own line)
    dates = Observation.objects.values_list("date", flat=True)
    assert (max(dates) - min(dates)).days >= 15 * 7
    assert Observation.objects.values("observer").distinct().count() >= 10
    total = Observation.objects.count()
    assert Observation.history.count() == total  # each has its "created" audit record, by its observer
    assert not Observation.history.filter(history_user=None).exists()
    seed()
    assert Observation.objects.count() == total


def test_the_documented_patterns_hold():
    seed()
    # Recurring attention point: comfort seeking, too little, across observers, not on circumstance days.
    for name in (("Daan", "Mulder"), ("Sem", "de Vries")):
        weeks = figures(*name, "comfort_seeking")
        bad_weeks = [w for w, rows in weeks.items() if any(v != 0 for v, _, _ in rows)]
        rows = atypical(weeks)
        assert len(bad_weeks) >= 3 and len(bad_weeks) >= len(weeks) / 2
        assert len({observer for _, observer, _ in rows}) >= 2
        assert all(value < 0 for value, _, _ in rows)
        assert not any(with_circumstances for _, _, with_circumstances in rows)
    # Only on days after sleeping badly.
    weeks = figures("Sophie", "Bos", "reunion")
    rows = atypical(weeks)
    bad_weeks = [w for w, r in weeks.items() if any(v != 0 for v, _, _ in r)]
    assert len(bad_weeks) >= len(weeks) / 4 and len(bad_weeks) >= 3
    assert all(with_circumstances for _, _, with_circumstances in rows)
    sophie = Observation.objects.filter(child__first_name="Sophie", ratings__pillar="reunion", ratings__value__gt=0)
    assert all(o.circumstances == ["slept_badly"] for o in sophie)
    # Too few observations.
    finn = Observation.objects.filter(child__first_name="Finn", child__last_name="Vos")
    assert finn.count() == 2 and finn.values("observer").distinct().count() == 1
    # A typical child: every pillar atypical in fewer than a quarter of its rated weeks.
    for pillar in ("positive_affect", "comfort_seeking", "reunion", "strangers"):
        weeks = figures("Zoë", "Peters", pillar)
        bad_weeks = [w for w, r in weeks.items() if any(v != 0 for v, _, _ in r)]
        assert len(bad_weeks) < len(weeks) / 4 or not weeks


def test_the_demo_holds_duo_observations_for_the_agreement_page(client):
    """Duo-observations (issue 20): same child, same day, same moment, two staff; seeded once."""
    seed()
    duos = DuoObservation.objects.count()
    seed()
    assert DuoObservation.objects.count() == duos >= 10
    location = Location.objects.get(groups__name="Vlinders")
    comfort = next(
        p for p in location_agreement(location, 12, day=today()).pillars if p.pillar.code == "comfort_seeking"
    )
    assert comfort.pairs >= 10 and comfort.kappa is not None and comfort.exact < 1
    client.force_login(User.objects.get(email="coach@example.org"))
    html = client.get(f"/locaties/{location.pk}/overeenstemming/?weken=12").content.decode()
    assert "Overeenstemming tussen waarnemers" in html and "Daan Mulder" in html
