"""Re-computing the community of practice when a schedule or a moderator changes (after the commit, by the worker).

A flush watcher: whatever service changed a session's moderator, status or time, or a member of an ordinary
group, the organisation's ``practice-sync-<id>`` job is enqueued once with the commit (``service.effects``), and
the worker runs ``practice.sync_organisation``. Changes inside a community (its own members and sessions) are not
watched: they are the sync's own work. Imported by ``domain.practice``, so every process that can change data has it.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from service.effects import after_commit
from service.models import Group, GroupSession, Member
from service.protocol import SessionKind

# Sessions nobody "moderates" for the community's purposes (a rehearsal; the community's own sessions).
NOT_MODERATED = (SessionKind.REHEARSAL, SessionKind.PRACTICE)

_WATCHED = {GroupSession: ("moderator_id", "moderator", "status", "starts_at"),
            Member: ("status", "email", "display_name", "language", "role", "reports_to_email")}
_PENDING = "entre_pairs_practice_sync"


def _organisation_of(session: Session, item) -> int | None:
    state = inspect(item)
    group = state.attrs.group.loaded_value
    if not isinstance(group, Group):
        group = session.identity_map.get(inspect(Group).identity_key_from_primary_key((item.group_id,))) \
            if item.group_id is not None else None
    if group is None or group.practice:
        return None
    return group.organisation_id


def _changed(item, created: bool) -> bool:
    if isinstance(item, GroupSession) and item.kind in NOT_MODERATED:
        return False
    if created:
        return True
    state = inspect(item)
    return any(state.attrs[name].history.has_changes() for name in _WATCHED[type(item)])


@event.listens_for(Session, "before_flush")
def _watch(session: Session, _context, _instances) -> None:
    """A schedule or a moderator changed: re-compute the community after the commit (by the worker)."""
    found: set[int] = set()
    for items, created in ((session.new, True), (session.dirty, False), (session.deleted, True)):
        for item in items:
            if type(item) in _WATCHED and _changed(item, created):
                organisation_id = _organisation_of(session, item)
                if organisation_id is not None:
                    found.add(organisation_id)
    already = session.info.setdefault(_PENDING, set())
    for organisation_id in found - already:
        already.add(organisation_id)
        after_commit(session, lambda pipe, org=organisation_id: _enqueue_sync(org, pipe))


def _enqueue_sync(organisation_id: int, pipe) -> None:
    from worker import queues

    queues.enqueue_practice_sync(organisation_id, pipe)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
