"""Writes: creating, changing and removing observations.

Every function takes keyword arguments, checks every rule, and saves in one
transaction. Broken rules raise ValidationError with messages for the person
at the screen (keys: field names, pillar codes, or NON_FIELD_ERRORS).
"""

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, NotRequired, TypedDict, Unpack

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children.entries import EntryKit, EntryWords, Errors, add_error, check_length
from children.models import Child, Placement
from observations.choices import Circumstance, Situation
from observations.models import NOTE_MAX_LENGTH, Observation, PillarRating, Visit, VisitObservation
from observations.pillars import Direction, Pillar, Strength, all_pillars, rating_value
from organisations.calendar import numeric_date
from organisations.models import Group
from organisations.text import visible_text
from staff.access import loggable_groups, visit_locations
from staff.models import ROLE_RULES, Membership, User
from staff.scope import GroupPlace


@dataclass(frozen=True)
class RatingInput:
    """One pillar as the observer filled it in: `kind` is 'typical', 'low' or 'high'
    ('' when the pillar was not rated), `strength` 'slight', 'clear' or ''."""

    pillar: str
    kind: str = ""
    strength: str = ""
    note: str = ""


TYPICAL_KIND = "typical"

# The entry mechanics (submission key, edit window, version claim, date checks): children/entries.py.
ENTRY = EntryKit(
    Observation,
    author="observer",
    removable=True,
    words=EntryWords(
        missing_date=gettext_lazy("Enter the date of the observation."),
        future_date=gettext_lazy("The date cannot be in the future."),
        form_used=gettext_lazy("This form was already used for another entry. Start again."),
        closed=gettext_lazy("Only the observer can change or remove an observation, and only within %(days)d days."),
        conflict=gettext_lazy(
            "Someone else changed or removed this observation after you opened it. "
            "Your changes were not saved: reload the observation and try again."
        ),
    ),
)


def _check_note(errors: Errors, key: str, note: str, label: str) -> None:
    check_length(errors, key, note, label=label, max_length=NOTE_MAX_LENGTH)


def _rating_problems(pillar: Pillar, rating: RatingInput) -> list[str]:
    """What is wrong with the kind and strength of one pillar's rating (empty: nothing)."""
    name = pillar.name
    if not rating.kind:
        if rating.strength:
            return [
                _("%(pillar)s: first choose %(poles)s, then slight or clear.")
                % {"pillar": name, "poles": pillar.pole_choice()}
            ]
        if visible_text(rating.note):
            return [_("%(pillar)s: you wrote a note; choose typical or atypical as well.") % {"pillar": name}]
        return []
    if rating.kind == TYPICAL_KIND:
        return [_("%(pillar)s: a typical rating has no strength.") % {"pillar": name}] if rating.strength else []
    if rating.kind not in Direction.values:
        return [_("%(pillar)s: this rating is not on the scale.") % {"pillar": name}]
    problems = []
    if not pillar.allows(rating.kind):
        problems.append(
            _("%(pillar)s has no atypical side “%(side)s”; choose %(poles)s.")
            % {"pillar": name, "side": Direction(rating.kind).label, "poles": pillar.pole_choice()}
        )
    if rating.strength not in Strength.values:
        problems.append(_("%(pillar)s: choose slight or clear.") % {"pillar": name})
    return problems


def _check_ratings(errors: Errors, ratings: Iterable[RatingInput]) -> dict[str, tuple[int, str]]:
    """Validate the pillar ratings; return {pillar code: (scale value, note)} of the rated pillars."""
    result: dict[str, tuple[int, str]] = {}
    pillars = {p.code: p for p in all_pillars()}
    for rating in ratings:
        pillar = pillars.get(rating.pillar)
        if pillar is None:
            add_error(errors, NON_FIELD_ERRORS, _("The form holds a pillar that does not exist."))
            continue
        own = _rating_problems(pillar, rating)
        note = visible_text(rating.note)
        _check_note(errors, rating.pillar, note, _("The note on %(pillar)s") % {"pillar": pillar.name})
        if own:
            errors.setdefault(rating.pillar, []).extend(own)
        elif rating.kind:
            direction = None if rating.kind == TYPICAL_KIND else rating.kind
            result[rating.pillar] = (rating_value(direction, rating.strength), note)
    if not result and not errors:
        add_error(errors, NON_FIELD_ERRORS, _("Rate at least one pillar you saw."))
    return result


