"""Home visits (huisbezoeken): the agency's consultant visits each childminder's home at least once a
year, observes the children there with the ordinary entry form (observations/services.py
`observation_create` with `visit`) and writes down what was agreed with the childminder.

Who may: staff/access.py `visit_locations` and `UserAccess.records_visits_at` (ROLE_RULES:
`records_visits`). The visits overview with the children's attention points: reports/visits.py.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from children.entries import Errors, add_error, check_length
from children.models import Child
from observations.models import AGREEMENTS_MAX_LENGTH, Observation, Visit, VisitPlan
from organisations.calendar import months_cutoff, today
from organisations.models import Location
from organisations.text import visible_text
from staff.access import visit_locations
from staff.models import User
from staff.scope import AnyUser

# A childminder's home is visited at least once a year.
VISIT_YEARLY_MONTHS = 12


def is_yearly_visit_missing(last: datetime.date | None, day: datetime.date) -> bool:
    """No home visit in the last 12 months before `day` (calendar months, organisations/calendar.py
    `months_cutoff`: on 1 March 2028 a visit of 1 March 2027 still counts, on 2 March it does not)."""
    return last is None or last < months_cutoff(day, VISIT_YEARLY_MONTHS)


# --- reads ---------------------------------------------------------------------------------------


def visit_home(user: AnyUser, location_pk: int) -> Location:
    """A childminder's home the user visits; Http404 for any other location."""
    location = visit_locations(user).select_related("organisation").filter(pk=location_pk).first()
    if location is None:
        raise Http404
    return location


def visit_for(user: AnyUser, pk: int) -> Visit:
    """A visit to a home the user visits (any consultant's there); Http404 for anything else."""
    visit = (
        Visit.objects.filter(location__in=visit_locations(user), pk=pk).select_related("location", "consultant").first()
    )
    if visit is None:
        raise Http404
    return visit


def own_visit(user: User, pk: int) -> Visit:
    """A visit the user made, to a home they still visit: they change it and observe during it."""
    visit = visit_for(user, pk)
    if visit.consultant_id != user.pk:
        raise Http404
    return visit


@dataclass(frozen=True)
class VisitChild:
    """A child placed at the visited home on the day of the visit, with what the consultant saw then."""

    child: Child
    observations: list[Observation]


def visit_children(visit: Visit) -> list[VisitChild]:
    """The children placed at the home on the day of the visit, by first name, each with the live
    observations made during the visit. Two queries."""
    children = list(
        Child.objects.placed_on(visit.visited_on, visit.location.groups.all()).order_by("first_name", "last_name")
    )
    seen: dict[int, list[Observation]] = {}
    during = Observation.objects.active().filter(visit_link__visit=visit).select_related("observer")
    for observation in during.order_by("created_at"):
        seen.setdefault(observation.child_id, []).append(observation)
    return [VisitChild(child, seen.get(child.pk, [])) for child in children]


def visit_history(visit: Visit) -> list[Any]:
    """Who recorded and changed the visit, when: its history rows, newest first. One query."""
    return list(visit.history.select_related("history_user").order_by("-history_date"))


def last_visits(location_ids: list[int]) -> dict[int, Visit]:
    """The last visit to each of these homes, by location id. One query."""
    rows = (
        Visit.objects.filter(location_id__in=location_ids)
        .select_related("consultant")
        .order_by("location_id", "-visited_on", "-created_at")
        .distinct("location_id")
    )
    return {visit.location_id: visit for visit in rows}


def planned_visits(location_ids: list[int]) -> dict[int, datetime.date]:
    """The next visit planned at each of these homes, by location id. One query."""
    return dict(VisitPlan.objects.filter(location_id__in=location_ids).values_list("location_id", "planned_on"))


def planned_visit(location: Location) -> datetime.date | None:
    return planned_visits([location.pk]).get(location.pk)


# --- writes --------------------------------------------------------------------------------------


