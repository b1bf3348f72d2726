"""Every interface string has its Dutch translation (the default language)."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
PO_FILES = sorted(p for p in ROOT.glob("**/locale/nl/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def test_there_are_dutch_catalogues():
    assert len(PO_FILES) >= 3


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated(po_path):
    catalogue = polib.pofile(str(po_path))
    missing = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated in {po_path}: {missing}"
    assert not fuzzy, f"fuzzy in {po_path}: {fuzzy}"
