"""A new place whose name closely resembles another: a typing error in an otherwise valid row
("Rupsen" next to "Rupsjes", "Kindercentrum De Vlindr") would quietly plan a second group or location;
the dry run warns about it (planning.plan_import notes it on the place's line, report.py says it).

One plain function, `lookalike(name, others)`, with the standard library's difflib: the names folded
(case and extra spaces do not count), the words both share at the start and the end set aside (so
"Kindercentrum De Zon" and "Kindercentrum De Maan" compare "zon" with "maan", not two long equal
prefixes), and the rest compared with SequenceMatcher's ratio (2 x matching characters / all
characters). The threshold, LOOKALIKE_RATIO = 0.75, sits between the two sides tests/test_planning_import.py
pins: a typing error scores 0.77 ("Rupsen"/"Rupsjes") to 0.96 ("Kindercentrm"/"Kindercentrum"), or a
group name with a diminutive, which deserves a second look too ("Peuters"/"Peutertjes" 0.82); names of
different groups score at most 0.67 ("Bijtjes"/"Beertjes", "Egeltjes"/"Eendjes"), "Peuters"/"Dreumesen" 0.5.
Names that differ in their numbers ("Rupsjes 2" next to "Rupsjes", "Groep1"/"Groep2") are numbered on
purpose: no warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

LOOKALIKE_RATIO = 0.75
_NUMBER = re.compile(r"\d+")


def _words(text: str) -> list[str]:
    return text.casefold().split()


def lookalike(name: str, others: Iterable[str]) -> str | None:
    """The one of `others` that `name` most closely resembles, if it is close enough to be a typing
    error (ties: the first); None if none is. A name equal to `name` (without case and extra spaces)
    is the same place, not a lookalike."""
    best, best_ratio = None, LOOKALIKE_RATIO
    words = _words(name)
    for other in others:
        a, b = words, _words(other)
        if a == b or _NUMBER.findall(" ".join(a)) != _NUMBER.findall(" ".join(b)):
            continue
        while a and b and a[0] == b[0]:
            a, b = a[1:], b[1:]
        while a and b and a[-1] == b[-1]:
            a, b = a[:-1], b[:-1]
        ratio = SequenceMatcher(None, " ".join(a), " ".join(b)).ratio()
        if ratio >= best_ratio and (best is None or ratio > best_ratio):
            best, best_ratio = other, ratio
    return best
