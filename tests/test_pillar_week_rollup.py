"""The weekly rollup (observations.PillarWeek) equals what the raw observations and ratings say, after
any sequence of writes, edits, removals, restores and deletions, through the services and straight
through the ORM alike (PostgreSQL's triggers keep it, migration observations/0002); two people
writing about the same child at once lose nothing; `rebuild_pillar_weeks` repairs a damaged rollup.

The expected rows are counted here in Python from the raw rows, independently of the SQL."""

import contextlib
import datetime
import threading
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.db.models import F
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from observations.models import Observation, PillarRating, PillarWeek
from observations.pillars import PILLARS
from observations.services import RatingInput, observation_remove, observation_update
from organisations.calendar import today
from reports.figures import weekly_figures_for_children
from tests import factories as f
from tests.observation_factories import make_observation
from tests.rollup_check import assert_rollup_exact, monday

PILLAR_CODES = [p.code for p in PILLARS[:3]]  # three pillars keep the cells dense
ALLOWED = {p.code: sorted(p.allowed_values) for p in PILLARS}
CIRCUMSTANCES = [[], [], ["slept_badly"], ["ill", "busy_group"], ["other"]]


def second_staff(cast, name="Bo"):
    """Another member of staff of group A (the manager does not log)."""
    user = f.make_user(f"{name.lower()}@example.test", first_name=name)
    f.add_membership(user, f.ROLES.STAFF, group=cast.group_a)
    return user


class RollupMachine(RuleBasedStateMachine):
    """Random writes, edits and removals on a few children over a few weeks."""

    cast = None  # set by the test

    def __init__(self):
        super().__init__()
        c = self.cast
        self.children = [c.child_a, c.child_a2]
        self.observers = [c.staff_a, c.staff_a2]

    def _observations(self):
        return list(Observation.objects.filter(child__in=self.children).order_by("pk"))

    def _pick(self, data, *, live=None):
        found = [o for o in self._observations() if live is None or (o.removed_at is None) == live]
        return data.draw(st.sampled_from(found)) if found else None

    @rule(
        data=st.data(),
        child=st.integers(0, 1),
        observer=st.integers(0, 1),
        days_back=st.integers(0, 20),
        circumstances=st.sampled_from(CIRCUMSTANCES),
    )
    def write_through_the_service(self, data, child, observer, days_back, circumstances):
        pillars = data.draw(st.lists(st.sampled_from(PILLAR_CODES), min_size=1, max_size=3, unique=True))
        ratings = []
        for code in pillars:
            value = data.draw(st.sampled_from(ALLOWED[code]))
            kind = {0: "typical", -1: "low", -2: "low", 1: "high", 2: "high"}[value]
            strength = "" if value == 0 else ("clear" if abs(value) == 2 else "slight")
            ratings.append(RatingInput(pillar=code, kind=kind, strength=strength, note="Gezien."))
        with contextlib.suppress(ValidationError):  # refused (before the placement): nothing saved
            make_observation(
                self.children[child],
                self.observers[observer],
                date=today() - datetime.timedelta(days=days_back),
                circumstances=circumstances,
                ratings=ratings,
            )

    @rule(data=st.data(), days_back=st.integers(0, 20), circumstances=st.sampled_from(CIRCUMSTANCES))
    def edit_through_the_service(self, data, days_back, circumstances):
        observation = self._pick(data, live=True)
        if observation is None:
            return
        code = data.draw(st.sampled_from(PILLAR_CODES))
        value = data.draw(st.sampled_from(ALLOWED[code]))
        kind = {0: "typical", -1: "low", -2: "low", 1: "high", 2: "high"}[value]
        strength = "" if value == 0 else ("clear" if abs(value) == 2 else "slight")
        with contextlib.suppress(ValidationError):  # refused: nothing changed
            self._update(observation, days_back, circumstances, code, kind, strength)

    @staticmethod
    def _update(observation, days_back, circumstances, code, kind, strength):
        observation_update(
            observation=observation,
            editor=observation.observer,
            version=observation.version,
            date=today() - datetime.timedelta(days=days_back),
            situation=observation.situation,
            circumstances=circumstances,
            note="",
            ratings=[RatingInput(pillar=code, kind=kind, strength=strength, note="Anders gezien.")],
        )

    @rule(data=st.data())
    def remove_through_the_service(self, data):
        observation = self._pick(data, live=True)
        if observation is not None:
            with contextlib.suppress(ValidationError):
                observation_remove(observation=observation, editor=observation.observer, version=observation.version)

    @rule(data=st.data())
    def restore_in_the_database(self, data):
        observation = self._pick(data, live=False)
        if observation is not None:
            Observation.objects.filter(pk=observation.pk).update(removed_at=None, removed_by=None)

    @rule(data=st.data(), value=st.sampled_from([-2, -1, 0, 1, 2]))
    def change_a_rating_in_the_database(self, data, value):
        rating = PillarRating.objects.filter(observation__child__in=self.children, pillar="comfort_seeking").first()
        if rating is not None and value in ALLOWED["comfort_seeking"]:
            PillarRating.objects.filter(pk=rating.pk).update(value=value)

    @rule(data=st.data())
    def move_to_the_other_child_and_observer(self, data):
        observation = self._pick(data)
        if observation is not None:
            Observation.objects.filter(pk=observation.pk).update(
                child=self.children[1 - self.children.index(observation.child)],
                observer=self.observers[1 - self.observers.index(observation.observer)],
            )

    @rule(data=st.data(), together=st.booleans())
    def name_or_drop_who_observed_together(self, data, together):
        """A third person who saw it together (never one of the observers): counted as an observer too."""
        observation = self._pick(data)
        if observation is not None:
            Observation.objects.filter(pk=observation.pk).update(observed_with=self.cast.coach if together else None)

    @rule(days=st.sampled_from([-7, -1, 1, 3]))
    def shift_every_date(self, days):
        Observation.objects.filter(child__in=self.children).update(date=F("date") + datetime.timedelta(days=days))

    @rule(data=st.data())
    def delete_with_its_ratings(self, data):
        observation = self._pick(data)
        if observation is not None:
            observation.delete()  # Django deletes the ratings first, then the observation

    @rule(data=st.data())
    def delete_one_rating(self, data):
        observation = self._pick(data)
        if observation is not None:
            PillarRating.objects.filter(pk__in=observation.ratings.values("pk")[:1]).delete()

    @invariant()
    def rollup_is_exact(self):
        assert_rollup_exact()

    def teardown(self):
        Observation.objects.filter(child__in=self.children).delete()
        PillarWeek.objects.filter(child__in=self.children).delete()  # (none is left when the triggers work)


