"""Does a wall-clock time exist, once, on each date of a series? (pure: dates, a time and a zone name in)

At the spring change a local time such as 2:30 does not exist; at the autumn change 1:30 happens twice. A series
at such a time would start at an instant nobody meant, so a poll's slot is checked over every date of the series
it would become.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo


class Trouble(str, enum.Enum):
    NONEXISTENT = "nonexistent"  # skipped: the clocks jump over it
    AMBIGUOUS = "ambiguous"  # repeated: the clocks go back over it


@dataclass(frozen=True)
class LocalTimeProblem:
    day: date
    trouble: Trouble


def local_time_trouble(day: date, at: time, zone: str) -> Trouble | None:
    tz = ZoneInfo(zone)
    naive = datetime.combine(day, at)
    early, late = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if early.utcoffset() == late.utcoffset():
        return None
    # Both readings differ: either the time is repeated, or it is in a gap (it does not survive a round trip).
    back = early.astimezone(timezone.utc).astimezone(tz).replace(tzinfo=None)
    return Trouble.AMBIGUOUS if back == naive else Trouble.NONEXISTENT


def local_time_problems(days: Iterable[date], at: time, zone: str) -> list[LocalTimeProblem]:
    """Every date on which ``at`` does not exist, or exists twice, in ``zone``."""
    problems = []
    for day in days:
        trouble = local_time_trouble(day, at, zone)
        if trouble is not None:
            problems.append(LocalTimeProblem(day, trouble))
    return problems
