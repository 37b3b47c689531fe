"""A series as calendars know it: the instants its rule produces, and the session held at each.

A calendar client knows a series by its rule (``DTSTART`` + ``RRULE``) and addresses an occurrence by the
instant the rule gave it (``RECURRENCE-ID``). The database knows sessions, which move, get cancelled, and
outlive a change of the rule (past occurrences before a rescheduling). This module maps one onto the other:

- the rule starts at ``first_date`` at ``local_time`` in the series' zone (rescheduling a series restarts it at
  the first occurrence still ahead) and repeats every ``interval_weeks`` up to the last session still held;
- each instant holds the session whose original start it is, if that session is not cancelled; an instant
  holding none (a cancelled occurrence, or a weekday change that left a cancelled session behind) is excluded
  from the series (EXDATE).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from service.domain.clock import local_start, to_local
from service.models import GroupSession, Member, SessionSeries, SessionStatus

log = logging.getLogger(__name__)

# Every member's copy of a series walks the same weeks: each instant is worked out once per process.
_rule_instant = lru_cache(maxsize=4096)(local_start)


@dataclass(frozen=True)
class Slot:
    start: datetime  # where the rule places the occurrence: its RECURRENCE-ID
    session: GroupSession | None  # the session held then (None: the occurrence is excluded)

    @property
    def held(self) -> bool:
        return self.session is not None


def series_slots(series: SessionSeries) -> list[Slot]:
    rule_start = local_start(series.first_date, series.local_time, series.timezone)
    in_rule = [s for s in series.sessions if s.original_starts_at is not None and s.original_starts_at >= rule_start]
    held = {s.original_starts_at: s for s in in_rule if s.status is not SessionStatus.CANCELLED}
    last: date | None = None
    for moment in (held or {s.original_starts_at: s for s in in_rule}):
        day = to_local(moment, series.timezone).date()
        last = day if last is None or day > last else last
    slots: list[Slot] = []
    day = series.first_date
    while last is not None and day <= last:
        start = _rule_instant(day, series.local_time, series.timezone)
        slots.append(Slot(start, held.pop(start, None)))
        day += timedelta(weeks=series.interval_weeks)
    if held:  # a session off the rule would be missing from every calendar: say so
        log.warning("series %s: sessions %s are not on the series' rule", series.id, [s.id for s in held.values()])
    return slots


def slots_for(series: SessionSeries, member: Member) -> list[Slot]:
    """The occurrences in ``member``'s copy: those from when they joined the group on ("from now on")."""
    return [slot for slot in series_slots(series) if slot.start >= member.joined_at]


def in_copy_of(session: GroupSession, member: Member) -> bool:
    """Is this occurrence part of ``member``'s copy of its series?"""
    return session.original_starts_at is not None and session.original_starts_at >= member.joined_at
