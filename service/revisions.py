"""A session's revision, published where an open console can poll it without the database.

``GroupSession.revision`` rises on every change a live console must show. The domain services raise it when the
plan changes (real start, +2 minutes, next step, end, new moderator, reschedule); the hook below also raises it
whenever one of the session's prompt rows changes status or times — the worker posting a prompt, for instance —
and whenever a member of its group joins, leaves or is renamed (the speaking order), so that no writer can forget.

After each commit the new revisions are written to Redis, only ever upwards (two commits finishing out of order
cannot leave the older value behind), and the session's cached console grant is dropped so the next poll checks
the link against the database again. Redis is a cache here: a missing key is filled from the database by the
poll (``service.moderator.polling``), and losing Redis loses nothing.
"""

from __future__ import annotations

from datetime import timedelta

from redis import Redis
from redis.client import Pipeline
from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session

from service.domain.clock import now_utc
from service.effects import after_commit
from service.models import GroupSession, Member, Prompt, SessionStatus

# A published revision outlives any session; it is refreshed on every change and refilled on a miss.
REVISION_TTL_SECONDS = 24 * 3600
# Prompt columns whose change a console shows.
_PROMPT_FIELDS_SHOWN = ("status", "due_at", "expires_at")
_CHANGED = "entre_pairs_changed_revisions"
# Member columns whose change a console shows (the speaking order: who is in it, under which first name).
_MEMBER_FIELDS_SHOWN = ("status", "display_name")
# A console stays open a while after its session's planned start (late starts, extra time, the follow-up).
CONSOLE_OPEN_AFTER_START = timedelta(hours=12)

# Sets the key to ARGV[1] unless it already holds a greater revision; returns the value kept.
_SET_IF_GREATER = """
local current = tonumber(redis.call('GET', KEYS[1]))
local proposed = tonumber(ARGV[1])
if current == nil or current < proposed then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return proposed
end
return current
"""


def revision_key(session_id: int) -> str:
    return f"console:revision:{session_id}"


def grant_key(session_id: int) -> str:
    """Where a poll keeps, for a short while, the fact that a console link was checked against the database."""
    return f"console:grant:{session_id}"


def publish(redis: Redis, session_id: int, revision: int) -> int:
    """Record ``revision`` unless a newer one is already there; returns the revision now published."""
    return int(redis.eval(_SET_IF_GREATER, 1, revision_key(session_id), revision, REVISION_TTL_SECONDS))


def note_changed(session: Session, revisions: dict[int, int]) -> None:
    """Revisions raised by a bulk statement (no ORM objects to see): publish them after the commit too."""
    changed = _changed_revisions(session)
    for session_id, revision in revisions.items():
        changed[session_id] = max(revision, changed.get(session_id, 0))


def _changed_revisions(session: Session) -> dict[int, int]:
    """This transaction's raised revisions; the first one asks for their publication after the commit."""
    changed = session.info.get(_CHANGED)
    if changed is None:
        changed = session.info[_CHANGED] = {}
        after_commit(session, lambda pipe: _publish(session.info.pop(_CHANGED, {}), pipe))
    return changed


def _changed(state, name: str) -> bool:
    return state.attrs[name].history.has_changes()


@event.listens_for(Session, "before_flush")
def _raise_on_prompt_change(session: Session, flush_context, instances) -> None:
    """A prompt row that changes what the console shows raises its session's revision (once per flush)."""
    with session.no_autoflush:
        for obj in list(session.dirty):
            if not isinstance(obj, Prompt):
                continue
            state = inspect(obj)
            if not any(_changed(state, name) for name in _PROMPT_FIELDS_SHOWN):
                continue
            owner = obj.session
            if owner is not None and not _changed(inspect(owner), "revision"):
                owner.revision = (owner.revision or 0) + 1


@event.listens_for(Session, "before_flush")
def _raise_on_membership_change(session: Session, flush_context, instances) -> None:
    """Someone joining, leaving or renamed changes the speaking order of every console still open for their group."""
    group_ids = set()
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, Member):
            continue
        if obj in session.new or any(_changed(inspect(obj), name) for name in _MEMBER_FIELDS_SHOWN):
            group_id = obj.group_id if obj.group_id is not None else getattr(obj.group, "id", None)
            if group_id is not None:
                group_ids.add(group_id)
    if not group_ids:
        return
    # One statement, counted in the database: an object loaded earlier in this transaction may hold an older
    # revision, and writing "old + 1" back would lower it.
    revised = session.execute(
        update(GroupSession)
        .where(GroupSession.group_id.in_(sorted(group_ids)), GroupSession.status == SessionStatus.SCHEDULED,
               GroupSession.starts_at > now_utc() - CONSOLE_OPEN_AFTER_START)
        .values(revision=GroupSession.revision + 1)
        .returning(GroupSession.id, GroupSession.revision),
        execution_options={"synchronize_session": "fetch"},
    ).all()
    note_changed(session, dict(revised))


@event.listens_for(Session, "after_flush")
def _collect_changed_revisions(session: Session, flush_context) -> None:
    # A session just created has no console open yet: the first poll reads its revision from the database.
    for obj in list(session.dirty):
        if isinstance(obj, GroupSession) and obj.id is not None and _changed(inspect(obj), "revision"):
            changed = _changed_revisions(session)
            changed[obj.id] = max(obj.revision, changed.get(obj.id, 0))


def _publish(changed: dict[int, int], pipe: Pipeline) -> None:
    """Written into the commit's pipeline (``service.effects``); if Redis is down, consoles catch up when their
    grant next expires and the poll reads the database."""
    for session_id, revision in changed.items():
        pipe.eval(_SET_IF_GREATER, 1, revision_key(session_id), revision, REVISION_TTL_SECONDS)
        pipe.delete(grant_key(session_id))


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
