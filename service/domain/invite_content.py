"""What one invitation row becomes at sending time: that person's calendar object and e-mail.

Everything is read from the database as it is now, so a message sent late (after a retry, or after waiting
for the Zoom link) carries the current plan. Only the moderator's own copy carries a console link: on a
single session they lead, in its event; a series member who leads some occurrences gets the members' copy (no
override per session they lead) with one sentence pointing to their personal page, which shows the console
link of the session at hand, and the e-mail lists the console link of each session they lead.

:func:`compose` raises :class:`WaitingForMeeting` while a request has no join link yet, and :class:`Obsolete`
when the row no longer has anything to say (the session was cancelled since, the person left, it is over).

:func:`published_copy` is the same person's copy as a file to download (``METHOD:PUBLISH``), built by the same
functions: same UID, SEQUENCE, times and exceptions as the request would carry if sent now.
"""

from __future__ import annotations

import json

from dataclasses import dataclass, replace
from functools import lru_cache
from datetime import datetime, timedelta, timezone

from sqlalchemy import func

from config import Settings
from calendars import (
    CalendarObject,
    Change,
    Description,
    EventText,
    LedSession,
    Letter,
    Method,
    Occurrence,
    Person,
    Recurrence,
    Schedule,
    lead,
    parse_mailbox,
    render_description,
)
from service.domain.invitations import link_digest, recurrence_key, session_recipients
from service.domain.series_slots import Slot, series_slots, slots_for
from service.domain.timelines import timeline_for
from service.domain.titles import event_title
from service.extensions import db
from service.i18n import normalise_language
from service.links import console_url, participant_url
from service.models import (
    Group,
    GroupSession,
    Invite,
    InviteMethod,
    InviteStatus,
    MeetingStatus,
    Member,
    MemberRole,
    MemberStatus,
    Organisation,
    SeriesStatus,
    SessionSeries,
    SessionStatus,
    ZoomMeeting,
)
from service.protocol import SessionKind, render_agenda_html, render_agenda_text, support_resources

ALARM_MINUTES = 10


class WaitingForMeeting(Exception):
    """The request cannot go yet: its Zoom meeting has no join link (it is being created or updated)."""


class Obsolete(Exception):
    """The row has nothing left to say; ``reason`` is for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Composition:
    calendar: CalendarObject
    letter: Letter
    link_digest: str | None = None  # of the join link a request carries (``invitations.link_digest``)


@dataclass(frozen=True)
class _JoinLink:
    url: str
    passcode: str | None
    digest: str


@dataclass(frozen=True)
class _Reader:
    """The recipient, as this message sees them."""

    invite: Invite
    member: Member
    group: Group
    language: str
    resources: tuple
    participant_url: str | None
    settings: Settings
    now: datetime
    # A request waits for the meeting's join link; a file to download goes without it until the meeting exists.
    link_required: bool = True
    # Whether the person already received a request for this object, when the caller knows (else it is read).
    delivered: bool | None = None

    @property
    def change(self) -> Change:
        """An invitation the first time, an update after."""
        delivered = delivered_before(self.invite) if self.delivered is None else self.delivered
        return Change.UPDATED if delivered else Change.INVITED

    @property
    def still_active(self) -> bool:
        """Still in the group at the address this row was written for."""
        return self.member.status is MemberStatus.ACTIVE and self.invite.email.lower() == self.member.email.lower()

    def title(self, kind: SessionKind) -> str:
        """The same title as the Zoom meeting's (neutral unless the group chose to name its sessions)."""
        return event_title(self.group, kind, self.language)


def organizer(settings: Settings) -> Person:
    """The service's own mailbox (MAIL_FROM): never a participant, so every client shows an invitation."""
    mailbox = parse_mailbox(settings.MAIL_FROM)
    return Person(mailbox.display_name or "Entre pairs", mailbox.addr_spec)


def _join_link(reader: _Reader, meeting: ZoomMeeting | None) -> _JoinLink | None:
    if meeting is None or not meeting.join_url or meeting.status is not MeetingStatus.READY:
        if reader.link_required:
            raise WaitingForMeeting()
        # A file keeps the link of a meeting being updated (Zoom keeps it; a new one comes as an invitation with a
        # higher SEQUENCE): downloaded meanwhile, it must not take the link out of a calendar that has it.
        if meeting is None or not meeting.join_url or meeting.status is not MeetingStatus.PENDING:
            return None
    return _JoinLink(meeting.join_url, meeting.passcode, link_digest(meeting))