def _check_visit_date(errors: Errors, visited_on: datetime.date | None) -> None:
    if visited_on is None:
        add_error(errors, "visited_on", _("Enter the date of the visit."))
    elif visited_on > today():
        add_error(errors, "visited_on", _("The date cannot be in the future."))


def _check_next_visit(errors: Errors, next_visit_on: datetime.date | None, after: datetime.date | None) -> None:
    if next_visit_on is None:
        return
    if next_visit_on < today() or (after is not None and next_visit_on <= after):
        add_error(errors, "next_visit_on", _("Plan the next visit on a day after the visit and not in the past."))


def _check_agreements(errors: Errors, agreements: str) -> str:
    agreements = visible_text(agreements)
    check_length(
        errors,
        "agreements",
        agreements,
        label=_("The agreements with the childminder"),
        max_length=AGREEMENTS_MAX_LENGTH,
    )
    return agreements


def _refuse_outside(location: Location, user: User) -> None:
    if not visit_locations(user).filter(pk=location.pk).exists():
        raise ValidationError({NON_FIELD_ERRORS: [_("You do not visit this childminder's home.")]})


def _plan(location: Location, user: User, planned_on: datetime.date | None) -> None:
    if planned_on is not None:
        VisitPlan.objects.update_or_create(location=location, defaults={"planned_on": planned_on, "planned_by": user})


def visit_create(
    *,
    location: Location,
    consultant: User,
    visited_on: datetime.date | None,
    agreements: str = "",
    next_visit_on: datetime.date | None = None,
    submission_key: uuid.UUID | None = None,
) -> tuple[Visit, bool]:
    """Record a home visit (and plan the next one), all or nothing. Returns (visit, created): a second
    call with the same `submission_key` (a double click) returns the first visit and writes nothing."""
    key = submission_key or uuid.uuid4()
    existing = Visit.objects.filter(submission_key=key, consultant=consultant, location=location).first()
    if existing is not None:
        return existing, False
    _refuse_outside(location, consultant)
    errors: Errors = {}
    _check_visit_date(errors, visited_on)
    agreements = _check_agreements(errors, agreements)
    _check_next_visit(errors, next_visit_on, visited_on)
    if errors or visited_on is None:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                location=location,
                consultant=consultant,
                visited_on=visited_on,
                agreements=agreements,
                submission_key=key,
            )
            _plan(location, consultant, next_visit_on)
    except IntegrityError:  # the twin request saved first
        twin = Visit.objects.filter(submission_key=key, consultant=consultant, location=location).first()
        if twin is None:
            raise
        return twin, False
    return visit, True


def visit_update(*, visit: Visit, editor: User, agreements: str, next_visit_on: datetime.date | None = None) -> Visit:
    """Change what was agreed at a visit (its consultant only) and plan the next one; the date stays,
    as the observations made during the visit carry it. Every change is kept in the history."""
    if visit.consultant_id != editor.pk:
        raise ValidationError({NON_FIELD_ERRORS: [_("Only the consultant who made the visit changes it.")]})
    _refuse_outside(visit.location, editor)
    errors: Errors = {}
    agreements = _check_agreements(errors, agreements)
    _check_next_visit(errors, next_visit_on, visit.visited_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if agreements != visit.agreements:
            visit.agreements = agreements
            visit.save(update_fields=["agreements", "updated_at"])
        _plan(visit.location, editor, next_visit_on)
    return visit


def plan_next_visit(*, location: Location, user: User, planned_on: datetime.date | None) -> VisitPlan:
    """Plan the next home visit at `location` (the visits overview's date field)."""
    _refuse_outside(location, user)
    errors: Errors = {}
    if planned_on is None:
        add_error(errors, "planned_on", _("Enter the date of the next visit."))
    elif planned_on < today():
        add_error(errors, "planned_on", _("Plan the next visit on a day that is not in the past."))
    if errors or planned_on is None:
        raise ValidationError(errors)
    plan, _created = VisitPlan.objects.update_or_create(
        location=location, defaults={"planned_on": planned_on, "planned_by": user}
    )
    return plan
