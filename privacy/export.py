"""The parents' right of access: everything stored about one child, in one zip.

`render_access_export(child, made_on=...)` is a pure renderer in the house style, child in,
a Download (filename, content type, bytes) out. The zip holds
- a readable PDF (WeasyPrint, through reports.pdf's html_to_pdf and its RestrictedURLFetcher):
  the child's facts, placements, every observation with its date, moment, the observer's role
  (never a name), circumstances, notes and ratings, parent conversations and any other record
  that hangs on the child (generically, field by field), consents, and who saw the data (roles);
- a JSON file with every row: the same collection as the erasure (privacy.records), serialized
  generically, history rows, admin-log entries and access-log rows included.
"""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Field, Model
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from access_log.models import AccessLog
from children.models import Child, Mentorship, Placement
from observations.choices import Circumstance, Situation
from observations.models import Observation, PillarRating
from observations.pillars import PILLAR_BY_CODE, rating_label
from organisations.calendar import numeric_date, numeric_moment
from organisations.downloads import Download
from organisations.labels import choice_label, choice_labels
from privacy.models import RetentionConsent
from privacy.records import ChildRecords, child_records
from reports.pdf import html_to_pdf, page_frame, safe_filename_part
from staff.models import Membership, Role

MIMETYPE = "application/zip"
# Shown in the PDF through their own sections, not the generic one.
OWN_SECTIONS = (Child, Placement, Mentorship, Observation, PillarRating, RetentionConsent)
# Bookkeeping fields that tell a parent nothing.
SKIPPED_FIELDS = {"submission_key", "version"}


def roles_of(user_ids: Iterable[int | None], organisation_id: int) -> dict[int, str]:
    """{user id: their role(s) in the organisation, e.g. 'pedagogisch medewerker'}. One query."""
    roles: dict[int, list[str]] = {}
    for user_id, role in Membership.objects.filter(
        user_id__in=[u for u in user_ids if u is not None], organisation_id=organisation_id
    ).values_list("user_id", "role"):
        roles.setdefault(user_id, [])
        label = choice_label(Role, role)
        if label not in roles[user_id]:
            roles[user_id].append(label)
    return {user_id: " / ".join(sorted(names)) for user_id, names in roles.items()}


@dataclass(frozen=True)
class RatingItem:
    pillar: str
    label: str
    note: str


@dataclass(frozen=True)
class ObservationItem:
    date: datetime.date
    moment: str
    observer_role: str
    circumstances: list[str]
    note: str
    ratings: list[RatingItem]
    removed_on: datetime.datetime | None


@dataclass
class Section:
    """Rows of one kind of record, each a list of (field label, value)."""

    title: str
    items: list[list[tuple[str, str]]] = field(default_factory=list)


@dataclass(frozen=True)
class AccessItem:
    when: datetime.datetime
    role: str
    action: str


def _is_user_model(model: type[Model]) -> bool:
    return model._meta.label == settings.AUTH_USER_MODEL


def _display(obj: Model, f: Field[Any, Any], roles: dict[int, str]) -> str:
    value = getattr(obj, f.attname)
    if value in (None, "", []):
        return "–"
    if f.many_to_one and isinstance(f.related_model, type) and _is_user_model(f.related_model):
        return roles.get(value) or _("staff member")
    if f.many_to_one:
        return str(getattr(obj, f.name))
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if isinstance(f, ArrayField):
        labels = dict(f.base_field.choices or [])
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return numeric_moment(value)  # in the site's time zone, as the access table of the same PDF
    if isinstance(value, datetime.date):
        return numeric_date(value)
    return str(value)


def _role(roles: dict[int, str], user_id: int | None) -> str:
    if user_id is None:
        return _("the system")
    return roles.get(user_id) or _("staff member")


def _generic_sections(records: ChildRecords, roles: dict[int, str]) -> list[Section]:
    sections = []
    for model, objects in records.live.items():
        if model in OWN_SECTIONS or not objects:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if not f.primary_key and f.name not in SKIPPED_FIELDS and f.related_model is not Child
        ]
        section = Section(title=str(model._meta.verbose_name_plural).capitalize())
        for obj in objects:
            section.items.append([(str(f.verbose_name).capitalize(), _display(obj, f, roles)) for f in fields])
        sections.append(section)
    return sections


