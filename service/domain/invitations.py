"""Who receives which calendar message when plans change.

Each change writes one :class:`~service.models.Invite` row per recipient (the outbox); the worker renders
and sends it (``service.domain.delivery``) from the database as it is at sending time. Every recipient gets a
copy of their own, so no message ever names another participant.

Calendar objects (one UID each, for their whole life):

- a series is one event (the series' UID, RRULE) sent to the group's members. A member's copy starts with the
  first occurrence after they joined ("from now on"); ``series_slots`` maps its rule onto the sessions;
- a single session (kick-off, one-off, rehearsal) is one event with the session's UID;
- an occurrence changed or cancelled on its own is addressed with the series' UID and a RECURRENCE-ID
  (``recurrence_key``);
- an external moderator is not part of the series: each session they lead comes to them as a single event
  with that session's own UID (``GroupSession.calendar_uid``), cancelled if someone else takes it over.

Rows and what they mean for delivery:

- a row about a whole object covers every older row of the same person and object; a row about one
  occurrence covers the older rows about that occurrence. Covered rows still pending are marked
  ``superseded`` (with the row that carries them), here when the newer row is written and again by the
  worker at sending time, so one change is never sent twice and the coordinator's view stays truthful;
- a cancellation is written only for someone who holds the object (an invitation to them was written and
  not cancelled since); the worker drops it if nothing had actually been delivered;
- every message that must win over an earlier one raises the object's SEQUENCE: a change, a cancellation, and
  also the copy for someone who joins (they may hold a cancelled copy from an earlier membership).

Every function here runs inside the caller's unit of work: it writes rows and asks for their sending after
the commit (``dispatch.send_invites``); the caller commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import func, or_, select, update

from service import dispatch
from service.domain.clock import now_utc
# What the coordinator sees lives in ``invite_status``; these names are the ones the pages call.
from service.domain.invite_status import (
    DeliveryLine,
    DeliveryProblem,
    DeliverySummary,
    carrier,
    delivery_summary,
    invites_for_session,
)
from service.domain.series_slots import in_copy_of, slots_for
from service.extensions import db
from service.models import (
    GroupSession,
    Invite,
    InviteMethod,
    InviteStatus,
    Member,
    MemberRole,
    MemberStatus,
    SeriesStatus,
    SessionSeries,
    SessionStatus,
    ZoomMeeting,
    new_calendar_uid,
)
from service.protocol import SessionKind

# Rows that will be, are being, or were handed to the mail server (or refused by it): they carry a change.
CARRYING = (InviteStatus.PENDING, InviteStatus.SENDING, InviteStatus.SENT, InviteStatus.FAILED)


def recurrence_key(session: GroupSession) -> str:
    """The RECURRENCE-ID of an occurrence, as stored: its original start in UTC."""
    assert session.original_starts_at is not None
    return session.original_starts_at.strftime("%Y%m%dT%H%M%SZ")


# --- who is part of what ---------------------------------------------------------------------------------

def consented(members: Iterable[Member]) -> list[Member]:
    """Consent before contact: only people who said yes receive a session invitation (``domain.consent``)."""
    return [m for m in members if m.consent_at is not None]


def series_recipients(series: SessionSeries) -> list[Member]:
    return consented(series.group.active_members)


def session_recipients(session: GroupSession) -> list[Member]:
    """Who receives the session's own event (a single session, or an external moderator's occurrence)."""
    if session.kind is SessionKind.REHEARSAL:
        moderator = session.moderator
        return consented([moderator] if moderator is not None and moderator.status is MemberStatus.ACTIVE else [])
    moderator = session.moderator
    external = moderator if moderator is not None and moderator.role is MemberRole.EXTERNAL_MODERATOR else None
    external = external if external is not None and external.status is MemberStatus.ACTIVE else None
    if session.series_id is not None:
        return consented([external] if external is not None else [])
    return consented(list(session.group.active_members) + ([external] if external is not None else []))


# --- the outbox rows -------------------------------------------------------------------------------------

def _same_recipient(member: Member, email: str):
    return (Invite.member_id == member.id) & (func.lower(Invite.email) == email.lower())


def holds(member: Member, uid: str, email: str | None = None) -> bool:
    """Was this person sent (or about to be sent) the object, and not a cancellation of it since?"""
    email = email or member.email
    latest = db.session.execute(
        select(Invite.method)
        .where(_same_recipient(member, email), Invite.calendar_uid == uid, Invite.recurrence_key == "",
               or_(Invite.status != InviteStatus.SUPERSEDED, Invite.superseded_by_id.is_not(None)))
        .order_by(Invite.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return latest is InviteMethod.REQUEST


def held_requests(member: Member) -> list[Invite]:
    """The latest request of each calendar object this person holds now, at their current address: what their
    calendar shows of the group (``invite_content.published_copy`` turns each into the copy to download)."""
    uids = db.session.execute(
        select(Invite.calendar_uid).where(_same_recipient(member, member.email), Invite.recurrence_key == "",
                                          Invite.method == InviteMethod.REQUEST).distinct()
    ).scalars().all()
    held = []
    for uid in sorted(uids):
        if not holds(member, uid):
            continue
        held.append(db.session.execute(
            select(Invite)
            .where(_same_recipient(member, member.email), Invite.calendar_uid == uid, Invite.recurrence_key == "",
                   Invite.method == InviteMethod.REQUEST)
            .order_by(Invite.id.desc())
            .limit(1)
        ).scalar_one())
    return held


def _queue(member: Member, uid: str, method: InviteMethod, sequence: int, *, series: SessionSeries | None = None,
           session: GroupSession | None = None, recurrence: str = "") -> Invite | None:
    if method is InviteMethod.CANCEL and not holds(member, uid):
        return None  # nothing was ever sent to them, or it is already cancelled
    if method is InviteMethod.REQUEST and member.consent_at is None:
        return None  # consent before contact: they get it when they confirm (member_joined)
    key = (member.id, uid, sequence, method, recurrence)
    if any(isinstance(obj, Invite) and (obj.member_id, obj.calendar_uid, obj.sequence, obj.method,
                                        obj.recurrence_key) == key for obj in db.session.new):
        return None
    # No autoflush: the rows queued so far in this change go to the database together, in one batch.
    with db.session.no_autoflush:
        existing = db.session.execute(
            select(Invite.id).where(
                Invite.member_id == member.id,
                Invite.calendar_uid == uid,
                Invite.sequence == sequence,
                Invite.method == method,
                Invite.recurrence_key == recurrence,
            )
        ).first()
    if existing is not None:
        return None
    invite = _new_invite(member, uid, method, sequence, series, session, recurrence)
    db.session.add(invite)
    db.session.flush()
    supersede_covered(invite, older_only=True)
    return invite


def _new_invite(member: Member, uid: str, method: InviteMethod, sequence: int, series: SessionSeries | None,
                session: GroupSession | None, recurrence: str) -> Invite:
    return Invite(
        member_id=member.id,
        email=member.email,
        series_id=series.id if series is not None else None,
        session_id=session.id if session is not None else None,
        calendar_uid=uid,
        method=method,
        sequence=sequence,
        recurrence_key=recurrence,
    )


def _queue_all(members: Iterable[Member], uid: str, method: InviteMethod, sequence: int, *,
               series: SessionSeries | None = None, session: GroupSession | None = None,
               recurrence: str = "") -> list[Invite | None]:
    """:func:`_queue` for several people at once.

    The first invitations of a new calendar object (no row carries its UID yet) have nothing to duplicate or
    supersede: they are written together, with one query instead of three per person (scheduling a session
    or a series answers while the coordinator waits).
    """
    members = list({m.id: m for m in members}.values())
    if method is InviteMethod.REQUEST and members and db.session.execute(
            select(Invite.id).where(Invite.calendar_uid == uid).limit(1)).first() is None:
        return _first_requests(members, uid, sequence, series=series, session=session, recurrence=recurrence)
    return [_queue(m, uid, method, sequence, series=series, session=session, recurrence=recurrence)
            for m in members]


def _first_requests(members: Iterable[Member], uid: str, sequence: int, *, series: SessionSeries | None = None,
                    session: GroupSession | None = None, recurrence: str = "") -> list[Invite | None]:
    """The first invitations of a calendar object no row carries yet (nothing to duplicate or supersede)."""
    invites = [_new_invite(m, uid, InviteMethod.REQUEST, sequence, series, session, recurrence)
               for m in consented({m.id: m for m in members}.values())]
    db.session.add_all(invites)
    return list(invites)


def supersede_covered(invite: Invite, older_only: bool, among: Iterable[int] | None = None) -> int:
    """Mark the pending rows ``invite`` carries as superseded by it; returns how many.

    A whole-object row carries every row of the same person and object; an occurrence row carries the rows
    about the same occurrence. Only rows still pending are touched (a row being sent is left to finish).
    ``among`` limits the candidates to rows known to be covered (the worker passes the rows it saw before
    rendering, so a row written during the sending is never dropped).
    """
    conditions = [
        _same_recipient(invite.member, invite.email),
        Invite.calendar_uid == invite.calendar_uid,
        Invite.id != invite.id,
        Invite.status == InviteStatus.PENDING,
    ]
    if older_only:
        conditions.append(Invite.id < invite.id)
    if not invite.is_whole_object:
        conditions.append(Invite.recurrence_key == invite.recurrence_key)
    if among is not None:
        conditions.append(Invite.id.in_(list(among)))
    result = db.session.execute(
        update(Invite).where(*conditions)
        .values(status=InviteStatus.SUPERSEDED, superseded_by_id=invite.id, next_attempt_at=None, updated_at=now_utc())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _send(invites: Iterable[Invite | None]) -> list[Invite]:
    queued = [invite for invite in invites if invite is not None]
    if queued:
        db.session.flush()
        dispatch.send_invites([invite.id for invite in queued])
    return queued


def _own_event_uid(session: GroupSession) -> str:
    if session.calendar_uid is None:
        session.calendar_uid = new_calendar_uid()
    return session.calendar_uid


def _own_event(session: GroupSession, method: InviteMethod, recipients: Iterable[Member]) -> list[Invite | None]:
    recipients = list(recipients)
    if not recipients:
        return []
    uid = _own_event_uid(session)
    return _queue_all(recipients, uid, method, session.calendar_sequence, session=session)


def _holders(uid: str | None) -> list[Member]:
    """Everyone who may have this object in their calendar now."""
    if uid is None:
        return []
    members = db.session.execute(
        select(Member).join(Invite, Invite.member_id == Member.id).where(Invite.calendar_uid == uid).distinct()
    ).scalars().all()
    return [m for m in members if holds(m, uid)]


def _raise_occurrence_sequence(session: GroupSession) -> None:
    session.calendar_sequence += 1
    if session.series is not None:
        # The occurrence's override carries its own SEQUENCE, above the series' one.
        session.calendar_sequence = max(session.calendar_sequence, session.series.calendar_sequence + 1)


def _sync_own_event(session: GroupSession, wanted=lambda member: True) -> list[Invite | None]:
    """The session's own event goes to who should have it now, and is withdrawn from who should not."""
    current = [m for m in session_recipients(session) if wanted(m)]
    current_ids = {m.id for m in current}
    if not current and session.calendar_uid is None:
        return []
    invites = _own_event(session, InviteMethod.REQUEST, current)
    gone = [m for m in _holders(session.calendar_uid) if m.id not in current_ids and wanted(m)]
    invites += _own_event(session, InviteMethod.CANCEL, gone)
    return invites


