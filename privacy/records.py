"""Everything the database holds about one child, found generically.

`child_records(child)` is the one list that the erasure (erasure.py), the retention (retention.py)
and the parent's access export (export.py) work from:

- `live`: every row Django would delete with the child, found by the deletion collector
  (django.contrib.admin.utils.NestedObjects): placements, mentorships, observations and their
  ratings, parent conversations and their agreements, consents, and whatever model a later app
  hangs on a child with on_delete=CASCADE, without this module knowing it;
- `history`: the rows of their history tables (django-simple-history), also of rows that are
  gone already (a rating removed in an edit, a placement deleted in the admin): a history row
  belongs to the child when it is a version of a collected row, or when one of its foreign keys
  points at a collected row or at a row known from history. That is repeated until nothing new
  is found, so the history of an observation removed long ago still leads to its ratings';
- `admin_log`: django.contrib.admin LogEntry rows about any of these rows (their text names the child);
- `access_log`: the access-log rows about this child alone (kept, under a pseudonym, on removal).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any, cast

from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import NestedObjects
from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from simple_history.models import registered_models
from simple_history.utils import get_app_model_primary_key_name, get_history_model_for_model

from access_log.models import AccessLog
from children.models import Child


class RecordsProtected(Exception):
    """A row that points at the child's records refuses to go (on_delete=PROTECT)."""

    def __init__(self, protected: list[Model]) -> None:
        super().__init__(f"{len(protected)} protected row(s) refer to the child's records")
        self.protected = protected


def history_tracked_models() -> list[type[Model]]:
    """The models with a simple-history table."""
    return sorted(set(registered_models.values()), key=lambda m: m._meta.label)


def _label(model: type[Model]) -> str:
    return str(model._meta.verbose_name_plural)


@dataclass
class ChildRecords:
    child: Child
    live: dict[type[Model], list[Model]]
    history: dict[type[Model], QuerySet[Model]]  # history model -> its rows about the child
    admin_log: QuerySet[LogEntry]
    access_log: QuerySet[AccessLog]
    protected: list[Model] = field(default_factory=list)

    def live_objects(self) -> Iterator[Model]:
        for objects in self.live.values():
            yield from objects

    def counts(self) -> list[tuple[str, int]]:
        """(what, how many) for everything that goes: live rows by kind, history rows, admin log."""
        rows = [(_label(model), len(objects)) for model, objects in self.live.items()]
        rows += [
            (_("earlier versions of %(things)s") % {"things": _label(model.instance_type)}, queryset.count())  # type: ignore[attr-defined]
            for model, queryset in self.history.items()
        ]
        rows.append((_("entries in the administration's log"), self.admin_log.count()))
        return [(label, n) for label, n in rows if n]

    def counts_by_model(self) -> dict[str, int]:
        """The same, keyed by model label (app.Model): what the access log's removal row keeps."""
        result = {model._meta.label: len(objects) for model, objects in self.live.items()}
        result.update({model._meta.label: queryset.count() for model, queryset in self.history.items()})
        result[LogEntry._meta.label] = self.admin_log.count()
        return {label: n for label, n in result.items() if n}


def _live(child: Child) -> tuple[dict[type[Model], list[Model]], list[Model]]:
    collector = NestedObjects(using=router.db_for_write(Child))
    collector.collect([child])
    # Keyed by model class (django-stubs says str).
    found = cast(dict[type[Model], set[Model]], collector.model_objs)
    live = {
        model: sorted(objects, key=lambda o: o.pk)
        for model, objects in sorted(found.items(), key=lambda item: item[0] is not Child)
    }
    return live, list(collector.protected)


Known = dict[type[Model], set[Any]]


def _belongs(model: type[Model], known: Known) -> Q | None:
    """History rows of `model` about the child: versions of a known row, or rows pointing at one."""
    parts = []
    if known.get(model):
        parts.append(Q(**{f"{get_app_model_primary_key_name(model)}__in": known[model]}))
    for f in model._meta.concrete_fields:
        target = f.related_model if f.many_to_one else None
        if isinstance(target, type) and known.get(target):
            parts.append(Q(**{f"{f.attname}__in": known[target]}))
    return reduce(or_, parts) if parts else None


def _expand(known: Known, tracked: list[type[Model]]) -> None:
    """Add the ids the history rows lead to, until nothing new is found."""
    changed = True
    while changed:
        changed = False
        for model in tracked:
            where = _belongs(model, known)
            if where is None:
                continue
            key = get_app_model_primary_key_name(model)
            found = set(get_history_model_for_model(model).objects.filter(where).values_list(key, flat=True))
            if not found <= known[model]:
                known[model] |= found
                changed = True


def _history(live: dict[type[Model], list[Model]]) -> tuple[dict[type[Model], QuerySet[Model]], Known]:
    """History rows about the child, and the ids of every row (live or gone) they lead to."""
    known: Known = defaultdict(set)
    for model, objects in live.items():
        known[model].update(o.pk for o in objects)
    tracked = history_tracked_models()
    _expand(known, tracked)
    history: dict[type[Model], QuerySet[Model]] = {}
    for model in tracked:
        where = _belongs(model, known)
        if where is not None:
            history_model = get_history_model_for_model(model)
            history[history_model] = history_model.objects.filter(where).order_by("history_date", "history_id")
    return history, known


def _admin_log(known: Known) -> QuerySet[LogEntry]:
    types = ContentType.objects.get_for_models(*known.keys(), for_concrete_models=False)
    parts = [Q(content_type=types[model], object_id__in=[str(pk) for pk in ids]) for model, ids in known.items() if ids]
    if not parts:
        return LogEntry.objects.none()
    return LogEntry.objects.filter(reduce(or_, parts)).order_by("action_time", "pk")


def child_records(child: Child) -> ChildRecords:
    """Everything stored about `child` (see the module's docstring)."""
    live, protected = _live(child)
    history, known = _history(live)
    return ChildRecords(
        child=child,
        live=live,
        history=history,
        admin_log=_admin_log(known),
        access_log=AccessLog.objects.filter(child=child).order_by("created_at", "pk"),
        protected=protected,
    )
