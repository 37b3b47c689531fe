"""What Zoom's webhook notices change, once the web controller has checked their signature.

- ``meeting.started`` → :func:`service.domain.live.started` for the session that started (a recurring meeting's
  occurrence is found by its start time): its pending prompts are re-anchored on the real start;
- ``meeting.ended`` → :func:`service.domain.live.ended`: the end is recorded and pending prompts stop;
- ``meeting.deleted`` → someone deleted the meeting (or one occurrence still ahead) in Zoom: the meeting is marked
  ``DELETED_IN_ZOOM`` so the coordinator sees it, unless we deleted it ourselves (status ``DELETED``, or an
  occurrence of a cancelled session).

Every handler is idempotent (Zoom retries a notice until it gets a 2xx) and a meeting we do not know is ignored.
Each returns a short outcome code the controller puts in its answer and the log.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select

from service.domain import live
from service.domain.audit import Actor, record
from service.domain.clock import UTC, now_utc
from service.domain.errors import DomainError
from service.extensions import db
from service.models import Group, GroupSession, MeetingStatus, SessionStatus, ZoomMeeting

log = logging.getLogger(__name__)


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _meeting(obj: dict[str, Any]) -> ZoomMeeting | None:
    try:
        zoom_id = str(int(obj.get("id")))  # a string in some notices, a number in others
    except (TypeError, ValueError):
        return None
    return db.session.execute(
        select(ZoomMeeting).where(ZoomMeeting.zoom_id == zoom_id).order_by(ZoomMeeting.id.desc())
    ).scalars().first()


def _session_near(meeting: ZoomMeeting, started_at: datetime, started_only: bool = False) -> GroupSession | None:
    """The scheduled session of this meeting closest to ``started_at`` (within ``live.START_WINDOW``)."""
    sessions = db.session.execute(
        select(GroupSession).where(GroupSession.zoom_meeting_id == meeting.id,
                                   GroupSession.status == SessionStatus.SCHEDULED)
    ).scalars().all()
    if started_only:
        sessions = [s for s in sessions if s.actual_started_at is not None] or sessions
    candidates = [s for s in sessions
                  if abs((s.actual_started_at or s.starts_at) - started_at) <= live.START_WINDOW]
    return min(candidates, key=lambda s: abs((s.actual_started_at or s.starts_at) - started_at), default=None)


def _started(meeting: ZoomMeeting, obj: dict[str, Any]) -> str:
    at = _moment(obj.get("start_time")) or now_utc()
    session = _session_near(meeting, at)
    if session is None:
        return "no_session"
    try:
        return "started" if live.started(session, at, Actor.system()) else "already_started"
    except DomainError:
        return "not_live"


def _ended(meeting: ZoomMeeting, obj: dict[str, Any]) -> str:
    at = _moment(obj.get("end_time")) or now_utc()
    started_at = _moment(obj.get("start_time")) or at
    session = _session_near(meeting, started_at, started_only=True)
    if session is None:
        return "no_session"
    return "ended" if live.ended(session, at, Actor.system()) else "already_ended"


def _deleted(meeting: ZoomMeeting, obj: dict[str, Any]) -> str:
    if meeting.status in (MeetingStatus.DELETED, MeetingStatus.DELETED_IN_ZOOM):
        return "already_deleted"
    occurrences = obj.get("occurrences") or []
    if occurrences:
        ids = {str(o.get("occurrence_id")) for o in occurrences}
        affected = db.session.execute(
            select(GroupSession.id).where(GroupSession.zoom_meeting_id == meeting.id,
                                          GroupSession.zoom_occurrence_id.in_(ids),
                                          GroupSession.status == SessionStatus.SCHEDULED,
                                          GroupSession.starts_at > now_utc())
        ).first()
        if affected is None:
            return "ours"  # the occurrence of a session we cancelled
    meeting.status = MeetingStatus.DELETED_IN_ZOOM
    group = db.session.get(Group, meeting.group_id)
    organisation_id = group.organisation_id if group is not None else None
    record(Actor.system(), "meeting.deleted_in_zoom", "meeting", meeting.id, organisation_id=organisation_id,
           occurrence=bool(occurrences))
    db.session.commit()
    log.warning("Zoom meeting of row %s was deleted in Zoom: the coordinator must act", meeting.id)
    return "deleted_in_zoom"


HANDLERS = {"meeting.started": _started, "meeting.ended": _ended, "meeting.deleted": _deleted}


def handle_notice(event: str, payload: dict[str, Any]) -> str:
    handler = HANDLERS.get(event)
    if handler is None:
        return "unhandled_event"
    obj = payload.get("object") if isinstance(payload.get("object"), dict) else {}
    meeting = _meeting(obj)
    if meeting is None:
        return "unknown_meeting"
    return handler(meeting, obj)
