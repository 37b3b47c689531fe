"""Dates and times as people read them: in the group's time zone, in the reader's language (fr_CA, en_CA)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_timezone_name

from service.i18n import locale_for


# A compact date with its weekday, for tables: « mar. 19 mars 2030 » / "Tue, Mar 19, 2030".
COMPACT = {"fr": "EEE d MMM y", "en": "EEE, MMM d, y"}


def local_date(moment: datetime, zone: str, language: str, style: str = "full") -> str:
    pattern = COMPACT.get(language, COMPACT["fr"]) if style == "compact" else style
    return format_date(moment.astimezone(ZoneInfo(zone)).date(), pattern, locale=locale_for(language))


def local_time(moment: datetime, zone: str, language: str) -> str:
    return format_time(moment.astimezone(ZoneInfo(zone)).time(), "short", locale=locale_for(language))


def local_datetime(moment: datetime, zone: str, language: str, style: str = "full") -> str:
    """« mardi 17 mars 2026, 18 h 30 » / "Tuesday, March 17, 2026, 6:30 p.m." """
    return f"{local_date(moment, zone, language, style)}, {local_time(moment, zone, language)}"


def zone_name(zone: str, language: str) -> str:
    """« heure de l’Est nord-américain (Toronto) » style name of a zone."""
    return get_timezone_name(ZoneInfo(zone), width="long", locale=locale_for(language))
