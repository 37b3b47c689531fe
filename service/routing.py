"""URL converters for every route of the application.

Every ``<int:...>`` in a rule names a row id. Python integers have no limit, but the database's do (a 32-bit
``INTEGER`` on PostgreSQL; SQLite refuses more than 64 bits): an id outside that range cannot exist, so it must be
a plain 404, not a database error. Replacing the ``int`` converter app-wide bounds every rule, including those
added later, and the OpenAPI document reads the same bounds.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

# The range of a row id: PostgreSQL's INTEGER (the narrowest of our databases); ids start at 1.
ID_MINIMUM = 1
ID_MAXIMUM = 2**31 - 1


def digits_up_to(maximum: int) -> str:
    """A regular expression matching exactly the decimal numbers 1 to ``maximum`` (no leading zero).

    The bound must be in the pattern, not only in ``to_python``: werkzeug settles the method before converting, so
    ``PATCH /groups/99999999999999999999`` would answer 405 (``GET`` matched the pattern) instead of 404.
    """
    digits = str(maximum)
    shorter = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same_length = []
    for position, digit in enumerate(digits):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(digits) - position - 1
            same_length.append(digits[:position] + f"[{lowest}-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(shorter + same_length + [digits]) + ")"


class DatabaseIdConverter(IntegerConverter):
    """``<int:name>``: digits only, between ``ID_MINIMUM`` and ``ID_MAXIMUM`` (anything else does not match)."""

    def __init__(self, url_map, fixed_digits=0, min=ID_MINIMUM, max=ID_MAXIMUM, signed=False):  # werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        if max is not None and not signed and not fixed_digits:
            self.regex = digits_up_to(max) if min else f"(?:0|{digits_up_to(max)})"


def init_app(app: Flask) -> None:
    """Before any blueprint registers its rules: the converter is bound when a rule is added."""
    app.url_map.converters["int"] = DatabaseIdConverter