# --- the changes -----------------------------------------------------------------------------------------

def series_scheduled(series: SessionSeries, sessions: Iterable[GroupSession]) -> list[Invite]:
    """A new series: its event to the members; ``sessions`` (the series' own, just written) bring each
    external moderator the occurrences they lead."""
    db.session.flush()
    invites = _first_requests(series_recipients(series), series.calendar_uid, series.calendar_sequence,
                              series=series)
    for session in sessions:
        external = session_recipients(session)  # an external moderator gets the occurrences they lead
        if external:
            invites += _first_requests(external, _own_event_uid(session), session.calendar_sequence, session=session)
    return _send(invites)


def session_scheduled(session: GroupSession) -> list[Invite]:
    """A new single session: its own event to its recipients."""
    db.session.flush()
    return _send(_first_requests(session_recipients(session), _own_event_uid(session), session.calendar_sequence,
                                 session=session))


def session_changed(session: GroupSession, only: Iterable[Member] | None = None) -> list[Invite]:
    """The session moved, changed length or moderator: recipients get an updated copy (higher SEQUENCE).

    ``only`` limits the update to some people (a moderator change alters only the two moderators' copies:
    the console link goes from one to the other). An external moderator who no longer leads the session
    gets its cancellation.
    """
    db.session.flush()
    limit = None if only is None else {m.id for m in only}

    def wanted(member: Member) -> bool:
        return limit is None or member.id in limit

    _raise_occurrence_sequence(session)
    invites: list[Invite | None] = []
    if session.series_id is not None:
        series = session.series
        invites += [
            _queue(m, series.calendar_uid, InviteMethod.REQUEST, session.calendar_sequence, series=series,
                   session=session, recurrence=recurrence_key(session))
            for m in series_recipients(series) if wanted(m) and in_copy_of(session, m)
        ]
    invites += _sync_own_event(session, wanted)
    return _send(invites)


