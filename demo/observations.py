"""Sixteen weeks of demo observations for every demo child, with recognisable patterns.

Run after the demo organisation exists (demo/organisation.py); `seed_demo` calls it.
Deterministic (fixed random seed), dates relative to today, and idempotent: an
observation's natural key is (child, observer, date, situation), and existing
keys are never created again.

Every child gets about two entries a week from the staff of its group (rotating
observers), each rating the next two pillars in turn (observations/pillars.py:
however many there are), so with eight pillars every pillar is rated every other
week. The patterns, for a reports engine that looks at the last 12 weeks with
the documented rules:

- most children: typical everywhere. At most one isolated "slight" atypical
  rating per child (in fewer than a quarter of that pillar's rated weeks, in the
  pillar's first direction), and now and then a recorded circumstance. A pillar
  without demo notes below is rated all the same, without notes.
- Daan Mulder (Vlinders, Kindercentrum De Vlinder: the group of
  medewerker@example.org) and Sem de Vries (Rupsjes, same location):
  recurring attention point on "comfort_seeking", too little. An extra weekly
  entry rates it atypical "too little" in 3 of every 4 weeks (about 9 of the
  last 12), by all staff of the group in turn, never on a day with
  circumstances.
- Sophie Bos (Vlinders): "reunion", too much, only on days with "slept badly"
  recorded (every other week); on the other weeks reunion is typical. A
  reports engine should call this "wisselend, vooral na slecht slapen", never a
  recurring attention point.
- Finn Vos (Vlinders): too few observations to say anything: two entries, five
  and six weeks ago, by one observer (one of them "exploration", too little).
  He is also the child the day view marks as not observed for 14 days.
- notes fit the child's age: a child under 18 months gets notes about crawling, bottles and being
  carried, older children about puzzles, the sandpit and running (`notes_for_age`).
- the children of "Bij Anja" (a childminder, the only observer there): every
  pillar has one observer only, so "not enough observations" by the rules. The same for the children
  of the gastouders of Gastouderbureau Het Nest (`seed_demo` runs this for that organisation too):
  typical everywhere, by their own gastouder.
- duo-observations (the agreement page, issue 20): in the last 12 weeks a second
  staff member of the group rates the extra comfort-seeking entry of Daan Mulder and
  Sem de Vries in the same moment (agreeing in two of three weeks, one step apart in
  the third), and copies the first entry of every other week of every third typical
  child; each such day is a planned DuoObservation (by the coach), and one more is
  planned for today: Lotte Jansen and a colleague, Daan Mulder.
"""

import datetime
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from django.db import transaction
from django.db.models import DateTimeField
from django.db.models.functions import Cast, Least, Now
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from children.models import Child, Placement
from observations.models import DuoObservation, Observation, PillarRating
from observations.pillars import Pillar, Strength, all_pillars, rating_value
from organisations.calendar import today
from organisations.models import Group, Location, Organisation
from staff.models import ROLE_RULES, Membership, Role, ScopeLevel, User

WEEKS = 16
DUO_WEEKS = 12
SEED = 20260302

RECURRING_COMFORT = {("Daan", "Mulder"), ("Sem", "de Vries")}
AFTER_BAD_SLEEP = {("Sophie", "Bos")}
TOO_FEW = {("Finn", "Vos")}
# The pillars of those patterns.
RECURRING_PILLAR = "comfort_seeking"
AFTER_BAD_SLEEP_PILLAR = "reunion"
TOO_FEW_PILLAR = "exploration"

SITUATIONS = ["drop_off", "free_play", "meal", "care", "outside", "sleep", "pick_up"]
CIRCUMSTANCES = ["busy_group", "unfamiliar_staff", "ill", "after_absence", "change_at_home"]