def _rid(invite: Invite) -> datetime:
    return datetime.strptime(invite.recurrence_key, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)


def delivered_before(invite: Invite) -> bool:
    """Did this person already receive a request for this calendar object?"""
    return db.session.query(Invite.id).filter(
        Invite.member_id == invite.member_id, func.lower(Invite.email) == invite.email.lower(),
        Invite.calendar_uid == invite.calendar_uid,
        Invite.method == InviteMethod.REQUEST, Invite.status == InviteStatus.SENT, Invite.id != invite.id,
    ).first() is not None


# What is the same for every member of a change is rendered once per worker process, not once per person:
# agendas (per timeline, start and zone), descriptions (per value: the person's own links are part of the key),
# support resources (per language and organisation's list). Keys are immutable values, never rows.
_agenda_text = lru_cache(maxsize=512)(render_agenda_text)
_agenda_html = lru_cache(maxsize=512)(render_agenda_html)
_description = lru_cache(maxsize=512)(render_description)


def _resources(language: str, organisation_resources) -> tuple:
    return _resources_from_json(language, json.dumps(organisation_resources or None, sort_keys=True))


@lru_cache(maxsize=256)
def _resources_from_json(language: str, organisation_resources: str) -> tuple:
    return tuple(support_resources(language, json.loads(organisation_resources)))


def _event_text(reader: _Reader, session: GroupSession, join: _JoinLink | None, *, leads: bool,
                clock_times: bool, leads_some: bool = False) -> EventText:
    timeline = timeline_for(session, reader.language)
    agenda = _agenda_text(timeline, session.starts_at, session.timezone) if clock_times else _agenda_text(timeline)
    description = Description(
        language=reader.language,
        join_url=join.url if join else None,
        passcode=join.passcode if join else None,
        console_url=console_url(reader.settings, reader.member, session) if leads else None,
        agenda_text=agenda,
        resources=reader.resources,
        participant_url=reader.participant_url,
        leads_some=leads_some and reader.participant_url is not None,
    )
    return EventText(reader.title(session.kind), _description(description), join.url if join else None)


def _agenda(reader: _Reader, session: GroupSession, clock_times: bool) -> tuple[str, str]:
    timeline = timeline_for(session, reader.language)
    if clock_times:
        return (_agenda_text(timeline, session.starts_at, session.timezone),
                _agenda_html(timeline, session.starts_at, session.timezone))
    return _agenda_text(timeline), _agenda_html(timeline)


def _leads(member: Member, session: GroupSession) -> bool:
    return session.moderator_id == member.id and session.status is not SessionStatus.CANCELLED


def _calendar(reader: _Reader, method: Method, timezone_name: str, events: tuple[Occurrence, ...],
              recurrence: Recurrence | None = None) -> CalendarObject:
    return CalendarObject(
        method=method, uid=reader.invite.calendar_uid, timezone=timezone_name, organizer=organizer(reader.settings),
        attendee=Person(reader.member.display_name, reader.invite.email), events=events, stamp=reader.now,
        recurrence=recurrence, language=reader.language, alarm_minutes=ALARM_MINUTES,
    )


def _letter(reader: _Reader, change: Change, title: str, schedule: Schedule, **values) -> Letter:
    return Letter(language=reader.language, change=change, title=title,
                  recipient_name=reader.member.first_name or reader.member.display_name,
                  schedule=schedule, resources=reader.resources, **values)


def _cancel_text(title: str, letter: Letter) -> EventText:
    return EventText(title, lead(letter))


# --- a series, as one member's copy ----------------------------------------------------------------------

def _recurrence(series: SessionSeries, slots: list[Slot], with_exdates: bool) -> Recurrence:
    excluded = tuple(slot.start for slot in slots if not slot.held) if with_exdates else ()
    if series.until_date is not None:
        return Recurrence(series.interval_weeks, until=slots[-1].start, excluded=excluded)
    return Recurrence(series.interval_weeks, count=len(slots), excluded=excluded)


def _series_schedule(series: SessionSeries, slots: list[Slot]) -> Schedule:
    held = [slot for slot in slots if slot.held] or slots
    return Schedule(series.timezone, held[0].start, series.duration_minutes, interval_weeks=series.interval_weeks,
                    occurrences=len(held), last_start=held[-1].start)


