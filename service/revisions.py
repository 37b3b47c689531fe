"""A session's revision, published where an open console can poll it without the database.

``GroupSession.revision`` rises on every change a live console must show. The domain services raise it when the
plan changes (real start, +2 minutes, next step, end, new moderator, reschedule); the hook below also raises it
whenever one of the session's prompt rows changes status or times — the worker posting a prompt, for instance —
so that no writer can forget.

After each commit the new revisions are written to Redis, only ever upwards (two commits finishing out of order
cannot leave the older value behind), and the session's cached console grant is dropped so the next poll checks
the link against the database again. Redis is a cache here: a missing key is filled from the database by the
poll (``service.moderator.polling``), and losing Redis loses nothing.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from service.models import GroupSession, Prompt

log = logging.getLogger(__name__)

# A published revision outlives any session; it is refreshed on every change and refilled on a miss.
REVISION_TTL_SECONDS = 24 * 3600
# Prompt columns whose change a console shows.
_PROMPT_FIELDS_SHOWN = ("status", "due_at", "expires_at")
_CHANGED = "entre_pairs_changed_revisions"

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
    changed: dict[int, int] = session.info.setdefault(_CHANGED, {})
    for session_id, revision in revisions.items():
        changed[session_id] = max(revision, changed.get(session_id, 0))


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


@event.listens_for(Session, "after_flush")
def _collect_changed_revisions(session: Session, flush_context) -> None:
    changed: dict[int, int] = session.info.setdefault(_CHANGED, {})
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, GroupSession) and obj.id is not None and _changed(inspect(obj), "revision"):
            changed[obj.id] = max(obj.revision, changed.get(obj.id, 0))


@event.listens_for(Session, "after_commit")
def _publish_after_commit(session: Session) -> None:
    changed: dict[int, int] = session.info.pop(_CHANGED, {})
    if not changed or not has_app_context():
        return
    redis: Redis = current_app.extensions["redis"]
    set_if_greater = redis.register_script(_SET_IF_GREATER)  # sent by its SHA: a rush publishes hundreds
    try:
        with redis.pipeline(transaction=False) as pipe:
            for session_id, revision in changed.items():
                set_if_greater(keys=[revision_key(session_id)], args=[revision, REVISION_TTL_SECONDS], client=pipe)
                pipe.delete(grant_key(session_id))
            pipe.execute()
    except RedisError:
        # Consoles catch up when their grant next expires and the poll reads the database.
        log.warning("could not publish the revision of sessions %s", sorted(changed))


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_CHANGED, None)
