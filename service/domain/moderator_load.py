"""Each moderator's load, for the supervisors: a pure function over plain values (no database, no Flask).

Sessions moderated in the last 4 weeks and scheduled in the next 4; above the organisation's threshold in either,
the supervisor's page flags it — gently: a busy moderator is someone to check in with, not a fault.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

LOAD_WINDOW = timedelta(weeks=4)


@dataclass(frozen=True)
class Load:
    email_key: str
    display_name: str
    moderated: int  # in the last 4 weeks
    scheduled: int  # in the next 4 weeks
    heavy: bool  # above the threshold in either window


def moderator_loads(sessions: Iterable[tuple[str, str, datetime]], now: datetime, threshold: int) -> list[Load]:
    """``sessions``: (address key, name, start) of each session someone moderates (cancelled ones left out).

    Heaviest first, then by name.
    """
    counts: dict[str, list] = {}
    for key, name, starts_at in sessions:
        entry = counts.setdefault(key, [name, 0, 0])
        if now - LOAD_WINDOW <= starts_at <= now:
            entry[1] += 1
        elif now < starts_at <= now + LOAD_WINDOW:
            entry[2] += 1
    loads = [Load(key, name, past, ahead, past > threshold or ahead > threshold)
             for key, (name, past, ahead) in counts.items() if past or ahead]
    return sorted(loads, key=lambda load: (-max(load.moderated, load.scheduled), load.display_name.lower()))
