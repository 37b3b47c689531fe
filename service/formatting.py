"""Dates and times as people read them: in the group's time zone, in the reader's language (fr_CA, en_CA)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_timezone_name

from service.dates import time_label
from service.i18n import locale_for


# A compact date with its weekday, for tables: « mar. 19 mars 2030 » / "Tue, Mar 19, 2030".
COMPACT = {"fr": "EEE d MMM y", "en": "EEE, MMM d, y"}


def local_date(moment: datetime, zone: str, language: str, style: str = "full") -> str:
    pattern = COMPACT.get(language, COMPACT["fr"]) if style == "compact" else style
    return format_date(moment.astimezone(ZoneInfo(zone)).date(), pattern, locale=locale_for(language))


def local_time(moment: datetime, zone: str, language: str) -> str:
    return time_label(moment.astimezone(ZoneInfo(zone)).time(), language)


def wall_time(at: time, language: str) -> str:
    """A wall-clock time on its own: « 2 h 30 » / "2:30 a.m." """
    return time_label(at, language)


def local_datetime(moment: datetime, zone: str, language: str, style: str = "full") -> str:
    """« mardi 17 mars 2026, 18 h 30 » / "Tuesday, March 17, 2026, 6:30 p.m." """
    return f"{local_date(moment, zone, language, style)}, {local_time(moment, zone, language)}"


def zone_name(zone: str, language: str) -> str:
    """« heure de l’Est nord-américain (Toronto) » style name of a zone."""
    return get_timezone_name(ZoneInfo(zone), width="long", locale=locale_for(language))


@dataclass(frozen=True)
class LocalMoments:
    """Moments shown in a message in its reader's language: « 14 mars 2027 » / "March 14, 2027" (with the time
    too, « 14 mars 2027, 18 h 30 », when ``with_time``). A :class:`service.domain.errors.Violation` parameter."""

    moments: tuple[datetime, ...]
    zone: str
    with_time: bool = False

    def localised(self, language: str) -> str:
        if self.with_time:
            return "; ".join(local_datetime(m, self.zone, language, "long") for m in self.moments)
        return ", ".join(local_date(m, self.zone, language, "long") for m in self.moments)


@dataclass(frozen=True)
class WallTime:
    """A wall-clock time as a message parameter: « 2 h 30 » / "2:30 a.m."."""

    at: time

    def localised(self, language: str) -> str:
        return wall_time(self.at, language)


@dataclass(frozen=True)
class Day:
    """A calendar day as a message parameter: « 14 mars 2027 » / "March 14, 2027"."""

    day: date

    def localised(self, language: str) -> str:
        return format_date(self.day, "long", locale=locale_for(language))
