"""The members' stated availability, gathered for a poll's suggested slots.

A member who came from the volunteer pool (``Member.volunteer_id``) said when they are free when they signed up
(``Volunteer.availability``, in the organisation's time zone). :func:`member_windows` reads those windows, moved
to the group's zone when the two differ; members added by hand have none. With nobody's availability known,
:func:`suggested_slots` falls back to :data:`DEFAULT_SLOTS`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from service.domain.poll_choice import Slot, Window, suggest_slots
from service.extensions import db
from service.models import Group, Organisation, Volunteer

# A week without a daylight-saving change, to move a weekly window from one zone to another (Monday 2027-01-04).
_REFERENCE_MONDAY = date(2027, 1, 4)

# Sensible candidates when nobody's availability is known: lunchtime on three weekdays, and early evening.
DEFAULT_SLOTS = (
    Slot(2, time(12, 0), 30),
    Slot(3, time(12, 0), 30),
    Slot(4, time(12, 0), 30),
    Slot(2, time(17, 30), 30),
)


def member_windows(group: Group) -> dict[int, list[Window]]:
    """Each active member's availability windows in the group's zone, by member id (members from the pool only)."""
    by_volunteer = {m.volunteer_id: m.id for m in group.active_members if m.volunteer_id is not None}
    if not by_volunteer:
        return {}
    organisation = db.session.get(Organisation, group.organisation_id)
    source_zone = (organisation.timezone if organisation and organisation.timezone else group.timezone)
    rows = db.session.execute(
        select(Volunteer.id, Volunteer.availability).where(Volunteer.id.in_(by_volunteer))).all()
    windows: dict[int, list[Window]] = {}
    for volunteer_id, availability in rows:
        found = [window for item in availability or [] for window in _window(item, source_zone, group.timezone)]
        if found:
            windows[by_volunteer[volunteer_id]] = found
    return windows


def _window(item: dict, source_zone: str, target_zone: str) -> list[Window]:
    """One stored window (``{"weekday", "start", "end"}``) in the target zone; split if it crosses midnight there."""
    try:
        weekday, start, end = int(item["weekday"]), time.fromisoformat(item["start"]), time.fromisoformat(item["end"])
    except (KeyError, TypeError, ValueError):
        return []  # stored data is validated on the way in; anything else is simply not a suggestion
    if not 1 <= weekday <= 7 or end <= start:
        return []
    if source_zone == target_zone:
        return [Window(weekday, start, end)]
    day = _REFERENCE_MONDAY + timedelta(days=weekday - 1)
    begin = datetime.combine(day, start, ZoneInfo(source_zone)).astimezone(ZoneInfo(target_zone))
    finish = datetime.combine(day, end, ZoneInfo(source_zone)).astimezone(ZoneInfo(target_zone))
    if begin.date() == finish.date():
        return [Window(begin.isoweekday(), begin.time(), finish.time())]
    # Crosses midnight in the group's zone: the part before midnight, and the part after it.
    return [Window(begin.isoweekday(), begin.time(), time(23, 59)),
            Window(finish.isoweekday(), time(0, 0), finish.time())]


def suggested_slots(group: Group, duration_minutes: int = 30, limit: int = 4) -> tuple[list[Slot], bool]:
    """Candidate slots for a new poll, and whether they come from the members' availability."""
    windows = member_windows(group)
    if windows:
        ranked = suggest_slots(windows, duration_minutes, limit)
        if ranked:
            return [slot for slot, _free in ranked], True
    return list(DEFAULT_SLOTS[:limit]), False
