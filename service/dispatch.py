"""What the web (and the domain services) ask the worker to do, once the database says so.

Each function adds work that starts after the current transaction commits (see ``effects``: one Redis round
trip for all of it): the worker then finds the committed rows. Nothing here calls Zoom or SMTP.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from service.effects import after_commit
from service.extensions import db


def sync_meeting(meeting_id: int) -> None:
    """Create, update or delete the Zoom meeting so that it matches its sessions."""
    from worker import queues

    after_commit(db.session(), lambda pipe: queues.enqueue_meeting_sync(meeting_id, pipe))


def send_invites(invite_ids: Sequence[int]) -> None:
    from worker import queues

    ids = list(invite_ids)
    after_commit(db.session(), lambda pipe: queues.enqueue_invite_batch(ids, pipe))


def schedule_prompts(session_ids: Sequence[int]) -> None:
    """The sessions' prompt rows changed: put their due instants on the worker's timetable.

    Call it once the rows are as they will be committed: their instants are read now, in this transaction.
    Instants a change left behind stay on the timetable: their jobs find nothing due and end at once.
    """
    from service.domain.posting import session_due_instants

    ids = list(session_ids)
    if ids:
        db.session.flush()
        schedule_instants(session_due_instants(ids))


def schedule_instants(instants: Iterable[datetime]) -> None:
    """Put these due instants on the worker's timetable (new sessions know theirs without reading them back)."""
    from worker.timetable import Timetable

    wanted = list(instants)
    if wanted:
        after_commit(db.session(), lambda pipe: Timetable.add_to(pipe, wanted))
