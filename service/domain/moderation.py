"""Who moderates which session.

The guide: during the first meetings a trained moderator, probably external; once the break-in period is
over, an internal moderator, possibly rotating among the group's trained members.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from service.extensions import db
from service.models import Group, GroupSession, Member, SessionStatus
from service.protocol import SessionKind


def trained_members(group: Group) -> list[Member]:
    return [m for m in group.active_members if m.is_trained_moderator]


def has_a_moderator(group: Group) -> bool:
    return bool(trained_members(group)) or (group.external_moderator is not None and group.external_moderator_sessions > 0)


def moderator_for(group: Group, position: int) -> Member | None:
    """The planned moderator of the group's ``position``-th session (0 = the first)."""
    external = group.external_moderator
    if external is not None and position < group.external_moderator_sessions:
        return external
    trained = trained_members(group)
    if trained:
        internal_position = position - (group.external_moderator_sessions if external is not None else 0)
        return trained[max(internal_position, 0) % len(trained)]
    return external


@dataclass(frozen=True)
class GroupHistory:
    """The group's sessions so far, as the rotations count them (read once, before new sessions are added)."""

    # Every session, rehearsals and cancelled ones included: the centring practices rotate on it.
    session_count: int
    # Sorted starts of the sessions moderators rotate on (not rehearsals, not cancelled).
    moderated_starts: list[datetime]

    def sessions_before(self, starts_at: datetime) -> int:
        """How many of the sessions moderators rotate on start before ``starts_at``."""
        return bisect_left(self.moderated_starts, starts_at)


def group_history(group: Group) -> GroupHistory:
    """One query, whatever the number of sessions to plan (a series brings up to 60)."""
    with db.session.no_autoflush:
        rows = db.session.execute(
            select(GroupSession.starts_at, GroupSession.kind, GroupSession.status)
            .where(GroupSession.group_id == group.id)
        ).all()
    return GroupHistory(
        session_count=len(rows),
        moderated_starts=sorted(starts for starts, kind, status in rows
                                if kind is not SessionKind.REHEARSAL and status is not SessionStatus.CANCELLED),
    )


def assign_moderators(group: Group, sessions: Sequence[GroupSession], history: GroupHistory) -> None:
    """Give each new session (not yet in ``history``) its planned moderator, counting the sessions before it.

    The new sessions need not be flushed yet, so their moderator goes in with their INSERT.
    """
    wanted = [s for s in sessions if s.kind is not SessionKind.REHEARSAL and s.moderator_id is None
              and s.moderator is None]
    if not wanted:
        return
    starts = sorted([*history.moderated_starts, *(s.starts_at for s in sessions if s.kind is not SessionKind.REHEARSAL
                                                   and s.status is not SessionStatus.CANCELLED)])
    for session in wanted:
        session.moderator = moderator_for(group, bisect_left(starts, session.starts_at))
