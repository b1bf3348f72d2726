"""The label of a stored choice, in the active language: the one way to show a code of a Django
`Choices` class (a situation, a circumstance, a role, an action in the access log).

It sits on the bottom floor so that every app above can use it.
"""

from collections.abc import Iterable

from django.db import models


def choice_label(choices: type[models.Choices], value: object) -> str:
    """The label of `value` among `choices`; a value that is no longer among them shows as itself
    (an old row keeps its code readable instead of breaking the page)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def choice_labels(choices: type[models.Choices], values: Iterable[object]) -> list[str]:
    """The labels of several values (the circumstances of an observation), in their order."""
    return [choice_label(choices, value) for value in values]