def _group_on(*, child: Child, observer: User, date: datetime.date) -> Group | None:
    """The observer's group the child was placed in on `date`, if any."""
    placement = (
        Placement.objects.running_on(date)
        .filter(child=child, group__in=loggable_groups(observer))
        .select_related("group")
        .order_by("group__name")
        .first()
    )
    return placement.group if placement else None


def _group_at_visit(*, child: Child, observer: User, visit: Visit) -> Group | None:
    """During a home visit: the group of the visited childminder's home the child was placed in on the
    day of the visit, when the observer is the visit's consultant and still visits that home."""
    if visit.consultant_id != observer.pk or not visit_locations(observer).filter(pk=visit.location_id).exists():
        return None
    placement = (
        Placement.objects.running_on(visit.visited_on)
        .filter(child=child, group__location_id=visit.location_id)
        .select_related("group")
        .order_by("group__name")
        .first()
    )
    return placement.group if placement else None


def _group_of_the_day(
    errors: Errors, *, child: Child, observer: User, date: datetime.date | None, visit: Visit | None = None
) -> Group | None:
    """The observer's group the child was placed in on a date the entry kit accepts; else None, with
    the message. During a home visit: the visited home's group, on the day of the visit."""
    if not ENTRY.check_date(errors, date, child=child) or date is None:
        return None
    if visit is not None and date != visit.visited_on:
        errors["date"] = [
            _("An observation during a home visit has the date of the visit, %(date)s.")
            % {"date": numeric_date(visit.visited_on)}
        ]
        return None
    if visit is not None:
        group = _group_at_visit(child=child, observer=observer, visit=visit)
    else:
        group = _group_on(child=child, observer=observer, date=date)
    if group is None:
        errors["date"] = [
            _("On %(date)s %(child)s was not placed in one of your groups.")
            % {"date": numeric_date(date), "child": child.first_name}
        ]
    return group


def people_of_groups(groups: QuerySet[Group] | Sequence[GroupPlace]) -> QuerySet[User]:
    """Who may be named as having observed together with the observer in these groups: the active users
    with a role that reads observations (ROLE_RULES) in one of the groups, at its location or in its whole
    organisation (a colleague, the coach, the childminder agency's consultant), in the order of their
    names. Subqueries on the memberships, so the organisation's other places are never joined in; for
    groups in hand with their places (children/access.py `places_today`), their ids written out."""
    observing = [str(role) for role, rule in ROLE_RULES.items() if rule.reads_observations]
    if isinstance(groups, QuerySet):
        group_ids: Any = groups.values("pk")
        location_ids: Any = groups.values("location_id")
        organisation_ids: Any = groups.values("location__organisation_id")
    else:
        group_ids = sorted({place.group_id for place in groups})
        location_ids = sorted({place.location_id for place in groups})
        organisation_ids = sorted({place.organisation_id for place in groups})
    members = Membership.objects.filter(role__in=observing).filter(
        Q(group_id__in=group_ids)
        | Q(group_id__isnull=True, location_id__in=location_ids)
        | Q(group_id__isnull=True, location_id__isnull=True, organisation_id__in=organisation_ids)
    )
    return User.objects.filter(is_active=True, pk__in=members.values("user_id")).order_by(
        "first_name", "last_name", "email"
    )


def _check_observed_with(errors: Errors, observed_with: User | None, *, observer: User, group: Group | None) -> None:
    """The second person of the entry, if any: someone else than the observer, one of the group's people."""
    if observed_with is None or group is None:
        return
    if observed_with.pk == observer.pk:
        errors["observed_with"] = [_("You observed together with someone else: choose them, or leave this empty.")]
    elif not people_of_groups(Group.objects.filter(pk=group.pk)).filter(pk=observed_with.pk).exists():
        errors["observed_with"] = [_("Choose someone who works with %(group)s.") % {"group": group.name}]


