"""Small look-ups the ORM builds and compiles once in each process; each call only binds its values.

Building and compiling a queryset costs the ORM 1-2 ms of Python; PostgreSQL answers a look-up by an
index in a fraction of that. The entry form asks four of them on every request (the child with its
groups and mentor, the duo notice, the practice offer, the focus), so most of its time went to the
ORM writing the same SQL again. `CompiledQuery` keeps the ORM as the one place the query is written:
it builds the queryset once with a stand-in for each value, compiles it for the database it reads
from, and notes where the stand-ins sit among the SQL's parameters. Each call puts the real values
there, runs the same SQL and passes the rows through the ORM's own converters (JSON, arrays, dates).

For `.values_list()` querysets whose values are single ids, texts, dates or moments: a list of ids
(`__in`) would change the SQL with its length, and a model instance is the caller's to build
(`Model.from_db`). Whatever else the queryset's SQL holds is fixed at the first call: a query whose
SQL would depend on the request (the active time zone of a `__date` look-up, the language) does not
belong here.

It sits on the bottom floor so that every app above can use it.
"""

from __future__ import annotations

import copy
import datetime
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ValuesListIterable
from django.db.models.sql.compiler import SQLCompiler

# Stand-ins no real value takes: ids are positive, no date in the records lies in the year 1, and no text
# the app looks up starts with a NUL character.
_FIRST_ID_STAND_IN = -7_000_000_000_001
_FIRST_DATE_STAND_IN = datetime.date(1, 1, 1)
_FIRST_MOMENT_STAND_IN = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
_KINDS = (int, str, datetime.date, datetime.datetime)


def _stand_ins(kinds: dict[str, type]) -> dict[str, Any]:
    numbers: Iterator[int] = itertools.count()
    values: dict[str, Any] = {}
    for name, kind in kinds.items():
        n = next(numbers)
        if kind is int:
            values[name] = _FIRST_ID_STAND_IN - n
        elif kind is str:
            values[name] = f"\x00compiled stand-in {n}"
        elif kind is datetime.date:
            values[name] = _FIRST_DATE_STAND_IN + datetime.timedelta(days=n)
        elif kind is datetime.datetime:
            values[name] = _FIRST_MOMENT_STAND_IN + datetime.timedelta(days=n)
        else:
            raise TypeError(f"CompiledQuery binds ids (int), text, dates and moments, not {kind.__name__}")
    return values


@dataclass(frozen=True)
class _Prepared:
    """The SQL of one database, its parameters with stand-ins, and which argument goes where."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position among the parameters, argument name)
    compiler: SQLCompiler  # converts the rows as the ORM would (Django 5.2: columns in `values_list` order)


class CompiledQuery:
    """`build(**arguments)` returns a `.values_list()` queryset; `kinds` names each argument's type
    (int for an id, str, datetime.date, datetime.datetime). `rows(**arguments)` gives what
    `list(build(**arguments))` would, from SQL compiled on the first call for each database."""

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], **kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._prepared: dict[str, _Prepared] = {}

    @cached_property
    def model(self) -> type[Model]:
        """The model the query reads (its database is the router's choice for it); built when first
        asked, once the apps are loaded."""
        return self._build(**_stand_ins(self._kinds)).model

    def _prepare(self, alias: str) -> _Prepared:
        stand_ins = _stand_ins(self._kinds)
        queryset = self._build(**stand_ins)
        if not isinstance(queryset, QuerySet) or queryset._iterable_class is not ValuesListIterable:
            raise TypeError("CompiledQuery compiles a .values_list() queryset (not flat, not named)")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        where = {value: name for name, value in stand_ins.items()}
        slots = tuple((i, where[p]) for i, p in enumerate(params) if type(p) in _KINDS and p in where)
        missing = set(stand_ins) - {name for _, name in slots}
        if missing:
            raise ValueError(f"CompiledQuery: {sorted(missing)} not found among the SQL's parameters, as built")
        return _Prepared(sql, tuple(params), slots, compiler)

    def prepared(self, alias: str) -> _Prepared:
        found = self._prepared.get(alias)
        if found is None:
            found = self._prepared[alias] = self._prepare(alias)
        return found

    def rows(self, **values: Any) -> list[Any]:
        if values.keys() != self._kinds.keys():
            raise TypeError(f"CompiledQuery takes {sorted(self._kinds)}, was given {sorted(values)}")
        alias = router.db_for_read(self.model) or "default"
        prepared = self.prepared(alias)
        params = list(prepared.params)
        for position, name in prepared.slots:
            params[position] = values[name]
        connection = connections[alias]  # this thread's (gunicorn runs threads)
        with connection.cursor() as cursor:
            cursor.execute(prepared.sql, params)
            fetched = cursor.fetchall()
        converting = copy.copy(prepared.compiler)  # its converters are handed this thread's connection
        converting.connection = connection
        return list(converting.results_iter([fetched], tuple_expected=True))
