"""Rows of one table read inside another table's query, one JSON object per row: the child page reads
the child's mentor with the child, and each observation's ratings with the observation, instead of a
second query for each. `json_row` writes the object, `loaded` turns it back into a model instance.

It sits on the bottom floor so that every app above can use it.
"""

from collections.abc import Mapping
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models.functions import JSONObject

M = TypeVar("M", bound=models.Model)


def json_row(*columns: str, through: str = "") -> JSONObject:
    """A JSON object of `columns` (attribute names, e.g. "observation_id"), read through the
    relation `through` ("mentor__": the mentorship's user) or from the queried table itself."""
    return JSONObject(**{column: f"{through}{column}" for column in columns})


def loaded(model: type[M], row: Mapping[str, object]) -> M:
    """The instance of `model` that `row` (a `json_row`) describes, as if read by the ORM: the columns
    in the row loaded, any other deferred (read on first use, like `.only()`). Only for columns whose
    JSON value is their Python value (numbers, text, yes/no): a date would come back as text."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in row]
    return model.from_db(DEFAULT_DB_ALIAS, names, [row[name] for name in names])
