"""The catalogue: every string has its English, placeholders kept, and nothing is left unextracted."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "service/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalogue(path=PO):
    with path.open("rb") as handle:
        return read_po(handle, locale="en")


def test_every_message_has_an_english_translation_with_the_same_placeholders():
    catalogue = _catalogue()
    untranslated, broken = [], []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            untranslated.append(ids[0])
            continue
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(ids[0])):
                broken.append(ids[0])
    assert untranslated == []
    assert broken == []


def test_catalogue_holds_every_string_in_the_code(tmp_path):
    """Extracting again finds no message the English catalogue lacks (run scripts/i18n after adding text)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "_l",
         "-k", "lazy_gettext", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue() if m.id}
    assert sorted(extracted - known) == []