def session_cancelled(session: GroupSession) -> list[Invite]:
    db.session.flush()
    _raise_occurrence_sequence(session)
    invites: list[Invite | None] = []
    if session.series_id is not None:
        series = session.series
        invites += [
            _queue(m, series.calendar_uid, InviteMethod.CANCEL, session.calendar_sequence, series=series,
                   session=session, recurrence=recurrence_key(session))
            for m in series_recipients(series) if in_copy_of(session, m)
        ]
    invites += _own_event(session, InviteMethod.CANCEL, _holders(session.calendar_uid))
    return _send(invites)


def series_changed(series: SessionSeries) -> list[Invite]:
    """The series' rule changed (time, weekday, length, link): every copy is sent again, whole."""
    db.session.flush()
    series.calendar_sequence += 1
    invites = [
        _queue(m, series.calendar_uid, InviteMethod.REQUEST, series.calendar_sequence, series=series)
        for m in series_recipients(series) if any(slot.held for slot in slots_for(series, m))
    ]
    now = now_utc()
    for session in series.sessions:
        if session.status is SessionStatus.SCHEDULED and session.starts_at > now and (
                session.calendar_uid is not None or session_recipients(session)):
            _raise_occurrence_sequence(session)
            invites += _sync_own_event(session)
    return _send(invites)


