"""Fill English translations in the catalogue from a JSON object {french msgid: english text}.

    python scripts/po_fill.py --missing > todo.json     # the msgids still without English
    python scripts/po_fill.py todo.json                 # write the translations in

A plural entry takes a list of two strings. Placeholders (%(name)s) must be kept.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "service/translations/en/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def main(argv: list[str]) -> int:
    with PO.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    if argv and argv[0] == "--missing":
        missing = {}
        for message in catalogue:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings) or message.fuzzy:
                missing[key] = "" if isinstance(message.id, str) else ["", ""]
        json.dump(missing, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    translations = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    problems = 0
    for message in catalogue:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key not in translations or not translations[key]:
            continue
        value = translations[key]
        source = key if isinstance(message.id, str) else message.id[0]
        for text in value if isinstance(value, list) else [value]:
            if set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(source)):
                print(f"placeholders differ: {key!r}", file=sys.stderr)
                problems += 1
        message.string = tuple(value) if isinstance(value, list) else value
        message.flags.discard("fuzzy")
    with PO.open("wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False, sort_output=True, include_lineno=False)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
