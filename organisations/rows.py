"""Rows of one table read inside another table's query, one JSON object per row: the child page reads
the child's mentor with the child, and each observation's ratings with the observation, instead of a
second query for each. `json_row` writes the object, `loaded` turns it back into a model instance.
A look-up compiled once (organisations/compiled.py) reads plain columns: `columns_of` names a model's
columns, and `made` turns them back into an instance.

It sits on the bottom floor so that every app above can use it.
"""

from collections.abc import Mapping, Sequence
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, models, router
from django.db.models.functions import JSONObject

M = TypeVar("M", bound=models.Model)


def json_row(*columns: str, through: str = "") -> JSONObject:
    """A JSON object of `columns` (attribute names, e.g. "observation_id"), read through the
    relation `through` ("mentor__": the mentorship's user) or from the queried table itself."""
    return JSONObject(**{column: f"{through}{column}" for column in columns})


def columns_of(model: type[models.Model]) -> list[str]:
    """Every column of `model`, by attribute name ("organisation_id"), in the order `made` takes them."""
    return [field.attname for field in model._meta.concrete_fields]


def made(model: type[M], values: Sequence[object]) -> M:
    """The instance of `model` whose columns (`columns_of`, in that order) are `values`, as if read by the
    ORM from the database the router reads `model` from."""
    return model.from_db(router.db_for_read(model) or DEFAULT_DB_ALIAS, columns_of(model), list(values))


def loaded(model: type[M], row: Mapping[str, object]) -> M:
    """The instance of `model` that `row` (a `json_row`) describes, as if read by the ORM: the columns
    in the row loaded, any other deferred (read on first use, like `.only()`). Only for columns whose
    JSON value is their Python value (numbers, text, yes/no): a date would come back as text."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in row]
    return model.from_db(DEFAULT_DB_ALIAS, names, [row[name] for name in names])
