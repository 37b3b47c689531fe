"""Where a wall-clock time lands on each date of a series, daylight-saving changes included (pure).

A series is planned in the group's local time (« every Sunday at 02:30 »). On the night the clocks go forward,
02:30 does not exist: it is read with the offset in force before the gap (RFC 5545's rule, which
:func:`service.domain.clock.to_utc` follows), so the session would start at 03:30. On the night they go back,
01:30 happens twice: the first one (still daylight time) is taken. Neither may happen silently: this module
says, for every occurrence, whether its time is one of these, and where the offset changes from the previous
occurrence, so a page can list the dates before they are saved and the domain can ask for a confirmation.

Plain values in and out: no Flask, database or clock import.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


class LocalTimeIssue(str, enum.Enum):
    NONEXISTENT = "nonexistent"  # skipped when the clocks go forward: the session moves one hour later
    AMBIGUOUS = "ambiguous"  # happens twice when the clocks go back: the first one is taken


@dataclass(frozen=True)
class Occurrence:
    day: date
    requested: time  # the wall-clock time asked for
    starts_at: datetime  # aware UTC: where it really starts
    local: datetime  # aware, in the zone: what clocks there show at the start
    utc_offset: timedelta
    issue: LocalTimeIssue | None = None
    offset_changed: bool = False  # the offset differs from the previous occurrence's (a DST change in between)

    @property
    def moved(self) -> bool:
        """The session starts at another wall-clock time than the one asked for."""
        return self.local.time().replace(tzinfo=None) != self.requested


def local_time_issue(day: date, at: time, zone: str) -> LocalTimeIssue | None:
    """Whether ``at`` on ``day`` is skipped or repeated in ``zone`` (None: it happens exactly once)."""
    tz = ZoneInfo(zone)
    wall = datetime.combine(day, at)
    earlier, later = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return None
    round_trip = earlier.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    return LocalTimeIssue.AMBIGUOUS if round_trip == wall else LocalTimeIssue.NONEXISTENT


def occurrence(day: date, at: time, zone: str) -> Occurrence:
    tz = ZoneInfo(zone)
    starts_at = datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(timezone.utc)
    local = starts_at.astimezone(tz)
    return Occurrence(day, at, starts_at, local, local.utcoffset() or timedelta(0), local_time_issue(day, at, zone))


def occurrences(days: Iterable[date], at: time, zone: str) -> list[Occurrence]:
    """Each date at ``at`` in ``zone``, in order, each one marked when its offset is not the previous one's."""
    result: list[Occurrence] = []
    for day in days:
        current = occurrence(day, at, zone)
        if result and result[-1].utc_offset != current.utc_offset:
            current = Occurrence(current.day, current.requested, current.starts_at, current.local,
                                 current.utc_offset, current.issue, offset_changed=True)
        result.append(current)
    return result


def with_issue(found: Sequence[Occurrence], issue: LocalTimeIssue) -> list[Occurrence]:
    return [item for item in found if item.issue is issue]
