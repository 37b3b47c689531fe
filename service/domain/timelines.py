"""A scheduled session's timeline: the protocol engine fed with what the database knows."""

from __future__ import annotations

from service.models import GroupSession
from service.protocol import MAX_MEMBERS_EXCEPTION, MIN_MEMBERS_EXCEPTION, Timeline, build_timeline


def round_table_size(active_members: int) -> int:
    """The number of people the round table is timed for, given how many members are active."""
    return min(max(active_members, MIN_MEMBERS_EXCEPTION), MAX_MEMBERS_EXCEPTION)


def group_size_for(session: GroupSession) -> int:
    """The number of people the round table is timed for (members who left no longer count)."""
    return round_table_size(len(session.group.active_members))


def timeline_for(session: GroupSession, language: str | None = None) -> Timeline:
    return build_timeline(
        session.kind,
        session.duration_minutes,
        group_size_for(session),
        language or session.language,
        session.centring_variant,
    )
