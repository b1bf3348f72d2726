"""Applying a plan: one transaction, all or nothing, idempotent (the same file again plans every row
unchanged and writes nothing but the access log's line saying who read it in).

Rows are written in bulk with their history (django-simple-history's bulk helpers; the history user
is the importer, named through staff.history.changes_by as for any write outside a request). The
organisation's row is locked for the transaction, so two imports of one organisation take turns.
The locations and groups the plan adds are created first (they have no history of their own; the
access log's line names them), and the rows that name them get their ids. A location or group the
file no longer names is left as it is: the import never removes or ends a place.
A child the export no longer lists ends only with `confirm_ending`: its placement gets yesterday as
its end date, which starts the retention clock (privacy/retention.py: the record is removed
RETENTION_MONTHS_AFTER_LEAVING months after the last placement ended).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Lower
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from access_log.models import AccessLog
from children.models import Child, Mentorship, Placement
from organisations.calendar import today
from organisations.models import Group, Location, Organisation
from planning_import.planning import ChildLine, ImportPlan, MembershipPlan, PlaceKind, Status, plan_import
from staff.history import changes_by
from staff.invitations import invite
from staff.models import Membership, User

BATCH = 1000


@dataclass
class ImportResult:
    children_new: int = 0
    children_changed: int = 0
    children_unchanged: int = 0
    children_ended: int = 0
    endings_waiting: int = 0  # children the file no longer lists, left placed (no confirm_ending)
    staff_new: int = 0
    memberships_new: int = 0
    locations_new: int = 0
    groups_new: int = 0
    groups_changed: int = 0
    touched: list[int] = field(default_factory=list)


@contextmanager
def _history_by(user: User | None) -> Iterator[None]:
    if user is None:
        yield
        return
    with changes_by(user):
        yield


def apply_import(plan: ImportPlan, *, by: User | None = None, confirm_ending: bool = False) -> ImportResult:
    """Write what `plan` says (refused rows are left out), all or nothing. The plan is made again
    from its rows once the organisation is locked: what it writes compares with the records as they
    are then (the dry run a person read may be minutes old; another import may have run since)."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=plan.organisation_id)
        if plan.mapping is not None:  # again, now that no other import of the organisation runs
            plan = plan_import(organisation, plan.rows, plan.mapping)
        result = ImportResult(endings_waiting=0 if confirm_ending else len(plan.endings))
        with _history_by(by):
            _with_ids(plan, _apply_places(plan, organisation, result))
            _apply_staff(plan, organisation, result, by)
            _apply_children(plan, organisation, result)
            if confirm_ending:
                _apply_endings(plan, result)
        # One line naming who read the file in, with the counts. It lists no children: an import shows
        # nobody's observations, and the history of each record names the importer already.
        AccessLog.objects.create(
            user=by,
            organisation=organisation,
            action=AccessLog.Action.IMPORTED,
            details={
                "new": result.children_new,
                "changed": result.children_changed,
                "ended": result.children_ended,
                "unchanged": result.children_unchanged,
                "refused": len(plan.refused),
                "staff_new": result.staff_new,
                "memberships_new": result.memberships_new,
                "locations_new": result.locations_new,
                "groups_new": result.groups_new,
                "groups_changed": result.groups_changed,
                # places are no one's personal data: named, so the log says which ones the file added
                "places_new": [
                    f"{line.location_name} / {line.name}" if line.kind == PlaceKind.GROUP else line.name
                    for line in plan.places
                    if line.status == Status.NEW
                ],
            },
        )
    return result


