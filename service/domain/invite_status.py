"""Where a session's invitations stand, as the coordinator sees them: one line per person.

Each person's line is the message that carries the latest change they received (or are due to receive) about
the session: its own event, its occurrence's override, or their copy of the whole series. A superseded row
shows the status of the row that carries it, so three quick changes read as one pending message, not three.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from service.domain.series_slots import in_copy_of
from service.extensions import db
from service.models import GroupSession, Invite, InviteMethod, InviteStatus, MeetingStatus


@dataclass(frozen=True)
class DeliveryProblem:
    invite_id: int
    member_id: int
    member_name: str
    reason: str | None


@dataclass(frozen=True)
class DeliveryLine:
    """One person's latest message about a session. ``status`` is pending, sent or failed."""

    invite_id: int
    member_id: int
    member_name: str
    method: InviteMethod
    status: InviteStatus
    reason: str | None
    sent_at: datetime | None
    waiting_for_meeting: bool
    # The person already received an earlier version: this message is an update (a move, a new link).
    is_update: bool = False


@dataclass(frozen=True)
class DeliverySummary:
    """Where a session's invitations stand, one (latest) message per person."""

    total: int
    sent: int
    pending: int
    failed: tuple[DeliveryProblem, ...]
    lines: tuple[DeliveryLine, ...] = ()

    @property
    def updating(self) -> int:
        """Pending messages that update what their recipient already has (after a move, say)."""
        return sum(1 for line in self.lines if line.status is InviteStatus.PENDING and line.is_update)


def carrier(invite: Invite) -> Invite | None:
    """The row that carries ``invite``'s change: itself, or the row that superseded it (None: dropped)."""
    seen = set()
    while invite.status is InviteStatus.SUPERSEDED:
        if invite.superseded_by is None or invite.id in seen:
            return None
        seen.add(invite.id)
        invite = invite.superseded_by
    return invite


def invites_for_session(session: GroupSession) -> list[Invite]:
    """The message that carries the latest change each person received (or is due to receive) about this
    session: its own event, its occurrence's override, or the whole series (for those whose copy has it)."""
    return _latest_for_session(session)[0]


def _latest_for_session(session: GroupSession) -> tuple[list[Invite], set[int]]:
    """:func:`invites_for_session`, and the members who already received an earlier message about it."""
    conditions = [Invite.session_id == session.id]
    if session.series_id is not None and session.series is not None:
        conditions.append((Invite.series_id == session.series_id) & (Invite.recurrence_key == "")
                          & (Invite.calendar_uid == session.series.calendar_uid))
    rows = db.session.execute(select(Invite).where(or_(*conditions)).order_by(Invite.id)).scalars().all()
    latest: dict[int, Invite] = {}
    sent: dict[int, set[int]] = {}
    for invite in rows:
        if invite.recurrence_key == "" and invite.series_id is not None and not in_copy_of(session, invite.member):
            continue  # joined after this occurrence: not in their copy
        if invite.status is InviteStatus.SENT and invite.method is InviteMethod.REQUEST:
            sent.setdefault(invite.member_id, set()).add(invite.id)
        carried = carrier(invite)
        if carried is not None:
            latest[invite.member_id] = carried
    received = {member for member, ids in sent.items() if member in latest and ids - {latest[member].id}}
    return list(latest.values()), received


def _meeting_ready(session: GroupSession) -> bool:
    meeting = session.zoom_meeting
    return meeting is not None and meeting.status is MeetingStatus.READY and bool(meeting.join_url)


def delivery_summary(session: GroupSession) -> DeliverySummary:
    invites, received = _latest_for_session(session)
    ready = _meeting_ready(session)
    lines = tuple(
        DeliveryLine(
            invite_id=i.id, member_id=i.member_id, member_name=i.member.display_name, method=i.method,
            status=InviteStatus.PENDING if i.status is InviteStatus.SENDING else i.status,
            reason=i.last_error, sent_at=i.sent_at,
            waiting_for_meeting=i.status is InviteStatus.PENDING and i.method is InviteMethod.REQUEST and not ready,
            is_update=i.member_id in received and i.status is not InviteStatus.SENT,
        )
        for i in sorted(invites, key=lambda i: (i.member.display_name.casefold(), i.member_id))
    )
    failed = tuple(
        DeliveryProblem(line.invite_id, line.member_id, line.member_name, line.reason)
        for line in lines if line.status is InviteStatus.FAILED
    )
    return DeliverySummary(
        total=len(lines),
        sent=sum(1 for line in lines if line.status is InviteStatus.SENT),
        pending=sum(1 for line in lines if line.status is InviteStatus.PENDING),
        failed=failed,
        lines=lines,
    )
