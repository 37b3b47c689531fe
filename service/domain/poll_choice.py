"""An availability poll's arithmetic, over plain values (no Flask, database, Redis, Zoom or mail).

- :func:`tally`: the counts per candidate slot from each person's answers (nobody's answers come out of it);
- :func:`ranking` / :func:`leading_slot`: the slot the group leans towards — the most « oui », then the most
  « si nécessaire »; a tie keeps the order the coordinator proposed (stable, so two pages never disagree);
- :func:`suggest_slots`: candidate slots where the most members said they are free (their availability
  windows), for pre-filling a new poll.

Weekdays follow the issue and ISO 8601: Monday = 1 ... Sunday = 7.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time


class Answer(str, enum.Enum):
    YES = "yes"
    IF_NEED_BE = "if_need_be"
    NO = "no"


@dataclass(frozen=True, order=True)
class Slot:
    """A weekly candidate time in the group's zone."""

    weekday: int  # 1 = Monday ... 7 = Sunday
    local_time: time
    duration_minutes: int = 30

    @property
    def python_weekday(self) -> int:
        """0 = Monday, as ``date.weekday()`` and the series model count."""
        return self.weekday - 1


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    if_need_be: int = 0
    no: int = 0

    @property
    def answered(self) -> int:
        return self.yes + self.if_need_be + self.no


@dataclass(frozen=True)
class Window:
    """When one person is free on a weekday (the volunteer pool's availability): ``start`` to ``end``."""

    weekday: int
    start: time
    end: time


def tally(answers: Iterable[Sequence[Answer | str | None]], slot_count: int) -> list[Tally]:
    """Per slot, how many said yes / if need be / no. ``answers`` holds one sequence per person (index = slot);
    a missing or unknown value counts for nothing."""
    counts = [[0, 0, 0] for _ in range(slot_count)]
    order = {Answer.YES: 0, Answer.IF_NEED_BE: 1, Answer.NO: 2}
    for person in answers:
        for index, value in enumerate(list(person)[:slot_count]):
            try:
                position = order[Answer(value)]
            except ValueError:
                continue
            counts[index][position] += 1
    return [Tally(*row) for row in counts]


def ranking(tallies: Sequence[Tally]) -> list[int]:
    """Slot indexes, the group's favourite first: most « oui », then most « si nécessaire », then as proposed."""
    return sorted(range(len(tallies)), key=lambda i: (-tallies[i].yes, -tallies[i].if_need_be, i))


def leading_slot(tallies: Sequence[Tally]) -> int | None:
    """The index of the slot in the lead, or ``None`` while nobody has said yes or if need be to anything."""
    order = ranking(tallies)
    if not order:
        return None
    best = tallies[order[0]]
    return order[0] if best.yes + best.if_need_be > 0 else None


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _free_at(windows: Iterable[Window], weekday: int, start: int, end: int) -> bool:
    return any(w.weekday == weekday and _minutes(w.start) <= start and end <= _minutes(w.end) for w in windows)


def suggest_slots(availability: Mapping[object, Sequence[Window]], duration_minutes: int = 30, limit: int = 4,
                  step_minutes: int = 30, minimum_free: int = 1) -> list[tuple[Slot, int]]:
    """The best weekly slots for a group: ``(slot, how many members are free)``, most members first.

    ``availability`` maps each member (any key) to their windows. Candidate start times are every
    ``step_minutes`` inside someone's window; a member counts as free if one of their windows holds the whole
    session. Ties go to the earlier weekday, then the earlier time (stable and predictable). Slots fewer than
    ``minimum_free`` members could attend are left out.
    """
    starts: set[tuple[int, int]] = set()
    for windows in availability.values():
        for window in windows:
            if not 1 <= window.weekday <= 7:
                continue
            begin, end = _minutes(window.start), _minutes(window.end)
            first = -(-begin // step_minutes) * step_minutes  # the first step at or after the window opens
            for start in range(first, end - duration_minutes + 1, step_minutes):
                starts.add((window.weekday, start))
    scored = []
    for weekday, start in starts:
        free = sum(1 for windows in availability.values()
                   if _free_at(windows, weekday, start, start + duration_minutes))
        if free >= minimum_free:
            scored.append((-free, weekday, start))
    scored.sort()
    return [(Slot(weekday, time(start // 60, start % 60), duration_minutes), -negative)
            for negative, weekday, start in scored[:limit]]