def series_cancelled(series: SessionSeries) -> list[Invite]:
    db.session.flush()
    series.calendar_sequence += 1
    invites = [
        _queue(m, series.calendar_uid, InviteMethod.CANCEL, series.calendar_sequence, series=series)
        for m in _holders(series.calendar_uid)
    ]
    now = now_utc()
    for session in series.sessions:
        if session.calendar_uid is not None and session.starts_at > now:
            holders = _holders(session.calendar_uid)
            if holders:
                session.calendar_sequence += 1
                invites += _own_event(session, InviteMethod.CANCEL, holders)
    return _send(invites)


def _upcoming(member: Member) -> tuple[list[SessionSeries], list[GroupSession]]:
    now = now_utc()
    series = db.session.execute(
        select(SessionSeries).where(SessionSeries.group_id == member.group_id,
                                    SessionSeries.status == SeriesStatus.ACTIVE)
    ).scalars().all()
    series = [s for s in series if any(slot.held and slot.session.starts_at > now
                                       and slot.session.status is SessionStatus.SCHEDULED
                                       for slot in slots_for(s, member))]
    singles = db.session.execute(
        select(GroupSession).where(
            GroupSession.group_id == member.group_id,
            GroupSession.series_id.is_(None),
            GroupSession.status == SessionStatus.SCHEDULED,
            GroupSession.starts_at > now,
        )
    ).scalars().all()
    return list(series), list(singles)


def member_joined(member: Member) -> list[Invite]:
    """A new member receives every upcoming series (from now on) and single session of the group.

    Someone who has not consented yet receives nothing; confirming calls this again (``domain.consent``).
    """
    if member.consent_at is None:
        return []
    db.session.flush()
    series, singles = _upcoming(member)
    invites = []
    for s in series:
        s.calendar_sequence += 1  # above any cancellation an earlier membership of this address received
        invites.append(_queue(member, s.calendar_uid, InviteMethod.REQUEST, s.calendar_sequence, series=s))
    for session in singles:
        if member in session_recipients(session):
            session.calendar_sequence += 1
            invites += _own_event(session, InviteMethod.REQUEST, [member])
    return _send(invites)


def member_left(member: Member) -> list[Invite]:
    """Someone who leaves (or whose address changes) gets a cancellation of everything they hold still ahead.

    Called before the address changes: the cancellations go to the address the invitations went to.
    """
    db.session.flush()
    now = now_utc()
    uids = db.session.execute(
        select(Invite.calendar_uid).where(_same_recipient(member, member.email)).distinct()
    ).scalars().all()
    invites: list[Invite | None] = []
    for uid in uids:
        if not holds(member, uid):
            continue
        series = db.session.execute(select(SessionSeries).where(SessionSeries.calendar_uid == uid)).scalar_one_or_none()
        if series is not None:
            if any(slot.held and slot.session.ends_at > now for slot in slots_for(series, member)):
                series.calendar_sequence += 1
                invites.append(_queue(member, uid, InviteMethod.CANCEL, series.calendar_sequence, series=series))
            continue
        session = db.session.execute(select(GroupSession).where(GroupSession.calendar_uid == uid)).scalar_one_or_none()
        if session is not None and session.ends_at > now:
            session.calendar_sequence += 1
            invites.append(_queue(member, uid, InviteMethod.CANCEL, session.calendar_sequence, session=session))
    return _send(invites)


def link_digest(meeting: ZoomMeeting) -> str:
    """What identifies the join link a request carries (the link itself is not copied into every row)."""
    return hashlib.sha256(f"{meeting.join_url or ''}\n{meeting.passcode or ''}".encode()).hexdigest()[:16]