def _apply_places(plan: ImportPlan, organisation: Organisation, result: ImportResult) -> dict[int, int]:
    """Create the new locations, then the new groups, and give groups their new ages; returns each
    planned (negative) id with the id of the record made for it."""
    ids: dict[int, int] = {}
    new = [line for line in plan.places if line.status == Status.NEW]
    locations = [line for line in new if line.kind == PlaceKind.LOCATION]
    made = Location.objects.bulk_create(
        [Location(organisation=organisation, name=line.name, kind=line.location_kind) for line in locations]
    )
    ids.update((line.ref, location.pk) for line, location in zip(locations, made, strict=True))
    groups = [line for line in new if line.kind == PlaceKind.GROUP]
    made_groups = Group.objects.bulk_create(
        [
            Group(
                location_id=_saved_id(ids, line.location_ref),
                name=line.name,
                **({"min_age_months": line.ages[0], "max_age_months": line.ages[1]} if line.ages else {}),
            )
            for line in groups
        ]
    )
    ids.update((line.ref, group.pk) for line, group in zip(groups, made_groups, strict=True))
    changed = {line.ref: line.ages for line in plan.places if line.status == Status.CHANGED and line.ages}
    existing = Group.objects.in_bulk(list(changed))
    for pk, (low, high) in changed.items():
        existing[pk].min_age_months, existing[pk].max_age_months = low, high
    if existing:
        Group.objects.bulk_update(list(existing.values()), ["min_age_months", "max_age_months"])
    result.locations_new, result.groups_new, result.groups_changed = len(locations), len(groups), len(existing)
    return ids


def _saved_id(ids: dict[int, int], ref: int | None) -> int:
    assert ref is not None  # a group's location: one the organisation has, or one made just now
    return ids.get(ref, ref)


def _with_ids(plan: ImportPlan, ids: dict[int, int]) -> None:
    """The rows that name a new place name its record now."""
    if not ids:
        return
    for line in plan.children:
        if line.placement.group_id in ids:
            line.placement = dataclasses.replace(line.placement, group_id=ids[line.placement.group_id])
    for staff in plan.staff:
        staff.memberships = [
            MembershipPlan(m.role, ids.get(m.location_id or 0, m.location_id), ids.get(m.group_id or 0, m.group_id))
            for m in staff.memberships
        ]


def _apply_staff(plan: ImportPlan, organisation: Organisation, result: ImportResult, by: User | None) -> None:
    users: dict[str, User] = {}
    memberships = []
    for line in plan.staff:
        if line.status == Status.UNCHANGED:
            continue
        user = users.get(line.email)
        if user is None and line.user_id is None:
            user = User.objects.create_user(line.email, None, first_name=line.first_name, last_name=line.last_name)
            result.staff_new += 1  # no usable password: an invitation to choose one, mailed after the commit
            invite(user, organisation=organisation, by=by)
        elif user is None and line.user_id is not None:
            user = User.objects.get(pk=line.user_id)
        assert user is not None
        users[line.email] = user
        if line.name_changed:
            user.first_name, user.last_name = line.first_name, line.last_name
            user.save(update_fields=["first_name", "last_name"])
        memberships += [
            Membership(
                user=user, organisation=organisation, role=m.role, location_id=m.location_id, group_id=m.group_id
            )
            for m in line.memberships
        ]
    bulk_create_with_history(memberships, Membership, batch_size=BATCH)
    result.memberships_new = len(memberships)


def _mentor_ids(plan: ImportPlan) -> dict[str, int]:
    emails = {line.mentor_email for line in plan.children if line.mentor_changed}
    if not emails:
        return {}
    users = User.objects.annotate(lower_email=Lower("email")).filter(lower_email__in=emails)
    return {email.lower(): pk for pk, email in users.values_list("pk", "email")}


def _apply_children(plan: ImportPlan, organisation: Organisation, result: ImportResult) -> None:
    lines = [line for line in plan.children if line.status != Status.UNCHANGED]
    result.children_unchanged = len(plan.children) - len(lines)
    new = [line for line in lines if line.child_id is None]
    made = bulk_create_with_history(
        [Child(organisation=organisation, **line.values) for line in new], Child, batch_size=BATCH
    )
    children = {id(line): child.pk for line, child in zip(new, made, strict=True)}
    result.children_new = len(new)
    changed = [line for line in lines if line.child_id is not None]
    result.children_changed = len(changed)
    for line in changed:
        children[id(line)] = line.child_id
    _update_children(changed)
    _apply_placements(lines, children)
    _apply_mentors(lines, children, _mentor_ids(plan))
    Child.objects.filter(pk__in=[line.child_id for line in changed]).record_changed()  # bulk: no save()
    result.touched += children.values()


