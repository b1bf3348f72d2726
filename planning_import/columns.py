"""Which column of the export holds what: the usual Dutch column names in any order and case
(KindPlanner, Konnect and Flexkids each spell them a little differently), or a mapping JSON that
names them for a planning system we do not recognise.

A mapping JSON is an object from the file's column name to ours, e.g.
`{"Kind nr.": "Kindnummer", "Roepnaam": "Voornaam", "Opmerking": null}` (null: ignore the column);
ours may be written as in the list below (`COLUMNS`) or as the field's code (`external_id`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from planning_import.reading import ImportFileError

# field code -> (the column's Dutch name as the export and our messages write it, other spellings)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "external_id": ("Kindnummer", ("kindnr", "kind nummer", "kind id", "kindcode", "nummer kind")),
    "first_name": ("Voornaam", ("roepnaam", "voornaam kind")),
    "tussenvoegsel": ("Tussenvoegsel", ("tussenvoegsels", "voorvoegsel", "tussenv")),
    "last_name": ("Achternaam", ("achternaam kind", "familienaam")),
    "date_of_birth": ("Geboortedatum", ("geb datum", "geboren", "geboortedatum kind")),
    "location": ("Locatie", ("vestiging", "kindercentrum", "locatienaam")),
    "group": ("Groep", ("stamgroep", "groepsnaam")),
    "start_date": ("Startdatum", ("begindatum", "ingangsdatum", "startdatum plaatsing")),
    "end_date": ("Einddatum", ("einddatum plaatsing",)),
    "mentor": ("Mentor (e-mail)", ("mentor", "mentor email", "e-mail mentor", "email mentor")),
    "form_of_address": ("Aanspreekvorm", ()),
    "email": ("E-mail", ("email", "e-mailadres", "emailadres", "e-mail medewerker")),
    "name": ("Naam", ("naam medewerker", "medewerker")),
    "role": ("Rol", ("functie",)),
    "groups": ("Groepen", ()),
    "min_age": ("Leeftijd van (maanden)", ("leeftijd van", "leeftijd vanaf", "minimumleeftijd", "min leeftijd")),
    "max_age": ("Leeftijd tot (maanden)", ("leeftijd tot", "maximumleeftijd", "max leeftijd")),
}
CHILD_REQUIRED = ("external_id", "first_name", "last_name", "date_of_birth", "group", "start_date")
STAFF_REQUIRED = ("email", "role")
PLACES_REQUIRED = ("location",)
# The columns of each kind of row: a row that fills none of the children's or the staff's is a row
# of the list of locations and groups (Locatie, Groep, and the group's ages).
CHILD_CODES = (
    "external_id", "first_name", "tussenvoegsel", "last_name", "date_of_birth", "start_date", "end_date", "mentor",
    "form_of_address",
)  # fmt: skip
STAFF_CODES = ("email", "name", "role", "groups")
PLACE_CODES = ("location", "group", "min_age", "max_age")


def column_name(code: str) -> str:
    """The column's name in messages: "Geboortedatum"."""
    return COLUMNS[code][0]


def _key(header: str) -> str:
    """A header compared without case, accents, spaces and marks: "Mentor (e-mail)" -> "mentoremail"."""
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode("ascii")
    return "".join(char for char in plain.lower() if char.isalnum())


_KNOWN: dict[str, str] = {}
for _code, (_name, _others) in COLUMNS.items():
    for _spelling in (_code, _name, *_others):
        _KNOWN[_key(_spelling)] = _code


@dataclass(frozen=True)
class ColumnMapping:
    """Field code -> the column's position in the file, and the columns left aside."""

    positions: Mapping[str, int]
    ignored: tuple[str, ...]

    def has(self, code: str) -> bool:
        return code in self.positions

    def get(self, code: str) -> int | None:
        return self.positions.get(code)

    @property
    def has_children(self) -> bool:
        return any(code in self.positions for code in ("external_id", "date_of_birth"))

    @property
    def has_staff(self) -> bool:
        return "email" in self.positions and "role" in self.positions

    @property
    def has_places(self) -> bool:
        return "location" in self.positions


def _field_of(target: str) -> str:
    code = _KNOWN.get(_key(target))
    if code is None:
        raise ImportFileError(
            _("The mapping names a column we do not know: %(name)s. Known columns: %(known)s.")
            % {"name": target, "known": ", ".join(name for name, _others in COLUMNS.values())}
        )
    return code


def recognise_columns(headers: Iterable[str], overrides: Mapping[str, str | None] | None = None) -> ColumnMapping:
    """Where each known column is. A mapping's entry wins over the name; a column named twice, or a
    file with neither the children's nor the staff's columns complete, raises ImportFileError."""
    by_key = {_key(header): target for header, target in (overrides or {}).items()}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, header in enumerate(headers):
        key = _key(header)
        if key in by_key:
            target = by_key[key]
            code = _field_of(target) if target else None
        else:
            code = _KNOWN.get(key)
        if code is None:
            if header:
                ignored.append(header)
            continue
        if code in positions:
            raise ImportFileError(
                _("Two columns hold %(name)s. Keep one, or name the other in a mapping file.")
                % {"name": column_name(code)}
            )
        positions[code] = index
    mapping = ColumnMapping(positions, tuple(ignored))
    _check_complete(mapping)
    return mapping


def _check_complete(mapping: ColumnMapping) -> None:
    if not mapping.has_children and not mapping.has_staff and not mapping.has_places:
        raise ImportFileError(
            _(
                "We do not recognise the columns of this file. A list of children needs %(children)s; "
                "a list of staff needs %(staff)s; a list of locations and groups needs %(places)s. "
                "Name other columns in a mapping file."
            )
            % {
                "children": ", ".join(column_name(code) for code in CHILD_REQUIRED),
                "staff": ", ".join(column_name(code) for code in STAFF_REQUIRED),
                "places": ", ".join(column_name(code) for code in PLACES_REQUIRED),
            }
        )
    if mapping.has_children:
        missing = [column_name(code) for code in CHILD_REQUIRED if not mapping.has(code)]
        if missing:
            raise ImportFileError(
                _("The list of children misses these columns: %(columns)s.") % {"columns": ", ".join(missing)}
            )


def load_mapping(source: str | Path | bytes) -> dict[str, str | None]:
    """A mapping JSON (a path or its bytes): {"their column": "our column" or null}."""
    try:
        raw = Path(source).read_bytes() if isinstance(source, str | Path) else source
        loaded = json.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise ImportFileError(_("The mapping file is not readable JSON.")) from None
    if not isinstance(loaded, dict) or not all(
        isinstance(key, str) and (value is None or isinstance(value, str)) for key, value in loaded.items()
    ):
        raise ImportFileError(
            _('The mapping file must be one object of column names, such as {"Kind nr.": "Kindnummer"}.')
        )
    return loaded


def suggest_mapping(
    headers: Iterable[str], remembered: Mapping[str, str | None] | None = None
) -> dict[str, str | None]:
    """Each header with the field code it holds, or None: the organisation's remembered mapping where
    it names the header (in any case and spacing), else the usual names; the format of `load_mapping`
    with field codes. A column already taken by an earlier header is left aside."""
    by_key = {_key(header): target for header, target in (remembered or {}).items()}
    suggested: dict[str, str | None] = {}
    taken: set[str] = set()
    for header in headers:
        if not header or header in suggested:
            continue
        key = _key(header)
        if key in by_key:
            target = by_key[key]
            code = _KNOWN.get(_key(target)) if target else None
        else:
            code = _KNOWN.get(key)
        if code in taken:
            code = None
        if code:
            taken.add(code)
        suggested[header] = code
    return suggested
