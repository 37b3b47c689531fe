"""Zoom meeting jobs. ``sync_meeting`` is enqueued by ``worker.queues.enqueue_meeting_sync`` after every change.

Runs inside the application context (the worker process provides it). Transient Zoom trouble does not raise:
the meeting is left WAITING with ``next_attempt_at`` and the periodic sweep re-enqueues it
(``service.domain.meetings.meetings_needing_sync``); anything unexpected propagates so RQ records the failure.
"""

from __future__ import annotations

from service.domain import meetings


def sync_meeting(meeting_id: int) -> str | None:
    status = meetings.sync_meeting(meeting_id)
    return status.value if status is not None else None
