"""One recipient's calendar object (iTIP REQUEST or CANCEL, or a PUBLISH file to download) as bytes.

Plain values in, RFC 5545 bytes out (CRLF line endings, folded lines). The rules it follows are gathered in
``shared/notes/ical.md``: one ATTENDEE (the recipient) and the service as ORGANIZER; one random UID for the
event's whole life; SEQUENCE and a fresh DTSTAMP on every message; times with a TZID and the zone's
VTIMEZONE; ``RRULE`` with a UTC ``UNTIL``; ``RECURRENCE-ID`` for one occurrence; a reminder on requests only.

``PUBLISH`` is the person's own copy as a file (no Accept/Decline, RFC 5546 §3.2.1): the same events, UID and
SEQUENCE as the request, so a calendar that holds the invitation updates it; no ATTENDEE (the method has none),
the reminder and exceptions kept. :func:`render_calendars` puts several objects (a series and single sessions)
in one file.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vRecur, vText, vUri

from calendars.timezones import vtimezone_bytes

UTC = timezone.utc
PRODID = "-//Entre pairs//Invitations//FR"
LANGUAGE_TAGS = {"fr": "fr-CA", "en": "en-CA"}
# Characters a name may not carry into a parameter value (RFC 5545 §3.1: no control characters, no DQUOTE).
_UNSAFE_IN_PARAMETER = re.compile(r'[\x00-\x1f\x7f"]+')


class Method(str, enum.Enum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
    PUBLISH = "PUBLISH"  # a file to download: the event as it is, nothing to answer


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class EventText:
    summary: str
    description: str
    # The meeting's join link: written as LOCATION and URL (and into the description by the caller).
    join_url: str | None = None


@dataclass(frozen=True)
class Occurrence:
    """One VEVENT: a single event, a series' master (with the :class:`Recurrence`), or one occurrence's override."""

    start: datetime
    duration: timedelta
    sequence: int
    text: EventText
    # For an override: the occurrence's original start, as the series' rule placed it.
    recurrence_id: datetime | None = None

    def __post_init__(self) -> None:
        for moment in (self.start, self.recurrence_id):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError("calendar times must be aware")


@dataclass(frozen=True)
class Recurrence:
    """Weekly or every two weeks; ends after ``count`` occurrences or with the one starting at ``until``."""

    interval_weeks: int
    count: int | None = None
    until: datetime | None = None
    # Occurrences removed from the series (EXDATE), by their original start.
    excluded: tuple[datetime, ...] = ()

    def __post_init__(self) -> None:
        if self.interval_weeks not in (1, 2):
            raise ValueError("a series repeats every week or every two weeks")
        if (self.count is None) == (self.until is None):
            raise ValueError("a series ends after a count or at a date, not both")


@dataclass(frozen=True)
class CalendarObject:
    """What one recipient receives: the events of one UID, in one method."""

    method: Method
    uid: str
    timezone: str
    organizer: Person
    attendee: Person
    # The event without RECURRENCE-ID (single event or series master) if any, then overrides.
    events: tuple[Occurrence, ...]
    stamp: datetime
    recurrence: Recurrence | None = None
    language: str = "fr"
    alarm_minutes: int | None = 10

    def __post_init__(self) -> None:
        if not self.events:
            raise ValueError("a calendar object needs at least one event")
        if sum(1 for e in self.events if e.recurrence_id is None) > 1:
            raise ValueError("only one event may be the master (without RECURRENCE-ID)")
        if self.recurrence is not None and not any(e.recurrence_id is None for e in self.events):
            raise ValueError("a recurrence needs a master event")


def parameter_safe(text: str) -> str:
    """A display name fit for a CN parameter: no line breaks, control characters or double quotes."""
    return " ".join(_UNSAFE_IN_PARAMETER.sub(" ", text.replace('"', "'")).split())


def _address(person: Person, *, attendee: bool, method: Method) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    name = parameter_safe(person.name)
    if name:
        address.params["CN"] = name
    if attendee:
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = "REQ-PARTICIPANT"
        if method is Method.REQUEST:
            address.params["PARTSTAT"] = "NEEDS-ACTION"
            address.params["RSVP"] = "TRUE"
    return address


def _text(value: str, language: str) -> vText:
    text = vText(value)
    text.params["LANGUAGE"] = LANGUAGE_TAGS.get(language, language)
    return text


def _vevent(obj: CalendarObject, occurrence: Occurrence, zone: ZoneInfo) -> Event:
    event = Event()
    event.add("uid", obj.uid)
    event.add("dtstamp", obj.stamp.astimezone(UTC))
    if occurrence.recurrence_id is not None:
        event.add("recurrence-id", occurrence.recurrence_id.astimezone(zone))
    event.add("dtstart", occurrence.start.astimezone(zone))
    event.add("dtend", (occurrence.start + occurrence.duration).astimezone(zone))
    if occurrence.recurrence_id is None and obj.recurrence is not None:
        rule: dict[str, object] = {"FREQ": "WEEKLY", "INTERVAL": obj.recurrence.interval_weeks}
        if obj.recurrence.count is not None:
            rule["COUNT"] = obj.recurrence.count
        else:
            assert obj.recurrence.until is not None
            rule["UNTIL"] = obj.recurrence.until.astimezone(UTC)  # RFC 5545: UTC when DTSTART has a TZID
        event.add("rrule", vRecur(rule))
        if obj.recurrence.excluded and obj.method is not Method.CANCEL:
            event.add("exdate", [moment.astimezone(zone) for moment in sorted(obj.recurrence.excluded)])
    event.add("sequence", occurrence.sequence)
    event.add("summary", _text(occurrence.text.summary, obj.language))
    event.add("description", _text(occurrence.text.description, obj.language))
    if occurrence.text.join_url:
        event.add("location", _text(occurrence.text.join_url, obj.language))
        event.add("url", vUri(occurrence.text.join_url))
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    event.add("status", "CANCELLED" if obj.method is Method.CANCEL else "CONFIRMED")
    event.add("organizer", _address(obj.organizer, attendee=False, method=obj.method))
    if obj.method is not Method.PUBLISH:
        event.add("attendee", _address(obj.attendee, attendee=True, method=obj.method))
    if obj.method is not Method.CANCEL and obj.alarm_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", occurrence.text.summary)
        alarm.add("trigger", timedelta(minutes=-obj.alarm_minutes))
        event.add_component(alarm)
    return event


def _moments(obj: CalendarObject) -> list[datetime]:
    moments: list[datetime] = []
    for occurrence in obj.events:
        moments += [occurrence.start, occurrence.start + occurrence.duration]
        if occurrence.recurrence_id is not None:
            moments.append(occurrence.recurrence_id)
    if obj.recurrence is not None:
        moments += list(obj.recurrence.excluded)
        if obj.recurrence.until is not None:
            moments.append(obj.recurrence.until)
        else:
            master = next(e for e in obj.events if e.recurrence_id is None)
            assert obj.recurrence.count is not None
            moments.append(master.start + timedelta(weeks=obj.recurrence.interval_weeks * (obj.recurrence.count - 1)))
    return moments


def render_calendar(obj: CalendarObject) -> bytes:
    """The iCalendar stream (``METHOD`` set) for one recipient."""
    return render_calendars([obj])


def render_calendars(objects: Sequence[CalendarObject]) -> bytes:
    """Several calendar objects of one recipient in one stream: one VTIMEZONE per zone, then each object's
    events. They share one method (a PUBLISH file holding a series and single sessions, each with its UID).

    The VTIMEZONE comes as bytes from a cache (the same for every member of a group), and lines are folded
    by :func:`fold` rather than icalendar's character-by-character folding (a sixth of the sending time)."""
    if not objects:
        raise ValueError("a calendar needs at least one object")
    methods = {obj.method for obj in objects}
    if len(methods) != 1:
        raise ValueError("the objects of one calendar share one method")
    if len({obj.uid for obj in objects}) != len(objects):
        raise ValueError("each object of a calendar has its own UID")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", methods.pop().value)
    moments: dict[str, list[datetime]] = {}
    for obj in objects:
        moments.setdefault(obj.timezone, []).extend(_moments(obj))
    head = _lines(calendar)
    end = head.pop()  # END:VCALENDAR: the components go before it
    parts = [head]
    for name, zone_moments in moments.items():
        parts.append(vtimezone_bytes(name, zone_moments))
    for obj in objects:
        zone = ZoneInfo(obj.timezone)
        for occurrence in sorted(obj.events, key=_master_first):
            parts.append(_lines(_vevent(obj, occurrence, zone)))
    return b"".join(b"".join(lines) if isinstance(lines, list) else lines for lines in parts) + end


def _lines(component) -> list[bytes]:
    """The component's content lines, folded, each ending with CRLF (what ``to_ical()`` writes)."""
    return [fold(line) + b"\r\n" for line in component.content_lines() if line]


def fold(line: str, limit: int = 75) -> bytes:
    """One content line folded as RFC 5545 §3.1 asks, byte for byte as icalendar folds it: pieces of at most
    ``limit - 1`` octets, never inside a UTF-8 character, and never ending on a backslash or caret (an escape
    stays with the character it escapes)."""
    data = line.encode("utf-8")
    if len(data) < limit:
        return data
    room = limit - 1
    pieces = []
    start, size = 0, len(data)
    while size - start > room:
        end = start + room
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: the character starts earlier
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def _master_first(occurrence: Occurrence) -> tuple[int, datetime]:
    if occurrence.recurrence_id is None:
        return (0, occurrence.start)
    return (1, occurrence.recurrence_id)

