"""Deleting what is no longer needed (Law 25 / PIPEDA: keep personal data only as long as it serves).

Run by the worker's periodic sweep. Each pass is idempotent and commits once.
- A member who left is forgotten once their cancellations are out (their invitation rows go with them).
- A group marked for deletion is purged once its cancellations are out (``groups.purge_group``).
- Delivery and posting records of sessions long over are dropped after ``RETENTION_DAYS``.
- Debriefs older than 30 days become monthly counts (``debrief_retention``).
- Sign-ups nobody confirmed are erased after 7 days (``consent.erase_unconfirmed``).
The audit trail stays: it names no one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select

from service.domain.debrief_retention import fold_old_debriefs
from service.domain.consent import erase_unconfirmed
from service.domain.groups import purge_group
from service.extensions import db
from service.models import (
    GroupSession,
    GroupStatus,
    Group,
    Invite,
    InviteStatus,
    Member,
    MemberStatus,
    Prompt,
    SessionStatus,
)

# A departed member's row is kept this long at least, so the cancellation can be retried if the server is down.
DEPARTURE_GRACE = timedelta(days=1)
UNSETTLED = (InviteStatus.PENDING, InviteStatus.SENDING)


@dataclass(frozen=True)
class RetentionReport:
    members_forgotten: int
    groups_purged: int
    prompts_deleted: int
    invites_deleted: int
    debriefs_folded: int = 0
    volunteers_erased: int = 0


def forget_departed_members(now: datetime) -> int:
    unsettled = exists().where(Invite.member_id == Member.id, Invite.status.in_(UNSETTLED))
    departed = db.session.execute(
        select(Member.id).where(
            Member.status == MemberStatus.LEFT, Member.left_at < now - DEPARTURE_GRACE, ~unsettled
        )
    ).scalars().all()
    if departed:
        db.session.execute(delete(Member).where(Member.id.in_(departed)))
    return len(departed)


def drop_old_records(now: datetime, retention_days: int) -> tuple[int, int]:
    cutoff = now - timedelta(days=retention_days)
    old_sessions = select(GroupSession.id).where(
        GroupSession.starts_at < cutoff,
        GroupSession.status.in_([SessionStatus.ENDED, SessionStatus.CANCELLED, SessionStatus.SCHEDULED]),
    )
    prompts = db.session.execute(delete(Prompt).where(Prompt.session_id.in_(old_sessions))).rowcount
    # An invitation row is kept while its event has a session ahead of the cutoff, however old the row: it is how
    # a later change or departure knows who holds the event and must get the update or the cancellation.
    live_sessions = select(GroupSession.id).where(GroupSession.starts_at >= cutoff)
    live_series = select(GroupSession.series_id).where(GroupSession.series_id.is_not(None),
                                                       GroupSession.starts_at >= cutoff)
    invites = db.session.execute(
        delete(Invite).where(
            Invite.status.notin_(UNSETTLED), Invite.updated_at < cutoff,
            or_(Invite.session_id.is_(None), Invite.session_id.notin_(live_sessions)),
            or_(Invite.series_id.is_(None), Invite.series_id.notin_(live_series)),
        )
    ).rowcount
    return prompts, invites


def run(now: datetime, retention_days: int) -> RetentionReport:
    members = forget_departed_members(now)
    prompts, invites = drop_old_records(now, retention_days)
    debriefs, _ = fold_old_debriefs(now)
    volunteers = erase_unconfirmed(now)
    db.session.commit()
    purged = 0
    for group_id in db.session.execute(select(Group.id).where(Group.status == GroupStatus.DELETING)).scalars().all():
        purged += purge_group(group_id, now)
    return RetentionReport(members, purged, prompts or 0, invites or 0, debriefs, volunteers)