# Demo notes per pillar code; optional: a pillar without them gets ratings without notes. A child
# under BABY_MONTHS gets the notes of a baby (crawling, bottles, being carried), an older child those
# of a toddler (puzzles, the sandpit, running): `notes_for_age`.
BABY_MONTHS = 18
TYPICAL_NOTES = {
    "positive_affect": "Lachte naar de leidster en kroop even bij haar op schoot.",
    "comfort_seeking": "Viel bij het rennen en liep meteen naar de vaste leidster.",
    "trust_help": "Vroeg om hulp bij de puzzel toen het niet lukte.",
    "cooperation": "Ruimde na één keer vragen de blokken op.",
    "exploration": "Ging in de zandbak spelen en keek af en toe om.",
    "controlling": "Speelde samen met de leidster zonder haar te sturen.",
    "reunion": "Zwaaide en liep blij naar papa bij het halen.",
    "strangers": "Keek de invalkracht eerst even aan van achter de leidster.",
}
ATYPICAL_NOTES = {
    "comfort_seeking": [
        "Stootte het hoofd en bleef stil alleen zitten, zocht niemand op.",
        "Huilde na het vallen maar draaide weg toen de leidster kwam.",
        "Had pijn aan de vinger en liet het aan niemand zien.",
    ],
    "reunion": [
        "Huilde hard bij het ophalen en was lang niet te troosten.",
        "Werd heel boos toen mama binnenkwam en sloeg naar haar.",
    ],
    "exploration": ["Liep naar buiten zonder één keer om te kijken."],
}
BABY_TYPICAL_NOTES = {
    "positive_affect": "Lachte naar de leidster en strekte de armpjes uit om opgetild te worden.",
    "comfort_seeking": "Huilde na het omrollen en kroop meteen naar de vaste leidster.",
    "trust_help": "Keek naar de leidster en brabbelde toen de bal onder de kast was gerold.",
    "cooperation": "Liet zich rustig verschonen en stak de armpjes in de mouwen.",
    "exploration": "Kroop over de speelmat naar de rammelaar en keek af en toe om naar de leidster.",
    "controlling": "Speelde kiekeboe met de leidster en lachte om de beurt mee.",
    "reunion": "Strekte de armpjes uit naar papa bij het halen en lachte.",
    "strangers": "Keek de invalkracht eerst even aan vanaf de arm van de leidster.",
}
BABY_ATYPICAL_NOTES = {
    "comfort_seeking": [
        "Stootte het hoofdje bij het kruipen en bleef stil liggen, zocht niemand op.",
        "Huilde na het omvallen maar draaide het hoofdje weg toen de leidster het wilde optillen.",
        "Had last van doorkomende tandjes en liet zich niet troosten met de fles.",
    ],
    "reunion": [
        "Huilde hard toen mama kwam en wilde niet gedragen worden.",
        "Draaide zich weg op de arm van papa toen die binnenkwam.",
    ],
    "exploration": ["Kroop de gang in zonder één keer om te kijken."],
}


def in_the_carers_words(note: str, carer: str) -> str:
    """A demo note as written at a childminder's home: the carer by name, not "de (vaste) leidster"."""
    return note.replace("de vaste leidster", carer).replace("de leidster", carer)


def notes_for_age(months: int) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The demo notes (typical, atypical) that fit a child of `months` months old."""
    if months < BABY_MONTHS:
        return BABY_TYPICAL_NOTES, BABY_ATYPICAL_NOTES
    return TYPICAL_NOTES, ATYPICAL_NOTES


SAVED_HOUR = 14


def _saved_at(day: datetime.date) -> datetime.datetime:
    return min(datetime.datetime.combine(day, datetime.time(SAVED_HOUR), tzinfo=datetime.UTC), timezone.now())


@dataclass
class DemoObservationReport:
    created: int = 0
    existing: int = 0
    ratings: int = 0
    duos: int = 0  # planned duo-observations created
    patterns: dict[str, str] = field(default_factory=dict)


@dataclass
class Planned:
    child: Child
    group_id: int
    observer_id: int
    date: datetime.date
    situation: str
    circumstances: list[str]
    note: str
    ratings: list[tuple[str, int, str]]  # (pillar, value, note)
    duo_with: int | None = None  # the observer of the entry this one rates beside, in the same moment

    @property
    def key(self) -> tuple[int, int, datetime.date, str]:
        return (self.child.pk, self.observer_id, self.date, self.situation)


def _atypical_value(pillar: Pillar, strength: str = Strength.SLIGHT) -> int:
    """An atypical rating in the pillar's first direction (every pillar has at least one)."""
    return rating_value(pillar.directions[0], strength)


@dataclass(frozen=True)
class _Notes:
    """The demo notes of one child, fitting its age."""

    typical: dict[str, str]
    atypical: dict[str, list[str]]

    def of(self, code: str) -> str:
        return self.typical.get(code, "")


def _week_days(week_back: int, start: datetime.date, day: datetime.date) -> list[datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday()) - datetime.timedelta(weeks=week_back)
    days = [monday + datetime.timedelta(days=i) for i in range(5)]
    return [d for d in days if start <= d <= day]