def _user_ids(records: ChildRecords, access: list[AccessLog]) -> set[int | None]:
    ids: set[int | None] = {row.user_id for row in access}
    for obj in records.live_objects():
        for f in obj._meta.concrete_fields:
            if f.many_to_one and isinstance(f.related_model, type) and _is_user_model(f.related_model):
                ids.add(getattr(obj, f.attname))
    return ids


def _observations(records: ChildRecords, roles: dict[int, str]) -> list[ObservationItem]:
    ratings: dict[int, list[PillarRating]] = {}
    for rating in records.live.get(PillarRating, []):
        assert isinstance(rating, PillarRating)
        ratings.setdefault(rating.observation_id, []).append(rating)
    order = {code: i for i, code in enumerate(PILLAR_BY_CODE)}
    items = []
    observations = [o for o in records.live.get(Observation, []) if isinstance(o, Observation)]
    for o in sorted(observations, key=lambda o: (o.date, o.created_at, o.pk)):
        own = sorted(ratings.get(o.pk, []), key=lambda r: order.get(r.pillar, len(order)))
        items.append(
            ObservationItem(
                date=o.date,
                moment=choice_label(Situation, o.situation),
                observer_role=roles.get(o.observer_id) or _("staff member"),
                circumstances=choice_labels(Circumstance, o.circumstances),
                note=o.note,
                ratings=[
                    RatingItem(
                        pillar=str(PILLAR_BY_CODE[r.pillar].name) if r.pillar in PILLAR_BY_CODE else r.pillar,
                        label=rating_label(PILLAR_BY_CODE[r.pillar], r.value)
                        if r.pillar in PILLAR_BY_CODE
                        else str(r.value),
                        note=r.note,
                    )
                    for r in own
                ],
                removed_on=o.removed_at,
            )
        )
    return items


def _access_rows(child: Child) -> list[AccessLog]:
    """Rows about this child alone, and group rows that listed it (their other children left out)."""
    rows = list(AccessLog.objects.about_children([child.pk]).order_by("created_at", "pk"))
    for row in rows:
        if row.child_id != child.pk:
            row.children = [child.pk]
    return rows


def access_export_json(records: ChildRecords, access: list[AccessLog], *, made_on: datetime.date) -> bytes:
    """Every row about the child, serialized generically (model, pk, fields)."""
    rows: list[dict[str, Any]] = []
    for objects in records.live.values():
        rows += serializers.serialize("python", objects)
    for queryset in records.history.values():
        rows += serializers.serialize("python", queryset)
    rows += serializers.serialize("python", records.admin_log)
    rows += serializers.serialize("python", access)
    document = {
        "child": records.child.pk,
        "organisation": records.child.organisation_id,
        "exported_on": made_on,
        "rows": rows,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def access_export_pdf(records: ChildRecords, access: list[AccessLog], *, made_on: datetime.date) -> bytes:
    child = records.child
    roles = roles_of(_user_ids(records, access), child.organisation_id)
    context = {
        "child": child,
        "organisation": child.organisation,
        "made_on": made_on,
        "placements": list(
            Placement.objects.filter(pk__in=[p.pk for p in records.live.get(Placement, [])])
            .select_related("group__location")
            .order_by("start_date", "pk")
        ),
        "mentorships": sorted(
            (m for m in records.live.get(Mentorship, []) if isinstance(m, Mentorship)), key=lambda m: m.start_date
        ),
        "mentor_roles": roles,
        "consents": [c for c in records.live.get(RetentionConsent, []) if isinstance(c, RetentionConsent)],
        "observations": _observations(records, roles),
        "sections": _generic_sections(records, roles),
        "history_count": sum(queryset.count() for queryset in records.history.values()),
        "access": [
            AccessItem(
                when=row.created_at,
                role=_role(roles, row.user_id),
                action=choice_label(AccessLog.Action, row.action),
            )
            for row in access
        ],
        "frame": page_frame(child.full_name),
    }
    return html_to_pdf(render_to_string("privacy/access_export.html", context))


def render_access_export(child: Child, *, made_on: datetime.date) -> Download:
    """The zip for the parents: a PDF to read and a JSON file with every row."""
    records = child_records(child)
    access = _access_rows(child)
    stem = f"inzage-{safe_filename_part(child.first_name)}-{made_on:%Y-%m-%d}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.pdf", access_export_pdf(records, access, made_on=made_on))
        archive.writestr(f"{stem}.json", access_export_json(records, access, made_on=made_on))
    return Download(f"{stem}.zip", MIMETYPE, buffer.getvalue())
