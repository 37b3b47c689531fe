"""Independent checks of calendar data: software nobody here wrote reads what the service writes.

- ``icalendar`` (lenient parser, errors collected on each component) and its VTIMEZONE reading;
- ``vobject`` (another parser, and another VTIMEZONE reading through dateutil);
- ``ical`` (the strictest parser: bad dates, bad RRULE, unknown TZID, DTEND with DURATION, local UNTIL);
- ``recurring-ical-events`` (expands the series into occurrences, overrides and exclusions).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import vobject
from ical.calendar_stream import IcsCalendarStream

UTC = timezone.utc


def parse_everywhere(data: bytes) -> icalendar.Calendar:
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""), "lines must end with CRLF"
    calendar = icalendar.Calendar.from_ical(data)
    for component in calendar.walk():
        assert not component.errors, (component.name, component.errors)
    vobject.readOne(data.decode("utf-8"))
    IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return calendar


def expand(data: bytes, start: datetime, end: datetime) -> list[icalendar.Event]:
    """Every occurrence (overrides applied) between ``start`` and ``end``."""
    calendar = icalendar.Calendar.from_ical(data)
    return list(recurring_ical_events.of(calendar, keep_recurrence_attributes=True).between(start, end))


def starts_utc(events) -> list[datetime]:
    return sorted(event["DTSTART"].dt.astimezone(UTC) for event in events)


def vtimezone_offsets_agree(data: bytes, zone_name: str, instants) -> None:
    """Read the VTIMEZONE with two independent implementations (icalendar, vobject/dateutil) and compare
    each instant's offset with zoneinfo."""
    calendar = icalendar.Calendar.from_ical(data)
    (vtimezone,) = [c for c in calendar.walk("VTIMEZONE")]
    from_icalendar = vtimezone.to_tz(lookup_tzid=False)
    from_vobject = vobject.readOne(data.decode("utf-8")).vtimezone.gettzinfo()
    zone = ZoneInfo(zone_name)
    for instant in instants:
        local = instant.astimezone(zone)
        wall = local.replace(tzinfo=None)
        for reader in (from_icalendar, from_vobject):
            assert wall.replace(tzinfo=reader, fold=local.fold).utcoffset() == local.utcoffset(), (
                zone_name, wall, reader)


def apply_messages(messages: list[bytes]) -> icalendar.Calendar:
    """What a calendar client keeps after processing these iTIP messages in order (RFC 5546, simplified):
    a REQUEST for the whole event replaces it, a REQUEST or CANCEL with RECURRENCE-ID replaces or cancels one
    occurrence, a CANCEL without it removes the event. Messages with a lower SEQUENCE are ignored."""
    master: icalendar.Event | None = None
    overrides: dict[datetime, icalendar.Event] = {}
    timezones: dict[str, icalendar.Timezone] = {}

    def sequence(event) -> int:
        return int(event.get("SEQUENCE", 0))

    for data in messages:
        calendar = icalendar.Calendar.from_ical(data)
        method = str(calendar["METHOD"])
        for tz in calendar.walk("VTIMEZONE"):
            timezones[str(tz["TZID"])] = tz
        events = list(calendar.walk("VEVENT"))
        whole = [e for e in events if e.get("RECURRENCE-ID") is None]
        if whole:
            if master is not None and sequence(whole[0]) < sequence(master):
                continue
            if method == "CANCEL":
                master, overrides = None, {}
                continue
            master, overrides = whole[0], {}
        for event in events:
            rid = event.get("RECURRENCE-ID")
            if rid is None:
                continue
            key = rid.dt.astimezone(UTC)
            if key in overrides and sequence(event) < sequence(overrides[key]):
                continue
            if method == "CANCEL":
                event["STATUS"] = "CANCELLED"
            overrides[key] = event
    merged = icalendar.Calendar()
    merged.add("prodid", "-//test client//")
    merged.add("version", "2.0")
    for tz in timezones.values():
        merged.add_component(tz)
    if master is not None:
        merged.add_component(master)
        for event in overrides.values():
            merged.add_component(event)
    return merged


def kept_starts(calendar: icalendar.Calendar, start: datetime, end: datetime) -> list[datetime]:
    """The occurrences a person sees (cancelled ones left out), as UTC starts."""
    events = recurring_ical_events.of(calendar).between(start, end)
    return starts_utc(e for e in events if str(e.get("STATUS", "CONFIRMED")) != "CANCELLED")


def within(delta_days: int) -> tuple[datetime, datetime]:
    now = datetime.now(UTC)
    return now - timedelta(days=delta_days), now + timedelta(days=delta_days)
