"""Meetings, as the service needs them: create, read, update what changed, delete, and one occurrence at a time.

Every call states the status Zoom documents for it and turns anything else into a typed error
(``exceptions``). What we send is built here, once:

- ``start_time`` always in UTC (``yyyy-MM-ddTHH:mm:ssZ``), with the group's ``timezone`` beside it so Zoom
  generates a series' occurrences in local time (across DST changes);
- the safe defaults, always: waiting room on, no join before host, mute on entry, no recording, a random
  passcode within Zoom's rules; the continuous meeting chat on only when chat prompts are;
- a series is ONE ``type 8`` meeting (weekly, fixed time); its occurrences are read back with their ids.

:class:`MeetingInfo` never holds the ``start_url`` (a host secret that starts the meeting as host):
:meth:`ZoomMeetings.start_url` returns it fresh for the one person who asked, and nothing stores or logs it.
"""

from __future__ import annotations

import logging
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from integrations.zoom.client import MeetingsEndpoint, ZoomTransport
from integrations.zoom.exceptions import ZoomInvalidRequest
from integrations.zoom.ratelimit import RateLimiter

log = logging.getLogger(__name__)

UTC = timezone.utc
MEETING_SCHEDULED = 2
MEETING_RECURRING_FIXED = 8
RECURRENCE_WEEKLY = 2
TOPIC_LIMIT = 200
AGENDA_LIMIT = 2000
MAX_OCCURRENCES = 60
# Zoom's passcode alphabet is [a-zA-Z0-9@-_*], at most 10 characters. We use letters and digits only (easy to
# read aloud), without look-alikes, and always mix cases and digits so accounts that require it accept it.
PASSCODE_LENGTH = 10
_PASSCODE_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


def new_passcode() -> str:
    while True:
        code = "".join(secrets.choice(_PASSCODE_ALPHABET) for _ in range(PASSCODE_LENGTH))
        if any(c.islower() for c in code) and any(c.isupper() for c in code) and any(c.isdigit() for c in code):
            return code


def zoom_time(moment: datetime) -> str:
    """An aware datetime as Zoom's UTC form. Naive datetimes are refused: their meaning depends on a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime given to Zoom")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_zoom_time(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Recurrence:
    """Weekly, every ``interval_weeks`` weeks, ``count`` occurrences, on the weekday of the start (local time)."""

    interval_weeks: int
    count: int

    def as_zoom(self, start: datetime, zone: str) -> dict[str, Any]:
        # Zoom numbers weekdays from Sunday = 1; Python from Monday = 0.
        weekday = (start.astimezone(ZoneInfo(zone)).weekday() + 1) % 7 + 1
        return {"type": RECURRENCE_WEEKLY, "repeat_interval": self.interval_weeks, "weekly_days": str(weekday),
                "end_times": self.count}


@dataclass(frozen=True)
class MeetingSpec:
    """What a meeting should be. ``start_time`` is aware; for a series it is the first occurrence of its rule."""

    topic: str
    agenda: str
    start_time: datetime
    duration_minutes: int
    timezone: str
    passcode: str
    chat_enabled: bool
    recurrence: Recurrence | None = None

    def __post_init__(self):
        if len(self.topic) > TOPIC_LIMIT:
            raise ValueError(f"a Zoom topic holds at most {TOPIC_LIMIT} characters")
        if len(self.agenda) > AGENDA_LIMIT:
            raise ValueError(f"a Zoom agenda holds at most {AGENDA_LIMIT} characters")
        zoom_time(self.start_time)
        if self.recurrence is not None and not 1 <= self.recurrence.count <= MAX_OCCURRENCES:
            raise ValueError(f"a recurring meeting has 1 to {MAX_OCCURRENCES} occurrences")

    @property
    def meeting_type(self) -> int:
        return MEETING_SCHEDULED if self.recurrence is None else MEETING_RECURRING_FIXED

    def settings(self) -> dict[str, Any]:
        return {
            "waiting_room": True,
            "join_before_host": False,
            "mute_upon_entry": True,
            "auto_recording": "none",
            "approval_type": 2,  # no registration: the invitation carries the link
            "continuous_meeting_chat": {
                "enable": self.chat_enabled,
                "auto_add_invited_external_users": False,
                "auto_add_meeting_participants": self.chat_enabled,
            },
        }

    def fields(self) -> dict[str, Any]:
        """The meeting's body as Zoom documents it: these fields only (the sandbox refuses any other)."""
        data: dict[str, Any] = {
            "topic": self.topic,
            "type": self.meeting_type,
            "start_time": zoom_time(self.start_time),
            "duration": self.duration_minutes,
            "timezone": self.timezone,
            "agenda": self.agenda,
            "password": self.passcode,
            "settings": self.settings(),
        }
        if self.recurrence is not None:
            data["recurrence"] = self.recurrence.as_zoom(self.start_time, self.timezone)
        return data


