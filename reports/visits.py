"""The visits overview (Bezoeken): per childminder's home the user visits, the last home visit, whether
one is missing in the last 12 months, the next visit planned, and the children there with a recurring
attention point (reports/attention.py `attention_points`, the same as the home and location pages).

The visits themselves and their rules: observations/visits.py.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from children.models import Child, Placement
from observations.models import Visit
from observations.visits import is_yearly_visit_missing, last_visits, planned_visits
from organisations.calendar import today
from organisations.models import Location
from reports.attention import attention_points
from reports.overview import AttentionRow
from staff.access import visit_locations
from staff.scope import AnyUser


@dataclass
class VisitedHome:
    """One childminder's home on the visits overview."""

    location: Location
    last_visit: Visit | None
    visit_missing: bool  # no home visit in the last 12 months
    planned_on: datetime.date | None  # the next visit planned
    child_ids: list[int] = field(default_factory=list)  # placed there today, whose observations the user reads
    attention_points: list[AttentionRow] = field(default_factory=list)  # by child's name, then pillar

    @property
    def has_attention_point(self) -> bool:
        return bool(self.attention_points)


def visits_overview(user: AnyUser, *, weeks: int | None = None) -> list[VisitedHome]:
    """Every childminder's home the user visits, by name. Five queries, whatever the number of homes."""
    weeks = weeks or settings.REPORT_WEEKS_DEFAULT
    day = today()
    locations = list(visit_locations(user).order_by("name", "pk"))
    ids = [location.pk for location in locations]
    last = last_visits(ids)
    plans = planned_visits(ids)
    homes = {
        location.pk: VisitedHome(
            location=location,
            last_visit=last.get(location.pk),
            visit_missing=is_yearly_visit_missing(last[location.pk].visited_on if location.pk in last else None, day),
            planned_on=plans.get(location.pk),
        )
        for location in locations
    }
    placements = list(
        Placement.objects.running_on(day)
        .filter(group__location_id__in=ids, child__in=Child.objects.observable_by(user))
        .select_related("child", "group")
        .order_by("child__first_name", "child__last_name", "pk")
    )
    placed = {p.child_id: p for p in placements}
    for placement in placements:
        homes[placement.group.location_id].child_ids.append(placement.child_id)
    points = attention_points(list(placed), weeks, until=day)
    order = {child_id: n for n, child_id in enumerate(placed)}
    for point in sorted(points, key=lambda a: order[a.child_id]):
        placement = placed[point.child_id]
        row = AttentionRow(point.child_id, placement.child.full_name, placement.group, point)
        homes[placement.group.location_id].attention_points.append(row)
    return list(homes.values())
