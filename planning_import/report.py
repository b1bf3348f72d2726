"""The dry run and the result in words (Dutch through the catalogue), line by line: the command prints
them, a page can show them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.calendar import numeric_date
from organisations.models import Location
from planning_import.applying import ImportResult
from planning_import.planning import ImportPlan, PlaceKind, PlaceLine, Refusal, Status
from planning_import.reading import Table


def _refusal(refusal: Refusal) -> str:
    if refusal.what:
        return _("Line %(line)d (%(what)s): %(reason)s") % {
            "line": refusal.line,
            "what": refusal.what,
            "reason": refusal.reason,
        }
    return _("Line %(line)d: %(reason)s") % {"line": refusal.line, "reason": refusal.reason}


def unread_sheets(table: Table) -> str | None:
    """An Excel file with more than one sheet: which one was read, and which were not."""
    if not table.other_sheets:
        return None
    return _("Only the first sheet, “%(sheet)s”, is read; the other sheets are not: %(others)s.") % {
        "sheet": table.sheet,
        "others": ", ".join(table.other_sheets),
    }


def describe_table(table: Table, name: str) -> str:
    if table.kind == "xlsx":
        described = _("%(file)s: Excel file, %(rows)d lines") % {"file": name, "rows": len(table.rows)}
        unread = unread_sheets(table)
        return f"{described}. {unread}" if unread else described
    delimiter = {";": _("semicolon"), ",": _("comma"), "\t": _("tab")}.get(table.delimiter, table.delimiter)
    return _("%(file)s: CSV, %(encoding)s, separated by %(delimiter)s, %(rows)d lines") % {
        "file": name,
        "encoding": table.encoding.upper(),
        "delimiter": delimiter,
        "rows": len(table.rows),
    }


def place_words(line: PlaceLine, *, ages: bool = True) -> str:
    """In words: "new location Kindercentrum De Zon", "new group Zonnetjes at Kindercentrum De Zon (0 to 24 months)"."""
    if line.kind == PlaceKind.LOCATION:
        if line.status == Status.NEW:
            return _("new location %(name)s") % {"name": line.name}
        return _("location %(name)s") % {"name": line.name}
    words = {"name": line.name, "location": line.location_name}
    if line.status == Status.NEW:
        text = _("new group %(name)s at %(location)s") % words
    else:
        text = _("group %(name)s at %(location)s") % words
    if ages and line.ages:
        text += " (" + _("%(low)s to %(high)s months") % {"low": line.ages[0], "high": line.ages[1]} + ")"
    return text


def place_detail(line: PlaceLine) -> str:
    """What the dry run's table says beside a location or group: what changes, else its kind or ages."""
    if line.changes:
        return ", ".join(line.changes)
    if line.kind == PlaceKind.LOCATION:
        return str(Location.Kind(line.location_kind).label) if line.location_kind else ""
    return _("%(low)s to %(high)s months") % {"low": line.ages[0], "high": line.ages[1]} if line.ages else ""


def lookalike_warning(line: PlaceLine) -> str:
    """ "Looks like the existing group Rupsjes: a typo?", or "" when the new place resembles none."""
    if not line.lookalike:
        return ""
    words = {"name": line.lookalike, "line": line.lookalike_line}
    if line.lookalike_line is None:
        if line.kind == PlaceKind.LOCATION:
            return _("Looks like the existing location %(name)s: a typo?") % words
        return _("Looks like the existing group %(name)s: a typo?") % words
    if line.kind == PlaceKind.LOCATION:
        return _("Looks like the new location %(name)s (line %(line)d): a typo?") % words
    return _("Looks like the new group %(name)s (line %(line)d): a typo?") % words


def lookalikes_summary(plan: ImportPlan) -> str:
    """How many new places look like another, to read before applying; "" when none does."""
    count = len(plan.lookalikes)
    if not count:
        return ""
    return ngettext(
        "%(count)d new location or group looks like another: check its name before reading in.",
        "%(count)d new locations or groups look like another: check their names before reading in.",
        count,
    ) % {"count": count}


def places_summary(plan: ImportPlan) -> str:
    return _("Locations: %(locations)d new. Groups: %(new)d new, %(changed)d changed.") % {
        "locations": plan.place_count(PlaceKind.LOCATION, Status.NEW),
        "new": plan.place_count(PlaceKind.GROUP, Status.NEW),
        "changed": plan.place_count(PlaceKind.GROUP, Status.CHANGED),
    }


