"""The members' stated availability, gathered for a poll's suggested slots.

The volunteer pool (where people sign up with their availability windows) lives on another branch: once it is
merged, :func:`member_windows` reads each member's ``Volunteer.availability`` through ``Member.volunteer_id``.
Until then no member has windows, and :func:`suggested_slots` falls back to :data:`DEFAULT_SLOTS`.
"""

from __future__ import annotations

from datetime import time

from service.domain.poll_choice import Slot, Window, suggest_slots
from service.models import Group

# Sensible candidates when nobody's availability is known: lunchtime on three weekdays, and early evening.
DEFAULT_SLOTS = (
    Slot(2, time(12, 0), 30),
    Slot(3, time(12, 0), 30),
    Slot(4, time(12, 0), 30),
    Slot(2, time(17, 30), 30),
)


def member_windows(group: Group) -> dict[int, list[Window]]:
    """Each active member's availability windows (in the organisation's zone), by member id. None known yet: the
    volunteer pool is not part of this branch (see the module's documentation)."""
    return {}


def suggested_slots(group: Group, duration_minutes: int = 30, limit: int = 4) -> tuple[list[Slot], bool]:
    """Candidate slots for a new poll, and whether they come from the members' availability."""
    windows = member_windows(group)
    if windows:
        ranked = suggest_slots(windows, duration_minutes, limit)
        if ranked:
            return [slot for slot, _free in ranked], True
    return list(DEFAULT_SLOTS[:limit]), False
