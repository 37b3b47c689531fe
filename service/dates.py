"""Showing a stored UTC moment to a person: in the group's zone, in the person's language (Canadian formats).

Every time of day the service shows (pages, invitations, mails, the Zoom agenda) is put into words by
:func:`time_label`, so that a time never breaks across two lines.
"""

from __future__ import annotations

import re
from datetime import datetime, time

from babel.dates import format_date, format_time, get_timezone_name

from service.domain.clock import UTC, to_local
from service.i18n import locale_for

# Babel writes « 19 h 05 » with ordinary spaces (a line may break between « 19 » and « h ») and "7:05 p.m." with
# a narrow no-break space. Both become U+00A0: the no-break space the catalogue already uses (« … », before « : »)
# and the only one mail headers keep as it is (calendars.imip.header_safe folds every other white space).
NO_BREAK_SPACE = "\u00a0"
_SPACES = re.compile(r"\s")
# Babel's fr_CA pattern is « HH 'h' mm » (« 09 h 05 »); the Office québécois de la langue française writes the hour
# without a leading zero: « 9 h 05 ».
_FRENCH_TIME = "H 'h' mm"


def time_label(at: time | datetime, language: str) -> str:
    """A time of day as written in ``language``, in one unbreakable piece: '19 h 05' / '7:05 p.m.'.

    ``at`` is a wall-clock time, or a datetime shown in its own zone."""
    locale = locale_for(language)
    pattern = _FRENCH_TIME if locale.startswith("fr") else "short"
    return _SPACES.sub(NO_BREAK_SPACE, format_time(at, format=pattern, locale=locale))


def clock_label(moment: datetime, zone: str, language: str) -> str:
    """'19 h 05' / '7:05 p.m.' in ``zone`` (unbreakable, see :func:`time_label`)."""
    return time_label(to_local(moment, zone), language)


def date_label(moment: datetime, zone: str, language: str) -> str:
    """'mercredi 12 mars 2025' / 'Wednesday, March 12, 2025'"""
    return format_date(to_local(moment, zone), format="full", locale=locale_for(language))


def zone_label(moment: datetime, zone: str, language: str) -> str:
    """'heure avancée de l’Est' / 'Eastern Daylight Time' (the name in force on that day)."""
    return get_timezone_name(to_local(moment, zone), width="long", locale=locale_for(language))


def iso_utc(moment: datetime) -> str:
    """What a browser parses: '2025-03-12T23:05:00.000Z'."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
