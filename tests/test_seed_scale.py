"""seed_scale, small: an organisation with staff, placements that change, observations loaded with COPY
that keep every rule of the app, the logins, and the refusal to run beside other organisations."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from children.models import Child, Placement
from demo.scale import ORGANISATION
from observations.models import Observation, PillarRating
from observations.services import RatingInput, observation_create
from organisations.calendar import current_week, today
from organisations.models import Location, Organisation
from staff.models import Role, User
from tests import factories as f
from tests.rollup_check import assert_rollup_exact

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", children=200, weeks=4, stdout=out, **options)
    return out.getvalue()


def sql_count(query: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def test_it_builds_an_organisation_and_says_what_it_made():
    output = seed()
    assert "200 children" in output and " rows in " in output and " s" in output
    org = Organisation.objects.get(name=ORGANISATION)
    assert Child.objects.filter(organisation=org).count() == 200
    assert Location.objects.filter(organisation=org).count() >= 2
    observations = Observation.objects.filter(child__organisation=org).count()
    # about three a week per child while placed (four weeks, the last one maybe begun)
    assert 200 * 3 * 2 < observations < 200 * 3 * 4 * 1.5
    ratings = PillarRating.objects.filter(observation__child__organisation=org).count()
    assert 2 * observations <= ratings <= 6 * observations
    assert f"{observations:,} observations" in output and f"{ratings:,} ratings" in output


def test_observations_keep_the_rules_of_the_app():
    seed()
    # every observation in the group the child was placed in that day, by staff of that group
    assert not sql_count(
        """SELECT COUNT(*) FROM observations_observation o WHERE NOT EXISTS (
             SELECT 1 FROM children_placement p WHERE p.child_id = o.child_id AND p.group_id = o.group_id
             AND p.start_date <= o.date AND (p.end_date IS NULL OR p.end_date >= o.date))"""
    )
    assert not sql_count(
        """SELECT COUNT(*) FROM observations_observation o WHERE NOT EXISTS (
             SELECT 1 FROM staff_membership m WHERE m.user_id = o.observer_id AND m.group_id = o.group_id
             AND m.role = 'staff')"""
    )
    assert not Observation.objects.filter(date__gt=today()).exists()
    assert not Observation.objects.filter(date__week_day__in=[1, 7]).exists()  # no weekends
    # two to five pillars an entry (one more when a pattern adds its pillar)
    per_entry = Observation.objects.annotate(n=Count("ratings")).values_list("n", flat=True).distinct()
    assert set(per_entry) <= {2, 3, 4, 5, 6}
    assert PillarRating.objects.exclude(value=0).exists() and Observation.objects.exclude(circumstances=[]).exists()
    assert_rollup_exact()  # loaded without the rollup trigger, counted once at the end


def test_placements_change_over_time():
    seed()
    moved = Child.objects.annotate(n=Count("placements")).filter(n=2)
    assert moved.exists()
    assert Placement.objects.filter(end_date__lt=today()).exists()  # some left or moved on
    assert Placement.objects.filter(start_date__gte=current_week().start - datetime.timedelta(weeks=3)).exists()
    placed_today = Child.objects.placed_on(today()).count()
    assert 150 < placed_today < 200


def test_the_logins_work_with_password_demo():
    seed()
    manager = User.objects.get(email="manager@scale.example.org")
    coach = User.objects.get(email="coach@scale.example.org")
    assert manager.check_password("demo") and coach.check_password("demo")
    managed = manager.memberships.get(role=Role.MANAGER).location
    largest = Location.objects.annotate(n=Count("groups")).order_by("-n").first()
    assert managed.groups.count() == largest.n
    locations = Location.objects.filter(organisation__name=ORGANISATION).count()
    assert coach.memberships.filter(role=Role.COACH).count() == min(5, locations)
    assert User.objects.get(email="staff.1.1@scale.example.org").check_password("demo")


def test_the_app_goes_on_after_it(client):
    """The id sequences were moved past the copied rows: a new entry saves, and the pages open."""
    seed()
    staff = User.objects.get(email="staff.1.1@scale.example.org")
    group = staff.memberships.get().group
    child = Child.objects.placed_on(today(), groups=[group]).first()
    observation, created = observation_create(
        child=child,
        observer=staff,
        date=today(),
        situation="free_play",
        circumstances=[],
        ratings=[RatingInput("reunion", "typical")],
    )
    assert created and observation.pk > Observation.objects.exclude(pk=observation.pk).order_by("-pk").first().pk
    client.force_login(User.objects.get(email="manager@scale.example.org"))
    location = User.objects.get(email="manager@scale.example.org").memberships.get().location
    assert client.get(f"/locaties/{location.pk}/").status_code == 200
    assert client.get(f"/groepen/{location.groups.first().pk}/overzicht/?weken=4").status_code == 200


def test_it_refuses_a_database_with_other_organisations_unless_forced():
    f.make_organisation("Linde")
    with pytest.raises(CommandError, match="other organisations"):
        seed()
    assert not Organisation.objects.filter(name=ORGANISATION).exists()
    seed(force=True)
    assert Organisation.objects.filter(name="Linde").exists()
    assert Child.objects.filter(organisation__name=ORGANISATION).count() == 200


def test_a_second_run_changes_nothing_and_replace_builds_again():
    seed()
    before = Observation.objects.count()
    assert "already there" in seed()
    assert Observation.objects.count() == before
    seed(replace=True)
    assert Organisation.objects.filter(name=ORGANISATION).count() == 1
    assert Child.objects.count() == 200 and Observation.objects.count() == before  # the same seed, the same data
    assert_rollup_exact()  # the old organisation's rows went with it, the new one's are counted