@dataclass(frozen=True)
class _CheckedEntry:
    """An entry that passed every rule, as it is saved."""

    group: Group
    date: datetime.date
    situation: str
    circumstances: list[str]  # in the order of the list they are chosen from
    note: str
    ratings: dict[str, tuple[int, str]]  # pillar code: (scale value, note) of the rated pillars
    observed_with: User | None = None  # who observed together with the observer (a second pair of eyes)
    visit: Visit | None = None  # made during this home visit

    def fields(self) -> dict[str, Any]:
        """The observation's own fields."""
        return {
            "group": self.group,
            "observed_with": self.observed_with,
            "date": self.date,
            "situation": self.situation,
            "circumstances": self.circumstances,
            "note": self.note,
        }

    def write_rows(self, observation: Observation) -> None:
        """Make the observation's ratings these: add, change and delete (each kept in the history)."""
        current = {r.pillar: r for r in observation.ratings.all()}
        for code, rating in current.items():
            if code not in self.ratings:
                rating.delete()
        for code, (value, note) in self.ratings.items():
            held = current.get(code)
            if held is None:
                PillarRating.objects.create(observation=observation, pillar=code, value=value, note=note)
            elif (held.value, held.note) != (value, note):
                held.value, held.note = value, note
                held.save(update_fields=["value", "note"])
        if self.visit is not None:
            VisitObservation.objects.get_or_create(observation=observation, defaults={"visit": self.visit})


def _checked_entry(
    *,
    child: Child,
    observer: User,
    date: datetime.date | None,
    situation: str,
    circumstances: Iterable[str],
    note: str = "",
    ratings: Iterable[RatingInput],
    observed_with: User | None = None,
    visit: Visit | None = None,
) -> _CheckedEntry:
    """Every rule of an entry: the entry as it is saved, or ValidationError with every message."""
    errors: Errors = {}
    group = _group_of_the_day(errors, child=child, observer=observer, date=date, visit=visit)
    if situation not in Situation.values:
        errors["situation"] = [_("Choose the moment of the observation.")]
    circumstances = list(circumstances)
    unknown = [c for c in circumstances if c not in Circumstance.values]
    if unknown or len(set(circumstances)) != len(circumstances):
        errors["circumstances"] = [_("Choose circumstances from the list.")]
    note = visible_text(note)
    _check_note(errors, "note", note, _("The general note"))
    values = _check_ratings(errors, ratings)
    _check_observed_with(errors, observed_with, observer=observer, group=group)
    if errors or group is None or date is None:  # the group and the date are set whenever nothing is wrong
        raise ValidationError(errors)
    return _CheckedEntry(group, date, situation, _in_order(circumstances), note, values, observed_with, visit)


class ObservationFields(TypedDict):
    """What the observer fills in: the arguments of observation_create and observation_update."""

    date: datetime.date | None
    situation: str
    circumstances: list[str]
    note: NotRequired[str]
    ratings: list[RatingInput]
    observed_with: NotRequired[User | None]


def observation_create(
    *,
    child: Child,
    observer: User,
    submission_key: uuid.UUID | None = None,
    visit: Visit | None = None,
    **fields: Unpack[ObservationFields],
) -> tuple[Observation, bool]:
    """Save a new observation with its pillar ratings, all or nothing.

    Returns (observation, created). A second call with the same `submission_key`
    (double click, resubmitted form, two requests at once) returns the first
    observation and creates nothing. With `visit`: made by the visit's consultant during that home
    visit, of a child placed at the visited childminder's home that day (linked to the visit).
    """
    check = partial(_checked_entry, child=child, observer=observer, visit=visit, **fields)
    return ENTRY.create_once(submission_key, child=child, author=observer, check=check)


def _in_order(circumstances: list[str]) -> list[str]:
    """The circumstances in the order of the list they are chosen from."""
    order: list[str] = Circumstance.values
    return sorted(circumstances, key=order.index)


# can_change(observation, user): only the observer, only while it is not removed, only within the edit window.
can_change = ENTRY.can_change


def observation_update(
    *, observation: Observation, editor: User, version: int, **fields: Unpack[ObservationFields]
) -> Observation:
    """Change an observation; every change is kept in its history (who, when, before, after). One made
    during a home visit keeps to the visit's rules."""
    entry = _checked_entry(child=observation.child, observer=editor, visit=visit_of(observation), **fields)
    return ENTRY.change(observation, editor=editor, version=version, checked=entry)


def visit_of(observation: Observation) -> Visit | None:
    """The home visit the observation was made during, if any."""
    link = VisitObservation.objects.filter(observation=observation).select_related("visit").first()
    return link.visit if link else None


def observation_remove(*, observation: Observation, editor: User, version: int) -> Observation:
    """Soft removal: the entry disappears from every page but stays in the audit trail."""
    return ENTRY.remove(observation, editor=editor, version=version)