def _update_children(lines: list[ChildLine]) -> None:
    lines = [line for line in lines if line.changed_fields]
    if not lines:
        return
    fields = sorted({name for line in lines for name in line.changed_fields})
    children = Child.objects.in_bulk([line.child_id for line in lines])
    for line in lines:
        child = children[line.child_id]
        for name in line.changed_fields:
            setattr(child, name, line.values[name])
    bulk_update_with_history(list(children.values()), Child, fields, batch_size=BATCH)


def _apply_placements(lines: list[ChildLine], children: dict[int, int]) -> None:
    """Moves first (the old placement ends the day before the new one starts), then the changes of
    existing placements, then the new ones."""
    closing = {
        pk: line.placement.start_date - datetime.timedelta(days=1) for line in lines for pk in line.close_placements
    }
    changed = {
        line.placement.placement_id: line.placement
        for line in lines
        if line.placement.placement_id and line.placement_changed
    }
    existing = Placement.objects.in_bulk([*closing, *changed])
    for pk, end in closing.items():
        existing[pk].end_date = end
    for pk, planned in changed.items():
        existing[pk].start_date, existing[pk].end_date = planned.start_date, planned.end_date
    if existing:
        bulk_update_with_history(list(existing.values()), Placement, ["start_date", "end_date"], batch_size=BATCH)
    new = [
        Placement(
            child_id=children[id(line)],
            group_id=line.placement.group_id,
            start_date=line.placement.start_date,
            end_date=line.placement.end_date,
        )
        for line in lines
        if line.placement.placement_id is None
    ]
    bulk_create_with_history(new, Placement, batch_size=BATCH)


def _apply_mentors(lines: list[ChildLine], children: dict[int, int], mentors: dict[str, int]) -> None:
    """A new mentor hands over: the current mentorship ends yesterday (or the day it started), the
    new one starts today; a new child's mentor starts with its placement."""
    day = today()
    handing_over = [line.child_id for line in lines if line.mentor_changed and line.child_id is not None]
    current = list(Mentorship.objects.current().filter(child_id__in=handing_over))
    for mentorship in current:
        mentorship.end_date = max(day - datetime.timedelta(days=1), mentorship.start_date)
    if current:
        bulk_update_with_history(current, Mentorship, ["end_date"], batch_size=BATCH)
    new = [
        Mentorship(
            child_id=children[id(line)],
            mentor_id=mentors[line.mentor_email],
            start_date=line.placement.start_date if line.child_id is None else day,
        )
        for line in lines
        if line.mentor_changed
    ]
    bulk_create_with_history(new, Mentorship, batch_size=BATCH)


def _apply_endings(plan: ImportPlan, result: ImportResult) -> None:
    placements = Placement.objects.in_bulk([pk for ending in plan.endings for pk in ending.placement_ids])
    mentorships = Mentorship.objects.in_bulk([pk for ending in plan.endings for pk in ending.mentorship_ids])
    for ending in plan.endings:
        for pk in ending.placement_ids:
            if pk in placements and placements[pk].end_date is None:
                placements[pk].end_date = ending.end_date
        for pk in ending.mentorship_ids:
            if pk in mentorships and mentorships[pk].end_date is None:
                mentorships[pk].end_date = max(ending.end_date, mentorships[pk].start_date)
    if placements:
        bulk_update_with_history(list(placements.values()), Placement, ["end_date"], batch_size=BATCH)
    if mentorships:
        bulk_update_with_history(list(mentorships.values()), Mentorship, ["end_date"], batch_size=BATCH)
    Child.objects.filter(pk__in=[ending.child_id for ending in plan.endings]).record_changed()
    result.children_ended = len(plan.endings)
    result.touched += [ending.child_id for ending in plan.endings]