@pytest.mark.django_db
def test_the_rollup_equals_the_raw_rows_after_random_writes_edits_and_removals(cast):
    f.make_child(cast.group_a, "Anna")  # a child without observations has no rows
    cast.child_a2 = f.make_child(cast.group_a, "Bram")
    cast.staff_a2 = second_staff(cast)
    RollupMachine.cast = cast
    run_state_machine_as_test(
        RollupMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )


@pytest.mark.django_db
def test_the_figures_are_read_from_the_rollup_and_agree_with_it(cast):
    make_observation(
        cast.child_a,
        cast.staff_a,
        circumstances=["ill"],
        ratings=[
            RatingInput(pillar="comfort_seeking", kind="low", strength="clear", note="Zocht geen troost."),
            RatingInput(pillar="exploration", kind="typical"),
        ],
    )
    make_observation(cast.child_a, second_staff(cast), ratings=[RatingInput(pillar="comfort_seeking", kind="typical")])
    assert_rollup_exact()
    week = weekly_figures_for_children([cast.child_a.pk], 1)[cast.child_a.pk].pillar("comfort_seeking").weeks[0]
    assert (week.ratings, week.low_clear, week.typical, week.observers) == (2, 1, 1, 2)
    assert week.atypical_with_circumstances == 1
    assert week.circumstances_on_atypical == {"ill": 1}
    assert week.atypical_observer_ids == {cast.staff_a.pk}

    # Damaged by hand, the figures follow the rollup (they read nothing else) until it is rebuilt.
    PillarWeek.objects.filter(child=cast.child_a, pillar="comfort_seeking").update(ratings=99)
    damaged = weekly_figures_for_children([cast.child_a.pk], 1)[cast.child_a.pk].pillar("comfort_seeking")
    assert damaged.ratings == 99
    out = StringIO()
    call_command("rebuild_pillar_weeks", stdout=out)
    assert "2 " in out.getvalue()  # two rows: comfort seeking and exploration
    assert_rollup_exact()
    assert weekly_figures_for_children([cast.child_a.pk], 1)[cast.child_a.pk].pillar("comfort_seeking").ratings == 2


@pytest.mark.django_db
def test_a_rebuild_removes_rows_no_observation_supports(cast):
    make_observation(cast.child_a, cast.staff_a)
    PillarWeek.objects.create(
        child=cast.child_a, week=monday(today()) - datetime.timedelta(weeks=3), pillar="reunion", ratings=1,
        low_clear=0, low_slight=0, typical=1, high_slight=0, high_clear=0, atypical_with_circumstances=0,
        observer_ids=[cast.staff_a.pk], atypical_observer_ids=[],
    )  # fmt: skip
    call_command("rebuild_pillar_weeks", stdout=StringIO())
    assert_rollup_exact()
    assert PillarWeek.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_people_writing_about_one_child_at_once_lose_nothing(cast):
    """Four people each save eight observations of the same child in the same week at the same time:
    every one of them counts (a recount waits for the one before it, never reads around it)."""
    observers = [cast.staff_a, *(second_staff(cast, name) for name in ("Bo", "Cas", "Dewi"))]
    start = threading.Barrier(len(observers))
    failures = []

    def write(observer):
        try:
            start.wait()
            for i in range(8):
                make_observation(
                    cast.child_a,
                    observer,
                    circumstances=["ill"] if i % 2 else [],
                    ratings=[
                        RatingInput(pillar="comfort_seeking", kind="low" if i % 3 else "typical",
                                    strength="slight" if i % 3 else "", note="Gezien." if i % 3 else ""),
                        RatingInput(pillar="exploration", kind="typical"),
                    ],
                )  # fmt: skip
        except Exception as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(o,)) for o in observers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    close_old_connections()
    assert failures == []
    assert Observation.objects.filter(child=cast.child_a).count() == 32
    assert_rollup_exact()
    cell = PillarWeek.objects.get(child=cast.child_a, pillar="comfort_seeking")
    assert cell.ratings == 32
    assert len(cell.observer_ids) == 4
