"""Invitation jobs (queue ``mail``): send one row; split a change's batch into one job per row; and, for the
sweep, re-find the rows due for a try.

Thin on purpose: the rules live in ``service.domain.delivery``. All run inside the application context
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


def enqueue_each(invite_ids: list[int]) -> int:
    """The invitations of one change, handed over by the web in one job: one job each (``send_invite``)."""
    from worker import queues

    queues.enqueue_invites(invite_ids)
    return len(invite_ids)


def retry_due_invites() -> int:
    """For the periodic sweep: release rows left ``sending`` by a dead worker, enqueue every row due now.

    Returns how many rows were enqueued.
    """
    from worker import queues

    delivery.release_stale()
    due = delivery.invites_to_retry()
    queues.enqueue_invites(due)
    return len(due)