def _meeting_objects(meeting_id: int) -> tuple[list[SessionSeries], list[GroupSession]]:
    series = db.session.execute(select(SessionSeries).where(SessionSeries.zoom_meeting_id == meeting_id)).scalars()
    sessions = db.session.execute(select(GroupSession).where(GroupSession.zoom_meeting_id == meeting_id)).scalars()
    return list(series), list(sessions)


def pending_for_meeting(meeting_id: int) -> list[Invite]:
    """Invitations waiting for a meeting's join link (their series or session uses that Zoom meeting)."""
    session_ids = select(GroupSession.id).where(GroupSession.zoom_meeting_id == meeting_id)
    series_ids = select(SessionSeries.id).where(SessionSeries.zoom_meeting_id == meeting_id)
    return list(db.session.execute(
        select(Invite).where(
            Invite.status == InviteStatus.PENDING,
            (Invite.session_id.in_(session_ids)) | (Invite.series_id.in_(series_ids)),
        )
    ).scalars())


def meeting_ready(meeting_id: int) -> list[Invite]:
    """The Zoom meeting matches the plans: the invitations that waited for its join link go now, and if the link
    is not the one already sent (a meeting created again, a new passcode), every copy is updated.

    Call it inside the unit of work that marks the meeting READY; the sending starts after its commit.
    """
    waiting = pending_for_meeting(meeting_id)
    for invite in waiting:
        invite.next_attempt_at = None
    sent = _send(waiting)
    meeting = db.session.get(ZoomMeeting, meeting_id)
    if meeting is not None and meeting.join_url and _links_outdated(meeting):
        sent += join_link_changed(meeting_id)
    return sent


def _links_outdated(meeting: ZoomMeeting) -> bool:
    """Does someone's latest copy of an event on this meeting carry another join link than the current one?"""
    series_list, sessions = _meeting_objects(meeting.id)
    uids = [s.calendar_uid for s in series_list] + [s.calendar_uid for s in sessions if s.calendar_uid]
    rows = db.session.execute(
        select(Invite).where(Invite.calendar_uid.in_(uids), Invite.recurrence_key == "", Invite.status.in_(CARRYING))
        .order_by(Invite.id)
    ).scalars()
    latest: dict[tuple[int, str, str], Invite] = {}
    for row in rows:
        latest[(row.member_id, row.email.lower(), row.calendar_uid)] = row
    current = link_digest(meeting)
    return any(row.method is InviteMethod.REQUEST and row.status is InviteStatus.SENT
               and row.link_digest is not None and row.link_digest != current for row in latest.values())


def join_link_changed(meeting_id: int) -> list[Invite]:
    """The meeting's join link (or passcode) changed: everyone holding an invitation gets the new one.

    ``meeting_ready`` calls it when it finds a copy with another link; the Zoom lifecycle may also call it
    inside the unit of work that stores a new link (the caller commits). Rows still waiting are superseded by
    the new ones; copies already sent are updated (higher SEQUENCE).
    """
    series_list, sessions = _meeting_objects(meeting_id)
    invites: list[Invite] = []
    now = now_utc()
    for series in series_list:
        if series.status is SeriesStatus.ACTIVE:
            invites += series_changed(series)
    for session in sessions:
        if session.series_id is None and session.status is SessionStatus.SCHEDULED and session.ends_at > now:
            invites += session_changed(session)
    return invites


def resend_invite(invite: Invite, actor) -> Invite:
    """The coordinator asks to try a failed invitation again (it is rendered afresh when sent)."""
    from service.domain.audit import record

    if invite.status is not InviteStatus.FAILED:
        return invite
    invite.status = InviteStatus.PENDING
    invite.attempts = 0
    invite.next_attempt_at = None
    invite.claimed_at = None
    invite.last_error = None
    db.session.flush()
    dispatch.send_invites([invite.id])
    record(actor, "invite.resent", "invite", invite.id)
    db.session.commit()
    return invite


__all__ = [
    "CARRYING",
    "DeliveryLine",
    "DeliveryProblem",
    "DeliverySummary",
    "carrier",
    "delivery_summary",
    "held_requests",
    "holds",
    "invites_for_session",
    "join_link_changed",
    "link_digest",
    "meeting_ready",
    "pending_for_meeting",
    "recurrence_key",
    "member_joined",
    "member_left",
    "resend_invite",
    "series_cancelled",
    "series_changed",
    "series_recipients",
    "series_scheduled",
    "session_cancelled",
    "session_changed",
    "session_recipients",
    "session_scheduled",
    "supersede_covered",
]
