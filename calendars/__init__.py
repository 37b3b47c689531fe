"""Calendar invitations as plain values in, bytes out: no database, no network.

- :mod:`calendars.events` — one recipient's calendar object (REQUEST or CANCEL, or PUBLISH for a file),
  :func:`render_calendar` (and :func:`render_calendars` for several objects in one file);
- :mod:`calendars.timezones` — VTIMEZONE components with yearly rules, checked against ``zoneinfo``;
- :mod:`calendars.letters` — the e-mail's subject and bodies and the event's description, per language;
- :mod:`calendars.imip` — the iMIP e-mail that carries a calendar object (:func:`build_message`).

``service.domain.invite_content`` turns the database into these values; ``service.domain.delivery`` sends.
"""

from calendars.events import (
    CalendarObject,
    EventText,
    Method,
    Occurrence,
    Person,
    Recurrence,
    parameter_safe,
    render_calendar,
    render_calendars,
)
from calendars.imip import ATTACHMENT_NAME, Envelope, build_message, header_safe, message_id, parse_mailbox
from calendars.letters import (
    Change,
    Description,
    LedSession,
    Letter,
    Schedule,
    lead,
    render_description,
    render_letter,
    subject,
)
from calendars.timezones import TimezoneMismatch, check_offsets, vtimezone_for

__all__ = [
    "ATTACHMENT_NAME",
    "CalendarObject",
    "Change",
    "Description",
    "Envelope",
    "EventText",
    "LedSession",
    "Letter",
    "Method",
    "Occurrence",
    "Person",
    "Recurrence",
    "Schedule",
    "TimezoneMismatch",
    "build_message",
    "check_offsets",
    "header_safe",
    "lead",
    "message_id",
    "parameter_safe",
    "parse_mailbox",
    "render_calendar",
    "render_calendars",
    "render_description",
    "render_letter",
    "subject",
    "vtimezone_for",
]