def _series_request(reader: _Reader, series: SessionSeries) -> Composition:
    if series.status is SeriesStatus.CANCELLED:
        raise Obsolete("the series is cancelled")
    if not reader.still_active or reader.member.role is not MemberRole.MEMBER:
        raise Obsolete("the person is no longer a member at this address")
    slots = slots_for(series, reader.member)
    held = [slot for slot in slots if slot.held]
    ahead = [s.session for s in held if s.session.status is SessionStatus.SCHEDULED and s.session.ends_at > reader.now]
    if not ahead:
        raise Obsolete("nothing of the series is ahead in this person's copy")
    join = _join_link(reader, series.zoom_meeting)
    led = tuple(LedSession(s.starts_at, console_url(reader.settings, reader.member, s))
                for s in ahead if _leads(reader.member, s))
    # A moderator's copy is the members' copy plus one sentence: their personal page (linked from every
    # occurrence) shows the console link of the session at hand, and the e-mail lists each one. One override
    # per session they lead made a 52-week copy up to 214 KiB.
    master = Occurrence(slots[0].start, timedelta(minutes=series.duration_minutes), series.calendar_sequence,
                        _event_text(reader, ahead[0], join, leads=False, clock_times=False, leads_some=bool(led)))
    overrides = []
    for slot in held:
        occurrence = slot.session
        if occurrence.starts_at != slot.start or occurrence.duration_minutes != series.duration_minutes:
            overrides.append(Occurrence(
                occurrence.starts_at, timedelta(minutes=occurrence.duration_minutes),
                max(occurrence.calendar_sequence, series.calendar_sequence),
                _event_text(reader, occurrence, join, leads=False, clock_times=True, leads_some=bool(led)),
                recurrence_id=slot.start,
            ))
    calendar = _calendar(reader, Method.REQUEST, series.timezone, (master, *overrides),
                         _recurrence(series, slots, with_exdates=True))
    agenda_text, agenda_html = _agenda(reader, ahead[0], clock_times=False)
    letter = _letter(reader, reader.change,
                     master.text.summary, _series_schedule(series, slots), join_url=join.url if join else None,
                     passcode=join.passcode if join else None, led_sessions=led,
                     participant_url=reader.participant_url, agenda_text=agenda_text, agenda_html=agenda_html)
    return Composition(calendar, letter, join.digest if join else None)


def _series_cancel(reader: _Reader, series: SessionSeries) -> Composition:
    slots = slots_for(series, reader.member) or series_slots(series)
    if not slots:
        raise Obsolete("the series has no occurrence")
    removed = not reader.still_active or series.status is SeriesStatus.ACTIVE
    title = reader.title(SessionKind.REGULAR)
    letter = _letter(reader, Change.REMOVED if removed else Change.CANCELLED, title, _series_schedule(series, slots))
    master = Occurrence(slots[0].start, timedelta(minutes=series.duration_minutes),
                        max(reader.invite.sequence, series.calendar_sequence), _cancel_text(title, letter))
    calendar = _calendar(reader, Method.CANCEL, series.timezone, (master,),
                         _recurrence(series, slots, with_exdates=False))
    return Composition(calendar, letter)


def _one_session_request(reader: _Reader, session: GroupSession, join: _JoinLink | None, sequence: int, change: Change,
                         recurrence_id: datetime | None = None) -> Composition:
    """A request about one session: a single session's event, or one occurrence's override."""
    leads = _leads(reader.member, session)
    event = Occurrence(session.starts_at, timedelta(minutes=session.duration_minutes), sequence,
                       _event_text(reader, session, join, leads=leads, clock_times=True), recurrence_id=recurrence_id)
    agenda_text, agenda_html = _agenda(reader, session, clock_times=True)
    led = (LedSession(session.starts_at, console_url(reader.settings, reader.member, session)),) if leads else ()
    letter = _letter(reader, change, event.text.summary,
                     Schedule(session.timezone, session.starts_at, session.duration_minutes),
                     join_url=join.url if join else None, passcode=join.passcode if join else None,
                     led_sessions=led, participant_url=reader.participant_url, agenda_text=agenda_text,
                     agenda_html=agenda_html, original_start=recurrence_id)
    return Composition(_calendar(reader, Method.REQUEST, session.timezone, (event,)), letter,
                       join.digest if join else None)


def _one_session_cancel(reader: _Reader, session: GroupSession, sequence: int, change: Change,
                        recurrence_id: datetime | None = None) -> Composition:
    title = reader.title(session.kind)
    letter = _letter(reader, change, title, Schedule(session.timezone, session.starts_at, session.duration_minutes),
                     original_start=recurrence_id)
    event = Occurrence(session.starts_at, timedelta(minutes=session.duration_minutes), sequence,
                       _cancel_text(title, letter), recurrence_id=recurrence_id)
    return Composition(_calendar(reader, Method.CANCEL, session.timezone, (event,)), letter)


