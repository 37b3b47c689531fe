"""What the web (and the domain services) ask the worker to do, once the database says so.

Each function records a callback that runs after the current transaction commits (see ``effects``): the
worker then finds the committed rows. Nothing here calls Zoom or SMTP.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.effects import after_commit
from service.extensions import db


def sync_meeting(meeting_id: int) -> None:
    """Create, update or delete the Zoom meeting so that it matches its sessions."""
    from worker import queues

    after_commit(db.session(), lambda: queues.enqueue_meeting_sync(meeting_id))


def send_invites(invite_ids: Sequence[int]) -> None:
    from worker import queues

    ids = list(invite_ids)
    after_commit(db.session(), lambda: queues.enqueue_invites(ids))


def schedule_prompts(session_ids: Sequence[int]) -> None:
    """The sessions' prompt rows changed: put their due instants on the worker's timetable.

    Instants a change left behind stay on the timetable: their jobs find nothing due and end at once.
    """
    from worker import queues

    ids = list(session_ids)
    after_commit(db.session(), lambda: queues.schedule_prompts(ids))
