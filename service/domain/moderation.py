"""Who moderates which session.

The guide: during the first meetings a trained moderator, probably external; once the break-in period is
over, an internal moderator, possibly rotating among the group's trained members.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from service.extensions import db
from service.models import Group, GroupSession, Member, SessionStatus
from service.protocol import SessionKind


def trained_members(group: Group) -> list[Member]:
    return [m for m in group.active_members if m.is_trained_moderator]


def has_a_moderator(group: Group) -> bool:
    return bool(trained_members(group)) or (group.external_moderator is not None and group.external_moderator_sessions > 0)


def sessions_before(group: Group, session: GroupSession) -> int:
    """How many of the group's sessions (not rehearsals, not cancelled) come before this one."""
    query = select(GroupSession.id).where(
        GroupSession.group_id == group.id,
        GroupSession.kind != SessionKind.REHEARSAL,
        GroupSession.status != SessionStatus.CANCELLED,
        GroupSession.starts_at < session.starts_at,
    )
    return len(db.session.execute(query).all())


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


def assign_moderators(group: Group, sessions: Sequence[GroupSession]) -> None:
    """Give each new session its planned moderator, counting the sessions already scheduled before it."""
    db.session.flush()
    for session in sessions:
        if session.kind is SessionKind.REHEARSAL or session.moderator_id is not None:
            continue
        moderator = moderator_for(group, sessions_before(group, session))
        session.moderator = moderator
