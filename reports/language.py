"""The language of the documents for parents (the handout, the report of the conversation).

A document for parents is printed in the parents' language: the child's `parents_language`, or the
one asked for with `?taal=` for this print. The renderers draw in the active language; the views
activate the language this module decides with `django.utils.translation.override`.
"""

from django.utils.translation import gettext as _

from children.models import PARENT_LANGUAGES, Child

PARENT_LANGUAGE_CODES = tuple(code for code, _name in PARENT_LANGUAGES)


def parent_language(child: Child, requested: str | None) -> tuple[str, str | None]:
    """(language, None) for a document for the child's parents: `requested` when given, else the
    child's parents' language. A language that is not offered: (the parents' language, a message in
    the active language)."""
    if requested is None or requested == "":
        return child.parents_language, None
    if requested not in PARENT_LANGUAGE_CODES:
        return child.parents_language, _("The language must be one of: %(codes)s.") % {
            "codes": ", ".join(PARENT_LANGUAGE_CODES)
        }
    return requested, None