Rating = tuple[str, int, str]  # (pillar, value, note)


def _routine_ratings(pillars: list[Pillar], rng: random.Random, notes: _Notes, *, atypical_first: bool) -> list[Rating]:
    """The ratings of a routine entry: typical (now and then with a note), the first one
    atypical when `atypical_first`."""
    ratings = []
    for k, pillar in enumerate(pillars):
        value = _atypical_value(pillar) if atypical_first and k == 0 else 0
        note = notes.of(pillar.code) if value == 0 and rng.random() < 0.4 else ""
        ratings.append((pillar.code, value, note))
    return ratings


def _pattern_entry(name: tuple[str, str], week_back: int, notes: _Notes) -> tuple[str, list[Rating], list[str]] | None:
    """The extra weekly entry of a child with a pattern: (situation, ratings, circumstances), or None."""
    if name in RECURRING_COMFORT:
        if week_back % 4 != 3:
            value = -2 if week_back % 3 == 0 else -1
            note = notes.atypical[RECURRING_PILLAR][week_back % 3]
        else:
            value, note = 0, notes.of(RECURRING_PILLAR)
        return "outside" if week_back % 2 else "free_play", [(RECURRING_PILLAR, value, note)], []
    if name in AFTER_BAD_SLEEP:
        if week_back % 2 == 0:
            value = 2 if week_back % 4 == 0 else 1
            note = notes.atypical[AFTER_BAD_SLEEP_PILLAR][week_back % 4 // 2]
            return "pick_up", [(AFTER_BAD_SLEEP_PILLAR, value, note)], ["slept_badly"]
        return "pick_up", [(AFTER_BAD_SLEEP_PILLAR, 0, notes.of(AFTER_BAD_SLEEP_PILLAR))], []
    return None


def _plan_child(
    child: Child, index: int, placement: Placement, staff: list[int], rng: random.Random, day: datetime.date
) -> list[Planned]:
    name = (child.first_name, child.surname)
    plans: list[Planned] = []
    pattern_child = name in RECURRING_COMFORT | AFTER_BAD_SLEEP | TOO_FEW
    notes = _Notes(*notes_for_age(child.age_in_months(day)))

    def add(
        when: datetime.date,
        observer: int,
        situation: str,
        ratings: list[Rating],
        circumstances: Iterable[str] = (),
    ) -> None:
        plans.append(Planned(child, placement.group_id, observer, when, situation, list(circumstances), "", ratings))

    if name in TOO_FEW:
        for week_back, value in ((6, 0), (5, -1)):
            days = _week_days(week_back, placement.start_date, day)
            if days:
                note = notes.atypical[TOO_FEW_PILLAR][0] if value else notes.of(TOO_FEW_PILLAR)
                add(days[1 % len(days)], staff[0], "outside", [(TOO_FEW_PILLAR, value, note)])
        return plans

    pillars = all_pillars()
    half = len(pillars) // 2
    odd_week = (index % 10) + 2  # the one isolated atypical rating of a typical child
    for week_back in range(WEEKS):
        days = _week_days(week_back, placement.start_date, day)
        if not days:
            continue
        for slot in range(2):
            codes = [pillars[(2 * week_back + half * slot + k) % len(pillars)] for k in range(2)]
            if pattern_child:  # the pattern pillars get their own entries below
                codes = [p for p in codes if p.code not in (RECURRING_PILLAR, AFTER_BAD_SLEEP_PILLAR)]
            ratings = _routine_ratings(
                codes, rng, notes, atypical_first=not pattern_child and week_back == odd_week and slot == 0
            )
            circumstances = [] if pattern_child or rng.random() > 0.15 else [rng.choice(CIRCUMSTANCES)]
            observer = staff[(week_back + slot + index) % len(staff)]
            when = days[(slot * 2 + index) % len(days)]
            situation = SITUATIONS[(week_back + 3 * slot + index) % len(SITUATIONS)]
            add(when, observer, situation, ratings, circumstances)
        extra = _pattern_entry(name, week_back, notes)
        if extra is not None:
            situation, ratings, circumstances = extra
            observer = staff[(week_back + index + 1) % len(staff)]
            add(days[(index + 1) % len(days)], observer, situation, ratings, circumstances)
    return plans + _duo_partners(plans, index, staff, day)


def _duo_ratings(plan: Planned, week_back: int, first_of_week: bool, index: int) -> list[Rating] | None:
    """What the colleague of a duo-observation rates beside `plan`, or None: no duo that time."""
    name = (plan.child.first_name, plan.child.surname)
    if name in RECURRING_COMFORT:  # beside the extra entry (the only one rating the pattern pillar)
        if plan.ratings[0][0] != RECURRING_PILLAR:
            return None
        return [(code, _duo_value(value, week_back), "") for code, value, _ in plan.ratings]
    if name in AFTER_BAD_SLEEP | TOO_FEW or index % 3 or week_back % 2 or not first_of_week:
        return None
    return [(code, value, "") for code, value, _ in plan.ratings]


def _duo_partners(plans: list[Planned], index: int, staff: list[int], day: datetime.date) -> list[Planned]:
    """The colleagues' entries of the duo-observations among the child's `plans` (the last DUO_WEEKS weeks)."""
    this_monday = day - datetime.timedelta(days=day.weekday())
    partners, weeks_seen = [], set()
    for plan in plans:
        week_back = (this_monday - plan.date + datetime.timedelta(days=6)).days // 7
        first_of_week = week_back not in weeks_seen
        weeks_seen.add(week_back)
        ratings = _duo_ratings(plan, week_back, first_of_week, index) if week_back < DUO_WEEKS else None
        partner = staff[(staff.index(plan.observer_id) + 1) % len(staff)]
        if ratings is not None and partner != plan.observer_id:
            partners.append(replace(plan, observer_id=partner, ratings=ratings, duo_with=plan.observer_id))
    return partners


def _duo_value(value: int, week_back: int) -> int:
    """The colleague's comfort-seeking rating beside a pattern entry: the same in two of three weeks,
    else one step nearer typical (or a slight "too little" beside a typical one)."""
    if week_back % 3:
        return value
    return value + 1 if value < 0 else -1


_Saved = TypeVar("_Saved", Observation, PillarRating)


def _dated(row: _Saved, when: datetime.datetime) -> _Saved:
    """When `row` was saved, as simple_history's bulk_create_with_history reads it: an attribute on the row."""
    vars(row).update(_history_date=when)
    return row


def _create_with_history(model: type[_Saved], rows: list[_Saved], savers: list[User], batch_size: int) -> list[_Saved]:
    """Save `rows` with their history, each row's history naming its saver in `savers` (simple_history's
    `default_user`, one bulk call per saver); returned in the order of `rows`."""
    by_saver: dict[User, list[int]] = {}
    for index, saver in enumerate(savers):
        by_saver.setdefault(saver, []).append(index)
    saved: dict[int, _Saved] = {}
    for saver, indices in by_saver.items():
        batch = bulk_create_with_history([rows[i] for i in indices], model, batch_size=batch_size, default_user=saver)
        saved.update(zip(indices, batch, strict=True))
    return [saved[index] for index in range(len(rows))]


# The roles that log in their group (ROLE_RULES): a centre's pedagogical staff, a gastouder at home.
GROUP_LOGGERS = [
    str(role) for role, rule in ROLE_RULES.items() if rule.logs_observations and rule.level == ScopeLevel.GROUP
]


def _note_writer(organisation: Organisation, users: dict[int, User]) -> Callable[[Planned, str], str]:
    """How a planned note is written down: at a childminder's home it names the gastouder."""
    at_home = set(
        Group.objects.filter(location__organisation=organisation, location__kind=Location.Kind.CHILDMINDER).values_list(
            "pk", flat=True
        )
    )

    def words(plan: Planned, note: str) -> str:
        return in_the_carers_words(note, users[plan.observer_id].first_name) if plan.group_id in at_home else note

    return words


@transaction.atomic
def seed_demo_observations(organisation: Organisation) -> DemoObservationReport:
    """Create the missing demo observations of `organisation`'s children; see the module docstring."""
    report = DemoObservationReport()
    rng = random.Random(SEED)
    day = today()
    staff_by_group: dict[int, list[int]] = {}
    for group_id, user_id in (
        Membership.objects.filter(organisation=organisation, role__in=GROUP_LOGGERS)
        .order_by("group_id", "user__email")
        .values_list("group_id", "user_id")
    ):
        staff_by_group.setdefault(group_id, []).append(user_id)
    placements = {
        p.child_id: p
        for p in Placement.objects.running_on(day).filter(child__organisation=organisation).order_by("start_date")
    }
    children = list(Child.objects.filter(organisation=organisation).order_by("pk"))
    existing = set(
        Observation.objects.filter(child__organisation=organisation).values_list(
            "child_id", "observer_id", "date", "situation"
        )
    )
    plans: list[Planned] = []
    duo_plans: list[Planned] = []
    seen = set(existing)
    for index, child in enumerate(children):
        placement = placements.get(child.pk)
        staff = staff_by_group.get(placement.group_id) if placement else None
        if placement is None or not staff:
            continue
        child_plans = _plan_child(child, index, placement, staff, rng, day)
        duo_plans += [plan for plan in child_plans if plan.duo_with is not None]
        for plan in child_plans:
            if plan.key in seen:
                report.existing += 1 if plan.key in existing else 0
                continue
            seen.add(plan.key)
            plans.append(plan)
    users = {u.pk: u for u in User.objects.filter(pk__in={p.observer_id for p in plans})}
    words = _note_writer(organisation, users)
    observations = []
    for plan in plans:
        observation = Observation(
            child=plan.child,
            group_id=plan.group_id,
            observer_id=plan.observer_id,
            date=plan.date,
            situation=plan.situation,
            circumstances=plan.circumstances,
            note=words(plan, plan.note),
        )
        observations.append(_dated(observation, _saved_at(plan.date)))
    created = _create_with_history(Observation, observations, [users[p.observer_id] for p in plans], 500)
    ratings, raters = [], []
    for observation, plan in zip(created, plans, strict=True):
        for pillar, value, note in plan.ratings:
            rating = PillarRating(observation=observation, pillar=pillar, value=value, note=words(plan, note))
            ratings.append(_dated(rating, _saved_at(plan.date)))
            raters.append(users[plan.observer_id])
    _create_with_history(PillarRating, ratings, raters, 1000)
    if created:
        # Demo entries look as if saved on their own day (so the 7-day edit window is closed for old ones).
        saved_at = Least(Cast("date", DateTimeField()) + datetime.timedelta(hours=SAVED_HOUR), Now())
        Observation.objects.filter(pk__in=[o.pk for o in created]).update(created_at=saved_at, updated_at=saved_at)
    report.created = len(created)
    report.ratings = len(ratings)
    report.duos = _seed_duos(organisation, duo_plans, day)
    report.patterns = {
        f"{RECURRING_PILLAR}, too little, recurring across observers": ", ".join(
            " ".join(n) for n in sorted(RECURRING_COMFORT)
        ),
        f"{AFTER_BAD_SLEEP_PILLAR}, too much, only after slept badly": ", ".join(
            " ".join(n) for n in sorted(AFTER_BAD_SLEEP)
        ),
        "too few observations": ", ".join(" ".join(n) for n in sorted(TOO_FEW)),
    }
    return report


def _seed_duos(organisation: Organisation, duo_plans: list[Planned], day: datetime.date) -> int:
    """The planned duo-observations behind the duo entries, and one for today (Daan Mulder, by
    medewerker@example.org and a colleague), each created once."""
    coach = User.objects.filter(memberships__organisation=organisation, memberships__role=Role.COACH).first()
    if coach is None:
        return 0
    wanted: list[tuple[int, datetime.date, int | None, int | None, list[str]]] = [
        (p.child.pk, p.date, p.duo_with, p.observer_id, [r[0] for r in p.ratings]) for p in duo_plans
    ]
    daan = Child.objects.filter(organisation=organisation, first_name="Daan", last_name="Mulder").first()
    lotte = User.objects.filter(email="medewerker@example.org").first()
    if daan is not None and lotte is not None:
        colleagues = [p for p in duo_plans if p.child.pk == daan.pk and lotte.pk in (p.observer_id, p.duo_with)]
        if colleagues:
            other = colleagues[0].observer_id if colleagues[0].duo_with == lotte.pk else colleagues[0].duo_with
            wanted.append((daan.pk, day, lotte.pk, other, [RECURRING_PILLAR]))
    planned = DuoObservation.objects.filter(child__organisation=organisation)
    existing = set(planned.values_list("child_id", "planned_date"))
    new = [
        DuoObservation(child_id=c, planned_date=d, staff_a_id=a, staff_b_id=b, pillars=pillars, planned_by=coach)
        for c, d, a, b, pillars in wanted
        if (c, d) not in existing and a is not None and b is not None
    ]
    DuoObservation.objects.bulk_create(new)
    return len(new)
