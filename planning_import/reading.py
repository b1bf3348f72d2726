"""Reading a planning system's export: CSV (comma, semicolon or tab; UTF-8 with or without a byte-order
mark; Windows-1252 only when the bytes clearly are) or Excel (.xlsx), into rows of text.

Nothing in a file is evaluated: an Excel formula arrives as its text (openpyxl reads the workbook with
`data_only=False`, so a formula is never replaced by a value some other program computed), and a
cell that starts like a formula (= + - @) is marked; the plan refuses the row when such a cell is
in a column it reads. A file we cannot read raises `ImportFileError` with a Dutch message, before
anything is saved.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from django.utils.translation import gettext as _

MAX_FILE_BYTES = 10 * 1024 * 1024  # 10 MB: a planning export of 10,000 children is about 1 MB
# An .xlsx is a zip: what it unpacks to is what reading it costs (its sheet and shared strings are held
# in memory). 10,000 children unpack to about 7.5 MB; a few hundred kB can unpack to gigabytes.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 100_000
FORMULA_START = ("=", "+", "-", "@")
DELIMITERS = (";", ",", "\t")

# Every byte of Windows-1252 that stands for a character Western European names and dates use: the
# letters with accents (À–ÿ without × and ÷), the quotes, dashes and the euro sign. A file whose other
# bytes fall outside this set is not "clearly Windows-1252" and is refused rather than guessed.
_CP1252_TEXT = re.compile(r"[À-ÖØ-öø-ÿŠšŽžŒœŸ€‘’‚“”„–—´`¨°·]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{3,}")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why, in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Row:
    """One line of the file: its number as a person sees it (the header is line 1), its cells, and
    the positions of the cells that hold a formula or start like one."""

    number: int
    cells: tuple[str, ...]
    formulas: frozenset[int] = frozenset()

    def cell(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    @property
    def is_empty(self) -> bool:
        return not any(self.cells)


@dataclass(frozen=True)
class Table:
    """The file read: its headers and rows, and what kind of file it was ("csv" or "xlsx")."""

    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    kind: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""  # an Excel file: the sheet read (the first)
    other_sheets: tuple[str, ...] = ()  # and those it leaves unread


Source = bytes | str | Path | IO[bytes]


def read_table(source: Source, *, max_bytes: int = MAX_FILE_BYTES) -> Table:
    """The rows of a CSV or XLSX file (a path, the bytes, or an open binary file such as an upload).
    Raises ImportFileError for an empty, too large, binary or unreadable file."""
    data = _read_bytes(source, max_bytes)
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old Excel file (.xls). Save it as .xlsx or as CSV in the spreadsheet program and try again.")
        )
    text, encoding = _decode(data)
    return _read_csv(text, encoding)


def _too_large(max_bytes: int) -> ImportFileError:
    return ImportFileError(
        _("The file is larger than %(limit)d MB. Split the export, for example by location.")
        % {"limit": max_bytes // (1024 * 1024)}
    )


def _read_bytes(source: Source, max_bytes: int) -> bytes:
    """At most `max_bytes`: a larger file is refused before it is read whole."""
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | Path):
        path = Path(source)
        if path.stat().st_size > max_bytes:
            raise _too_large(max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    else:
        size = getattr(source, "size", None)  # an upload knows its size
        if isinstance(size, int) and size > max_bytes:
            raise _too_large(max_bytes)
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


def _unknown_encoding() -> ImportFileError:
    return ImportFileError(
        _(
            "We cannot tell which character set this file uses. Save the export as CSV UTF-8 "
            "(in Excel: “CSV UTF-8 (Comma delimited)”) or as .xlsx and try again."
        )
    )


def _not_a_table() -> ImportFileError:
    return ImportFileError(
        _("This file is not a CSV or Excel (.xlsx) file. Export the list from the planning system as CSV or .xlsx.")
    )


def _decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (a byte-order mark or not), UTF-16 with its mark, or
    Windows-1252 only when every byte beyond ASCII is one of its letters or marks and no three
    of them stand in a row (as Cyrillic or Greek read through the wrong table would)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _checked_text(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError:
            raise _unknown_encoding() from None
    if b"\x00" in data or data.startswith(b"%PDF"):
        raise _not_a_table()
    try:
        return _checked_text(data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise _unknown_encoding() from None
    _checked_text(text)
    beyond_ascii = [char for char in text if ord(char) > 127]
    if _NON_ASCII_RUN.search(text) or not all(_CP1252_TEXT.fullmatch(char) for char in beyond_ascii):
        raise _unknown_encoding()
    return text, "cp1252"


def _checked_text(text: str) -> str:
    """Text, not a binary file read as text: control characters mark the latter."""
    if len(_CONTROL.findall(text[:65536])) > 8:
        raise _not_a_table()
    return text


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _marks(cells: Iterable[str]) -> frozenset[int]:
    return frozenset(i for i, cell in enumerate(cells) if cell.startswith(FORMULA_START))


def _read_csv(text: str, encoding: str) -> Table:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        records = list(_numbered(reader))
    except csv.Error:
        raise _not_a_table() from None
    if not records:
        raise ImportFileError(_("The file is empty."))
    (_number, header), *body = records
    headers = tuple(cell.strip() for cell in header)
    rows = []
    for number, cells in body:
        stripped = tuple(_text(cell) for cell in cells)
        rows.append(Row(number, stripped, _marks(stripped)))
    return _table(headers, rows, "csv", encoding=encoding, delimiter=delimiter)


def _text(cell: str) -> str:
    """The cell without surrounding spaces; a lone dash, how some exports write "nothing", is empty."""
    cell = cell.strip()
    return "" if cell in ("-", "–", "—") else cell


def _numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (a quoted cell may span lines)."""
    line = 1
    for cells in reader:
        yield line, cells
        line = reader.line_num + 1


