"""Showing a stored UTC moment to a person: in the group's zone, in the person's language (Canadian formats)."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date, format_time, get_timezone_name

from service.domain.clock import UTC, to_local
from service.i18n import locale_for


def clock_label(moment: datetime, zone: str, language: str) -> str:
    """'19 h 05' / '7:05 p.m.'"""
    return format_time(to_local(moment, zone), format="short", locale=locale_for(language))


def date_label(moment: datetime, zone: str, language: str) -> str:
    """'mercredi 12 mars 2025' / 'Wednesday, March 12, 2025'"""
    return format_date(to_local(moment, zone), format="full", locale=locale_for(language))


def zone_label(moment: datetime, zone: str, language: str) -> str:
    """'heure avancée de l’Est' / 'Eastern Daylight Time' (the name in force on that day)."""
    return get_timezone_name(to_local(moment, zone), width="long", locale=locale_for(language))


def iso_utc(moment: datetime) -> str:
    """What a browser parses: '2025-03-12T23:05:00.000Z'."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