def places_stay() -> str:
    return _(
        "Locations and groups the file does not name stay as they are: reading in never removes or ends a "
        "location or group."
    )


def describe_plan(plan: ImportPlan, *, confirm_ending: bool) -> list[str]:
    """The counts, what changes, the children no longer listed and every refused row with its reason."""
    lines = [places_summary(plan)]
    for place in plan.places:
        if place.status != Status.UNCHANGED:
            text = _("Line %(line)d: %(place)s") % {"line": place.line, "place": place_words(place)}
            if place.lookalike:
                text += ". " + lookalike_warning(place)
            lines.append("  " + text)
    if plan.lookalikes:
        lines.append(lookalikes_summary(plan))
    lines.append(places_stay())
    lines += [
        _("Children: %(new)d new, %(changed)d changed, %(ending)d ending, %(unchanged)d unchanged")
        % {
            "new": plan.count(Status.NEW),
            "changed": plan.count(Status.CHANGED),
            "ending": plan.count(Status.ENDING),
            "unchanged": plan.count(Status.UNCHANGED),
        }
    ]
    if plan.staff:
        lines.append(
            _("Staff: %(new)d new, %(changed)d changed, %(unchanged)d unchanged")
            % {
                "new": plan.staff_count(Status.NEW),
                "changed": plan.staff_count(Status.CHANGED),
                "unchanged": plan.staff_count(Status.UNCHANGED),
            }
        )
    for line in plan.children:
        if line.status in (Status.CHANGED, Status.ENDING):
            lines.append(
                "  "
                + _("Line %(line)d (%(name)s): %(changes)s")
                % {"line": line.line, "name": line.name, "changes": ", ".join(line.changes)}
            )
    lines += _endings(plan, confirm_ending=confirm_ending)
    lines.append(
        ngettext("%(count)d line refused.", "%(count)d lines refused.", len(plan.refused))
        % {"count": len(plan.refused)}
    )
    lines += ["  " + _refusal(refusal) for refusal in plan.refused]
    if plan.ignored_columns:
        lines.append(_("Columns not read: %(columns)s") % {"columns": ", ".join(plan.ignored_columns)})
    return lines


def _endings(plan: ImportPlan, *, confirm_ending: bool) -> list[str]:
    if not plan.endings:
        return []
    count = len(plan.endings)
    if confirm_ending:
        head = ngettext(
            "%(count)d child is no longer in the file: its placement ends.",
            "%(count)d children are no longer in the file: their placements end.",
            count,
        )
    else:
        head = ngettext(
            "%(count)d child is no longer in the file: its placement ends only when you confirm it (--confirm-ending).",
            "%(count)d children are no longer in the file: their placements end only when you confirm it "
            "(--confirm-ending).",
            count,
        )
    lines = [head % {"count": count}]
    for ending in plan.endings:
        lines.append(
            "  "
            + _("%(name)s (child number %(number)s): last day %(end)s; the record is removed from %(removal)s")
            % {
                "name": ending.name,
                "number": ending.external_id,
                "end": numeric_date(ending.end_date),
                "removal": numeric_date(ending.removal_from),
            }
        )
    return lines


def result_places(result: ImportResult) -> str:
    return _("Locations: %(locations)d new. Groups: %(new)d new, %(changed)d changed.") % {
        "locations": result.locations_new,
        "new": result.groups_new,
        "changed": result.groups_changed,
    }


def describe_result(result: ImportResult) -> list[str]:
    lines = [
        _(
            "Saved. Children: %(new)d new, %(changed)d changed, %(ended)d ended. "
            "Staff: %(staff)d new, %(memberships)d roles added."
        )
        % {
            "new": result.children_new,
            "changed": result.children_changed,
            "ended": result.children_ended,
            "staff": result.staff_new,
            "memberships": result.memberships_new,
        },
        result_places(result),
    ]
    if result.endings_waiting:
        lines.append(
            ngettext(
                "%(count)d child no longer in the file stays placed: run again with --confirm-ending to end it.",
                "%(count)d children no longer in the file stay placed: run again with --confirm-ending to end them.",
                result.endings_waiting,
            )
            % {"count": result.endings_waiting}
        )
    return lines
