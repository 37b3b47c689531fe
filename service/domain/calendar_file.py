"""A participant's own calendar file: their upcoming sessions, to add to a calendar by hand (``/p/<token>/agenda.ics``).

No second iCalendar generator: each calendar object the person holds (their series, their single sessions) is
their invitation's copy as it would be sent now (``invite_content.published_copy``), rendered together in
``METHOD:PUBLISH`` by :mod:`calendars`. So the file carries the same UIDs and SEQUENCEs as the invitations, and a
calendar that already has them updates those events instead of doubling them; like the invitations, it names
nobody but its owner (here not even them: a PUBLISH event has no ATTENDEE).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from calendars import CalendarObject, render_calendars
from config import Settings
from service.domain.invitations import held_requests
from service.domain.invite_content import Obsolete, published_copy
from service.models import Member

FALLBACK_NAME = "agenda"


@dataclass(frozen=True)
class CalendarFile:
    content: bytes  # text/calendar, UTF-8, CRLF line endings
    filename: str  # ASCII, e.g. "rencontre-d-equipe.ics"


def _slug(text: str) -> str:
    """« Rencontre d’équipe » -> "rencontre-d-equipe": a file name any system keeps as it is."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")[:60].strip("-")


def _first_start(calendar: CalendarObject) -> datetime:
    return min(event.start for event in calendar.events)


def participant_calendar(member: Member, settings: Settings, now: datetime) -> CalendarFile | None:
    """The member's calendar file, or None when nothing is ahead for them."""
    copies = []
    for invite in held_requests(member):
        try:
            copies.append(published_copy(invite, settings, now))
        except Obsolete:
            continue  # over, cancelled since, or no longer theirs
    if not copies:
        return None
    copies.sort(key=_first_start)
    # The file is named like its events (a neutral title unless the group chose to name its sessions).
    name = _slug(copies[0].events[0].text.summary) or FALLBACK_NAME
    return CalendarFile(render_calendars(copies), f"{name}.ics")