def _occurrence_request(reader: _Reader, series: SessionSeries, session: GroupSession) -> Composition:
    if series.status is SeriesStatus.CANCELLED or session.status is SessionStatus.CANCELLED:
        raise Obsolete("the occurrence is cancelled")
    if not reader.still_active or reader.member.role is not MemberRole.MEMBER:
        raise Obsolete("the person is no longer a member at this address")
    if recurrence_key(session) != reader.invite.recurrence_key:
        raise Obsolete("the series was planned again since; its whole copy carries this change")
    if session.ends_at <= reader.now:
        raise Obsolete("the occurrence is over")
    return _one_session_request(reader, session, _join_link(reader, series.zoom_meeting),
                                max(session.calendar_sequence, series.calendar_sequence), Change.UPDATED,
                                recurrence_id=_rid(reader.invite))


def _occurrence_cancel(reader: _Reader, session: GroupSession) -> Composition:
    return _one_session_cancel(reader, session, max(reader.invite.sequence, session.calendar_sequence),
                               Change.OCCURRENCE_CANCELLED, recurrence_id=_rid(reader.invite))


# --- a session's own event (single sessions, and an external moderator's occurrences) ---------------------

def _own_request(reader: _Reader, session: GroupSession) -> Composition:
    if session.status is SessionStatus.CANCELLED:
        raise Obsolete("the session is cancelled")
    if not reader.still_active or reader.member not in session_recipients(session):
        raise Obsolete("the person is no longer expected at this session")
    if session.ends_at <= reader.now:
        raise Obsolete("the session is over")
    change = reader.change
    return _one_session_request(reader, session, _join_link(reader, session.zoom_meeting), session.calendar_sequence,
                                change)


def _own_cancel(reader: _Reader, session: GroupSession) -> Composition:
    change = Change.CANCELLED if session.status is SessionStatus.CANCELLED else Change.REMOVED
    return _one_session_cancel(reader, session, max(reader.invite.sequence, session.calendar_sequence), change)


def _reader(invite: Invite, settings: Settings, now: datetime) -> _Reader:
    member = invite.member
    group = member.group
    language = normalise_language(member.language)
    organisation = db.session.get(Organisation, group.organisation_id)
    reader = _Reader(
        invite=invite, member=member, group=group, language=language,
        resources=_resources(language, organisation.support_resources if organisation else None),
        participant_url=None, settings=settings, now=now,
    )
    if reader.still_active and member.link_nonce:
        reader = replace(reader, participant_url=participant_url(settings, member))
    return reader


def compose(invite: Invite, settings: Settings, now: datetime, delivered: bool | None = None) -> Composition:
    """``delivered``: whether the person already received a request for this object, if the caller knows."""
    return _compose(replace(_reader(invite, settings, now), delivered=delivered))


def _compose(reader: _Reader) -> Composition:
    invite = reader.invite
    series = invite.series
    if series is not None and series.calendar_uid == invite.calendar_uid:
        if invite.is_whole_object:
            return _series_request(reader, series) if invite.method is InviteMethod.REQUEST \
                else _series_cancel(reader, series)
        session = invite.session
        if session is None:
            raise Obsolete("the occurrence no longer exists")
        return _occurrence_request(reader, series, session) if invite.method is InviteMethod.REQUEST \
            else _occurrence_cancel(reader, session)
    session = invite.session
    if session is None or session.calendar_uid != invite.calendar_uid:
        raise Obsolete("the session no longer exists")
    return _own_request(reader, session) if invite.method is InviteMethod.REQUEST else _own_cancel(reader, session)


def published_copy(invite: Invite, settings: Settings, now: datetime) -> CalendarObject:
    """The person's current copy of the object ``invite`` is about, as a file to download (``METHOD:PUBLISH``).

    ``invite`` is one of their requests for the whole object (``invitations.held_requests``). The copy is what
    that request would carry if it were sent now — same UID, SEQUENCE, times, exceptions, overrides and texts —
    so a calendar that already holds the invitation updates the event instead of adding a second one. It does
    not wait for the Zoom link (the event then goes without it; the invitation brings it). Raises
    :class:`Obsolete` when nothing of the object is ahead for the person.
    """
    if invite.method is not InviteMethod.REQUEST or not invite.is_whole_object:
        raise ValueError("a published copy starts from a request for the whole object")
    reader = replace(_reader(invite, settings, now), link_required=False)
    return replace(_compose(reader).calendar, method=Method.PUBLISH)
