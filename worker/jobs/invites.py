"""Invitation jobs (queue ``mail``): send one row; and, for the sweep, re-find the rows due for a try.

Thin on purpose: the rules live in ``service.domain.delivery``. Both run inside the application context
the worker process provides (``python -m worker``).
"""

from __future__ import annotations

from service.domain import delivery


def send_invite(invite_id: int) -> str:
    """Send invitation row ``invite_id`` if it is due. Returns the outcome (``sent``, ``retry``...).

    Temporary mail failures are not errors here: the row records its next attempt and the sweep brings it
    back. Anything unexpected propagates (RQ records it; the row is released by the sweep).
    """
    return delivery.deliver(invite_id).value


def retry_due_invites() -> int:
    """For the periodic sweep: release rows left ``sending`` by a dead worker, enqueue every row due now.

    Returns how many rows were enqueued.
    """
    from worker import queues

    delivery.release_stale()
    due = delivery.invites_to_retry()
    queues.enqueue_invites(due)
    return len(due)
