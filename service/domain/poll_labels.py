"""A poll's candidate slots and dates in words, in a person's language (« mardi à 19 h 00, 30 min »)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, get_day_names

from service.dates import time_label
from service.domain.poll_choice import Slot
from service.i18n import N_, gettext, locale_for

INTERVAL_LABELS = {1: N_("chaque semaine"), 2: N_("aux deux semaines")}


def weekday_name(weekday: int, language: str) -> str:
    """1 = Monday: « lundi » / "Monday"."""
    return get_day_names("wide", locale=locale_for(language))[weekday - 1]


def slot_label(slot: Slot, language: str) -> str:
    return gettext(language, N_("%(weekday)s à %(time)s, %(minutes)s min"), weekday=weekday_name(slot.weekday, language),
                   time=time_label(slot.local_time, language),
                   minutes=slot.duration_minutes)


def rhythm_label(interval_weeks: int, occurrence_count: int, language: str) -> str:
    return gettext(language, N_("%(interval)s, %(count)s rencontres"),
                   interval=gettext(language, INTERVAL_LABELS.get(interval_weeks, INTERVAL_LABELS[1])),
                   count=occurrence_count)


def day_label(day: date, language: str) -> str:
    return format_date(day, "full", locale=locale_for(language))


def moment_label(moment: datetime, zone: str, language: str) -> str:
    """« jeudi 10 décembre 2026 à 17 h 00 » in the group's zone."""
    from service.domain.clock import to_local

    local = to_local(moment, zone)
    return gettext(language, N_("%(date)s à %(time)s"), date=format_date(local, "full", locale=locale_for(language)),
                   time=time_label(local, language))