@dataclass(frozen=True)
class Occurrence:
    occurrence_id: str
    start_time: datetime
    duration_minutes: int
    status: str  # "available" or "deleted"

    @property
    def deleted(self) -> bool:
        return self.status == "deleted"


@dataclass(frozen=True)
class MeetingInfo:
    """A meeting as Zoom holds it (never its ``start_url``)."""

    id: int
    host_id: str
    topic: str
    agenda: str
    type: int
    start_time: datetime | None
    duration_minutes: int
    timezone: str
    join_url: str
    password: str
    chat_channel_id: str | None
    occurrences: tuple[Occurrence, ...] = ()
    recurrence: dict[str, Any] | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_zoom(cls, data: dict[str, Any]) -> MeetingInfo:
        settings = data.get("settings") or {}
        chat = settings.get("continuous_meeting_chat") or {}
        occurrences = tuple(
            Occurrence(str(o["occurrence_id"]), parse_zoom_time(o["start_time"]), int(o.get("duration") or 0),
                       o.get("status", "available"))
            for o in data.get("occurrences") or ()
        )
        return cls(
            id=int(data["id"]),
            host_id=str(data.get("host_id", "")),
            topic=data.get("topic", ""),
            agenda=data.get("agenda", ""),
            type=int(data.get("type", MEETING_SCHEDULED)),
            start_time=parse_zoom_time(data.get("start_time")),
            duration_minutes=int(data.get("duration") or 0),
            timezone=data.get("timezone", ""),
            join_url=data.get("join_url", ""),
            password=data.get("password", ""),
            chat_channel_id=(chat.get("channel_id") or None) if chat.get("enable") else None,
            occurrences=occurrences,
            recurrence=data.get("recurrence"),
            settings={k: v for k, v in settings.items() if k != "continuous_meeting_chat"} | {
                "continuous_meeting_chat": {k: v for k, v in chat.items() if k != "channel_id"}},
        )

    def occurrence(self, occurrence_id: str) -> Occurrence | None:
        return next((o for o in self.occurrences if o.occurrence_id == occurrence_id), None)


def changes_between(spec: MeetingSpec, current: MeetingInfo) -> dict[str, Any]:
    """The fields to PATCH so that ``current`` becomes ``spec`` (nothing when they agree)."""
    wanted = spec.fields()
    changes: dict[str, Any] = {}
    for name in ("topic", "agenda", "duration", "timezone", "password"):
        have = {"duration": current.duration_minutes}.get(name, getattr(current, name, None))
        if wanted[name] != have:
            changes[name] = wanted[name]
    if current.start_time is None or zoom_time(current.start_time) != zoom_time(spec.start_time):
        changes["start_time"] = wanted["start_time"]
    if spec.recurrence is not None:
        have_rule = {k: (current.recurrence or {}).get(k) for k in wanted["recurrence"]}
        if have_rule != wanted["recurrence"] or "start_time" in changes or "timezone" in changes:
            changes["recurrence"] = wanted["recurrence"]
            changes["start_time"] = wanted["start_time"]
    setting_changes = {}
    for name, value in wanted["settings"].items():
        have = current.settings.get(name)
        if isinstance(value, dict):
            if any((have or {}).get(k) != v for k, v in value.items()):
                setting_changes[name] = value
        elif have != value:
            setting_changes[name] = value
    if setting_changes:
        changes["settings"] = setting_changes
    return changes


