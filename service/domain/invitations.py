"""Who receives which calendar message when plans change.

Each change writes one :class:`~service.models.Invite` row per recipient (the outbox); the worker renders
and sends it (``calendars/`` and ``integrations/mail``). Every recipient gets a copy of their own, so no
message ever names another participant.

Calendar objects:
- a series is one event (the series' UID, RRULE) sent to the group's members;
- a single session (kick-off, one-off, rehearsal) is one event with the session's UID;
- an occurrence changed or cancelled on its own is addressed with the series' UID and a RECURRENCE-ID
  (``recurrence_key``);
- an external moderator is not part of the series: each session they lead comes to them as a single event
  with that session's own UID.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select

from service import dispatch
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
    new_calendar_uid,
)
from service.domain.clock import now_utc
from service.protocol import SessionKind


def recurrence_key(session: GroupSession) -> str:
    """The RECURRENCE-ID of an occurrence, as stored: its original start in UTC."""
    assert session.original_starts_at is not None
    return session.original_starts_at.strftime("%Y%m%dT%H%M%SZ")


def series_recipients(series: SessionSeries) -> list[Member]:
    return [m for m in series.group.active_members]


def session_recipients(session: GroupSession) -> list[Member]:
    """Who receives the session's own event (a single session, or an external moderator's occurrence)."""
    if session.kind is SessionKind.REHEARSAL:
        return [session.moderator] if session.moderator is not None else []
    moderator = session.moderator
    external = moderator if moderator is not None and moderator.role is MemberRole.EXTERNAL_MODERATOR else None
    if session.series_id is not None:
        return [external] if external is not None and external.status is MemberStatus.ACTIVE else []
    recipients = list(session.group.active_members)
    if external is not None and external.status is MemberStatus.ACTIVE:
        recipients.append(external)
    return recipients


def _queue(member: Member, uid: str, method: InviteMethod, sequence: int, *, series: SessionSeries | None = None,
           session: GroupSession | None = None, recurrence: str = "") -> Invite | None:
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
    invite = Invite(
        member_id=member.id,
        series_id=series.id if series is not None else None,
        session_id=session.id if session is not None else None,
        calendar_uid=uid,
        method=method,
        sequence=sequence,
        recurrence_key=recurrence,
    )
    db.session.add(invite)
    return invite


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


def _session_event(session: GroupSession, method: InviteMethod, recipients: Iterable[Member]) -> list[Invite | None]:
    uid = _own_event_uid(session)
    return [_queue(m, uid, method, session.calendar_sequence, session=session) for m in recipients]


def series_scheduled(series: SessionSeries) -> list[Invite]:
    db.session.flush()
    invites = [
        _queue(m, series.calendar_uid, InviteMethod.REQUEST, series.calendar_sequence, series=series)
        for m in series_recipients(series)
    ]
    for session in series.sessions:
        invites += _session_event(session, InviteMethod.REQUEST, session_recipients(session))
    return _send(invites)


def session_scheduled(session: GroupSession) -> list[Invite]:
    db.session.flush()
    return _send(_session_event(session, InviteMethod.REQUEST, session_recipients(session)))


def session_changed(session: GroupSession, only: Iterable[Member] | None = None) -> list[Invite]:
    """The session moved, changed length or moderator: recipients get an updated copy (higher SEQUENCE).

    ``only`` limits the update to some people (a moderator change alters only the two moderators' copies).
    """
    db.session.flush()
    limit = None if only is None else {m.id for m in only}

    def wanted(members: Iterable[Member]) -> list[Member]:
        return [m for m in members if limit is None or m.id in limit]

    invites: list[Invite | None] = []
    session.calendar_sequence += 1
    if session.series_id is not None:
        series = session.series
        # The occurrence's override carries its own SEQUENCE, above the series' one.
        session.calendar_sequence = max(session.calendar_sequence, series.calendar_sequence + 1)
        invites += [
            _queue(m, series.calendar_uid, InviteMethod.REQUEST, session.calendar_sequence, series=series,
                   session=session, recurrence=recurrence_key(session))
            for m in wanted(series_recipients(series))
        ]
    own = session_recipients(session)
    if only is not None and session.series_id is None:
        own += [m for m in only if m not in own and m.status is MemberStatus.ACTIVE]
    elif only is not None:
        own += [m for m in only if m.role is MemberRole.EXTERNAL_MODERATOR and m not in own]
    own = wanted(own)
    if own:
        invites += _session_event(session, InviteMethod.REQUEST, own)
    return _send(invites)


def session_cancelled(session: GroupSession) -> list[Invite]:
    db.session.flush()
    session.calendar_sequence += 1
    invites: list[Invite | None] = []
    if session.series_id is not None:
        series = session.series
        session.calendar_sequence = max(session.calendar_sequence, series.calendar_sequence + 1)
        invites += [
            _queue(m, series.calendar_uid, InviteMethod.CANCEL, session.calendar_sequence, series=series,
                   session=session, recurrence=recurrence_key(session))
            for m in series_recipients(series)
        ]
    if session.calendar_uid is not None:
        invites += _session_event(session, InviteMethod.CANCEL, session_recipients(session))
    return _send(invites)


def series_changed(series: SessionSeries) -> list[Invite]:
    db.session.flush()
    series.calendar_sequence += 1
    invites = [
        _queue(m, series.calendar_uid, InviteMethod.REQUEST, series.calendar_sequence, series=series)
        for m in series_recipients(series)
    ]
    return _send(invites)


def series_cancelled(series: SessionSeries) -> list[Invite]:
    db.session.flush()
    series.calendar_sequence += 1
    invites = [
        _queue(m, series.calendar_uid, InviteMethod.CANCEL, series.calendar_sequence, series=series)
        for m in series_recipients(series)
    ]
    for session in series.sessions:
        if session.calendar_uid is not None and session.starts_at > now_utc():
            session.calendar_sequence += 1
            invites += _session_event(session, InviteMethod.CANCEL, session_recipients(session))
    return _send(invites)


def _upcoming(member: Member) -> tuple[list[SessionSeries], list[GroupSession]]:
    now = now_utc()
    series = db.session.execute(
        select(SessionSeries).where(SessionSeries.group_id == member.group_id,
                                    SessionSeries.status == SeriesStatus.ACTIVE)
    ).scalars().all()
    series = [s for s in series if any(o.starts_at > now and o.status is SessionStatus.SCHEDULED for o in s.sessions)]
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
    """A new member receives every upcoming series and single session of the group."""
    db.session.flush()
    series, singles = _upcoming(member)
    invites = [_queue(member, s.calendar_uid, InviteMethod.REQUEST, s.calendar_sequence, series=s) for s in series]
    invites += [
        _queue(member, _own_event_uid(s), InviteMethod.REQUEST, s.calendar_sequence, session=s)
        for s in singles if member in session_recipients(s)
    ]
    return _send(invites)


def member_left(member: Member) -> list[Invite]:
    """Someone who leaves gets a cancellation of everything still ahead, and nothing more after it."""
    db.session.flush()
    series, singles = _upcoming(member)
    invites = [
        _queue(member, s.calendar_uid, InviteMethod.CANCEL, s.calendar_sequence + 1, series=s) for s in series
    ]
    invites += [
        _queue(member, _own_event_uid(s), InviteMethod.CANCEL, s.calendar_sequence + 1, session=s) for s in singles
    ]
    return _send(invites)


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


def meeting_ready(meeting_id: int) -> None:
    """The Zoom meeting exists (or its join link changed): the invitations that waited for it can go."""
    dispatch.send_invites([invite.id for invite in pending_for_meeting(meeting_id)])


def resend_invite(invite: Invite, actor) -> Invite:
    """The coordinator asks to try a failed invitation again."""
    from service.domain.audit import record

    if invite.status is not InviteStatus.FAILED:
        return invite
    invite.status = InviteStatus.PENDING
    invite.attempts = 0
    invite.next_attempt_at = None
    invite.last_error = None
    db.session.flush()
    dispatch.send_invites([invite.id])
    record(actor, "invite.resent", "invite", invite.id)
    db.session.commit()
    return invite


@dataclass(frozen=True)
class DeliveryProblem:
    invite_id: int
    member_id: int
    member_name: str
    reason: str | None


@dataclass(frozen=True)
class DeliverySummary:
    """Where a session's invitations stand, one (latest) message per person."""

    total: int
    sent: int
    pending: int
    failed: tuple[DeliveryProblem, ...]


def invites_for_session(session: GroupSession) -> list[Invite]:
    """The latest message each person received (or is due to receive) about this session."""
    conditions = [Invite.session_id == session.id]
    if session.series_id is not None:
        conditions.append(
            (Invite.series_id == session.series_id) & Invite.recurrence_key.in_(["", recurrence_key(session)])
        )
    query = select(Invite).where(or_(*conditions)).order_by(Invite.sequence, Invite.id)
    latest: dict[int, Invite] = {}
    for invite in db.session.execute(query).scalars():
        latest[invite.member_id] = invite
    return list(latest.values())


def delivery_summary(session: GroupSession) -> DeliverySummary:
    invites = invites_for_session(session)
    failed = tuple(
        DeliveryProblem(i.id, i.member_id, i.member.display_name, i.last_error)
        for i in invites if i.status is InviteStatus.FAILED
    )
    return DeliverySummary(
        total=len(invites),
        sent=sum(1 for i in invites if i.status is InviteStatus.SENT),
        pending=sum(1 for i in invites if i.status in (InviteStatus.PENDING, InviteStatus.SENDING)),
        failed=failed,
    )
