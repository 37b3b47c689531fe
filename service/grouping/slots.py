"""Weekly time slots as bit masks: bit ``i`` is the session start ``i × step`` minutes after Monday 00:00.

A person's mask holds every start at which they can attend a whole session; a group's common starts are the
AND of its members' masks, so checking and counting them costs a few integer operations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from service.grouping.values import DEFAULT_SESSION_MINUTES, Window

SLOT_STEP_MINUTES = 30
MINUTES_PER_DAY = 24 * 60
_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def parse_time(value: object) -> int | None:
    """``"HH:MM"`` → minutes since midnight (``"24:00"`` is the end of the day), or ``None``."""
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return minutes if minutes <= MINUTES_PER_DAY else None


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def window_from_mapping(value: Mapping[str, object]) -> Window | None:
    """``{"weekday": 1..7, "start": "HH:MM", "end": "HH:MM"}`` → a window, or ``None`` if it is not one."""
    weekday, start, end = value.get("weekday"), parse_time(value.get("start")), parse_time(value.get("end"))
    if not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7:
        return None
    if start is None or end is None or end <= start:
        return None
    return Window(weekday, start, end)


def window_to_mapping(window: Window) -> dict[str, object]:
    return {"weekday": window.weekday, "start": format_time(window.start), "end": format_time(window.end)}


def slot_mask(windows: Iterable[Window], session_minutes: int = DEFAULT_SESSION_MINUTES,
              step: int = SLOT_STEP_MINUTES) -> int:
    """Every start on the ``step`` grid from which a whole session fits inside one of the windows."""
    mask = 0
    for window in windows:
        first = -(-window.start // step) * step  # the first grid start at or after the window's start
        for start in range(first, window.end - session_minutes + 1, step):
            mask |= 1 << (((window.weekday - 1) * MINUTES_PER_DAY + start) // step)
    return mask


def slot_count(mask: int) -> int:
    return mask.bit_count()


def mask_windows(mask: int, session_minutes: int = DEFAULT_SESSION_MINUTES,
                 step: int = SLOT_STEP_MINUTES) -> tuple[Window, ...]:
    """The common starts as readable windows: consecutive starts of one day merged, each ending when the last
    session that can start in it ends (Monday 12:00 and 12:30 starts of 30 minutes → Monday 12:00–13:00)."""
    windows: list[Window] = []
    index = 0
    while mask >> index:
        if not (mask >> index) & 1:
            index += 1
            continue
        begin = index
        day = (index * step) // MINUTES_PER_DAY
        while (mask >> (index + 1)) & 1 and ((index + 1) * step) // MINUTES_PER_DAY == day:
            index += 1
        start = begin * step - day * MINUTES_PER_DAY
        end = min(index * step - day * MINUTES_PER_DAY + session_minutes, MINUTES_PER_DAY)
        windows.append(Window(day + 1, start, end))
        index += 1
    return tuple(windows)