class ZoomMeetings:
    """The meeting calls the lifecycle (``service.domain.meetings``) uses."""

    def __init__(self, transport: ZoomTransport, medium: RateLimiter | None = None):
        self.transport = transport
        self.endpoint = MeetingsEndpoint(transport)
        # The account's budget of Medium calls, shared with the chat posts (the other calls here are Light).
        self.medium = medium

    def create(self, host_user: str, spec: MeetingSpec) -> MeetingInfo:
        """``POST /users/{host}/meetings`` (201). Returns the meeting as created (without its start_url).

        Waits for its slot in the Medium budget, or raises :class:`ZoomRateLimited` with the time to wait."""
        if self.medium is not None:
            self.medium.wait_for_slot()
        # Not zoomus's create(user_id=...): it would also put the host's address into the body.
        response = self.transport.expect(
            self.endpoint.post_request(f"/users/{quote(host_user, safe='@')}/meetings", data=spec.fields()), (201,))
        info = MeetingInfo.from_zoom(response.json())
        log.info("created Zoom meeting %s (type %s) for host %s", info.id, info.type, _host_label(host_user))
        return info

    def get(self, meeting_id: int | str) -> MeetingInfo:
        """``GET /meetings/{id}`` (200) with every occurrence, past ones included."""
        response = self.endpoint.get_request(_meeting_path(meeting_id), params={"show_previous_occurrences": "true"})
        return MeetingInfo.from_zoom(self.transport.expect(response, (200,)).json())

    def update(self, meeting_id: int | str, spec: MeetingSpec, current: MeetingInfo | None = None) -> MeetingInfo:
        """PATCH only what differs from ``spec`` (204), then read the meeting back (a new passcode alters the
        ``join_url``; new recurrence rules make new occurrences). Returns ``current`` when nothing differs."""
        current = current or self.get(meeting_id)
        changes = changes_between(spec, current)
        if not changes:
            return current
        # Not zoomus's update(id=...): it would put the meeting's id into the body.
        self.transport.expect(self.endpoint.patch_request(_meeting_path(meeting_id), data=changes), (204,))
        log.info("updated Zoom meeting %s: %s", meeting_id, ", ".join(sorted(changes)))
        return self.get(meeting_id)

    def update_occurrence(self, meeting_id: int | str, occurrence_id: str, start_time: datetime,
                          duration_minutes: int) -> None:
        """Move (or lengthen) one occurrence: ``PATCH /meetings/{id}?occurrence_id=…`` (204)."""
        self.transport.expect(self.endpoint.patch_request(
            _meeting_path(meeting_id), params={"occurrence_id": occurrence_id},
            data={"start_time": zoom_time(start_time), "duration": duration_minutes}), (204,))

    def delete(self, meeting_id: int | str, occurrence_id: str | None = None) -> bool:
        """``DELETE /meetings/{id}`` (204), or one occurrence. False when it was already gone (404)."""
        params = {"schedule_for_reminder": "false", "cancel_meeting_reminder": "false"}
        if occurrence_id is not None:
            params["occurrence_id"] = occurrence_id
        response = self.endpoint.delete_request(_meeting_path(meeting_id), params=params)
        if response.status_code == 404 and occurrence_id is None:
            return False  # already gone: what we wanted
        self.transport.expect(response, (204,))
        log.info("deleted Zoom meeting %s%s", meeting_id, f" occurrence {occurrence_id}" if occurrence_id else "")
        return True

    def start_url(self, meeting_id: int | str) -> str:
        """The host's start link, fresh (it expires). Return it to the host only; never store or log it."""
        response = self.transport.expect(self.endpoint.get_request(_meeting_path(meeting_id)), (200,))
        url = response.json().get("start_url")
        if not url:
            raise ZoomInvalidRequest("Zoom returned no start_url", status=response.status_code)
        return url


def _meeting_path(meeting_id: int | str) -> str:
    return f"/meetings/{quote(str(meeting_id), safe='')}"


def _host_label(host_user: str) -> str:
    """A host user for the log: its domain part only (a mailbox may name a person)."""
    return "…@" + host_user.split("@", 1)[1] if "@" in host_user else "(host id)"


def occurrence_starts(spec: MeetingSpec) -> list[datetime]:
    """Where a recurring spec's rule puts its occurrences (UTC), as Zoom computes them in local time."""
    if spec.recurrence is None:
        return [spec.start_time.astimezone(UTC)]
    zone = ZoneInfo(spec.timezone)
    local = spec.start_time.astimezone(zone).replace(tzinfo=None)
    return [
        (local + timedelta(weeks=i * spec.recurrence.interval_weeks)).replace(tzinfo=zone).astimezone(UTC)
        for i in range(spec.recurrence.count)
    ]