def _table(headers: tuple[str, ...], rows: list[Row], kind: str, encoding: str = "", delimiter: str = "") -> Table:
    if not any(headers):
        raise ImportFileError(_("The first line of the file holds no column names."))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(limit)d lines. Split the export, for example by location.")
            % {"limit": MAX_ROWS}
        )
    return Table(headers, tuple(row for row in rows if not row.is_empty), kind, encoding, delimiter)


def _xlsx_cell(value: object) -> str:
    """A cell as text: a date as jjjj-mm-dd, a whole number without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(str(value))


# What reading a damaged workbook raises: the zip's own errors, a sheet that is no XML, parts missing.
_DAMAGED = (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, EOFError, KeyError, OSError, ValueError, TypeError)


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a workbook that unpacks to more than MAX_UNPACKED_BYTES, before anything unpacks it. The
    sizes in the zip's directory bound what can be read: a part longer than it says fails its check."""
    try:
        unpacked = sum(item.file_size for item in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_table() from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            _("The Excel file unpacks to more than %(limit)d MB. Split the export, for example by location.")
            % {"limit": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )


def _read_xlsx(data: bytes) -> Table:
    """The first sheet (the table names the others, which it does not read). `data_only=False`: a formula
    arrives as its text, never as a value."""
    import openpyxl  # only for Excel files; loading it costs time the CSV path does not need

    _check_unpacked_size(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except _DAMAGED:
        raise _not_a_table() from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(_("The file is empty."))
        sheet_names = tuple(str(name) for name in workbook.sheetnames)
        records: list[tuple[int, tuple[str, ...], frozenset[int]]] = []
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_ROWS + 1:
                break
            values = tuple(_xlsx_cell(getattr(cell, "value", None)) for cell in cells)
            formulas = frozenset(i for i, cell in enumerate(cells) if getattr(cell, "data_type", "") == "f") | _marks(
                values
            )
            records.append((number, values, formulas))
    except _DAMAGED:  # a zip whose sheet is no XML, or whose parts do not match their checksums
        raise _not_a_table() from None
    finally:
        workbook.close()
    while records and not any(records[0][1]):
        records.pop(0)
    if not records:
        raise ImportFileError(_("The file is empty."))
    (_number, header, _formulas), *body = records
    rows = [Row(number, cells, formulas) for number, cells, formulas in body]
    return replace(_table(tuple(header), rows, "xlsx"), sheet=sheet_names[0], other_sheets=sheet_names[1:])
