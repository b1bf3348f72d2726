"""Dutch surnames: the tussenvoegsel ("de", "van der") apart from the last name.

A Dutch name reads "Sem de Vries" and sorts under V ("Vries, Sem de"): the tussenvoegsel sits between
the first and the last name and counts for nothing in a list's order. `Child` keeps it in its own
field; `split_surname` takes it off a surname written whole ("de Vries"), for a planning system's
export without a Tussenvoegsel column and for tests that name a child as it reads.
"""

# The usual Dutch (and a few Flemish/German) prefixes, longest first so "van der" wins over "van".
TUSSENVOEGSELS = (
    "van de",
    "van der",
    "van den",
    "van het",
    "van 't",
    "in de",
    "in den",
    "in het",
    "in 't",
    "op de",
    "op den",
    "op het",
    "op 't",
    "uit de",
    "uit den",
    "uit het",
    "aan de",
    "aan den",
    "bij de",
    "onder de",
    "over de",
    "voor de",
    "van",
    "von",
    "de",
    "den",
    "der",
    "het",
    "'t",
    "te",
    "ten",
    "ter",
    "le",
    "la",
    "du",
)
_LONGEST_FIRST = sorted(TUSSENVOEGSELS, key=len, reverse=True)


def split_surname(surname: str) -> tuple[str, str]:
    """("de", "Vries") from "de Vries"; ("", "Bakker") from "Bakker". Only a lowercase prefix counts
    (a capital "De Vries" is the Flemish way of writing the last name itself)."""
    surname = " ".join(surname.split())
    for prefix in _LONGEST_FIRST:
        if surname.startswith(prefix + " ") and len(surname) > len(prefix) + 1:
            return prefix, surname[len(prefix) + 1 :]
    return "", surname


def join_name(*parts: str) -> str:
    """The parts that are not empty, one space apart: "Sem de Vries", "Sem Bakker"."""
    return " ".join(part for part in parts if part)
