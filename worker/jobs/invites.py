"""Invitation jobs (queue ``mail``): send a few rows; split a large change into such jobs; and, for the sweep,
release what dead workers held and re-find the rows due for a try.

Thin on purpose: the rules live in ``service.domain.delivery``. All run inside the application context
the worker process provides (``python -m worker``).
"""

from __future__ import annotations

import logging

from flask import current_app

from service.domain import delivery

log = logging.getLogger(__name__)


def send_invites(invite_ids: list[int]) -> dict[str, int]:
    """Send these invitation rows, each if it is due, over one SMTP connection (the process's transport).
    Returns how many rows ended with each outcome.

    While it runs, a heartbeat keeps its claimer's name alive (``worker.claims``): if the job dies, the sweep
    gives the rows it held back within seconds. The rows' queued marks come off as the job claims them (all
    of them in one statement), so that if the job dies the sweep finds them: released, or never claimed. Temporary mail failures are not errors here:
    the row records its next attempt. A row that could not be prepared (a bug) is logged and the others go on.
    """
    from worker import queues
    from worker.claims import Heartbeat

    redis = current_app.extensions["redis"]
    counts: dict[str, int] = {}
    heartbeat = Heartbeat(redis)
    with heartbeat as claimer:
        queues.unmark_queued(invite_ids, redis)
        claimed = delivery.claim_many(invite_ids, claimer)
        with delivery.one_reading_per_job(claimed):
            _send_claimed(invite_ids, claimed, claimer, heartbeat, counts)
    return counts


def _send_claimed(invite_ids: list[int], claimed: set[int], claimer: str, heartbeat, counts: dict[str, int]) -> None:
    for invite_id in invite_ids:
        if invite_id not in claimed:
            counts[delivery.Outcome.NOT_CLAIMED.value] = counts.get(delivery.Outcome.NOT_CLAIMED.value, 0) + 1
            continue
        try:
            outcome = delivery.deliver(invite_id, claimer=claimer, still_ours=heartbeat.alive, claimed=True).value
        except Exception:
            log.exception("invite %s could not be sent; it is tried again later", invite_id)
            outcome = "error"
        counts[outcome] = counts.get(outcome, 0) + 1


def send_invite(invite_id: int) -> str:
    """One row (jobs enqueued before invitations went in groups of rows)."""
    return next(iter(send_invites([invite_id])))


def enqueue_each(invite_ids: list[int]) -> int:
    """The invitations of one large change, handed over by the web in one job: jobs of a few rows each."""
    from worker import queues

    queues.enqueue_invites(invite_ids)
    return len(invite_ids)


def retry_due_invites() -> int:
    """For the periodic sweep: give back the rows of workers that died (their heartbeat stopped), and enqueue
    every row due now that no job holds (Redis lost it, or its job died before reaching it).

    Returns how many rows were enqueued.
    """
    from worker import queues
    from worker.claims import dead_claimers

    redis = current_app.extensions["redis"]
    delivery.release_stale(dead_claimers=dead_claimers(redis, delivery.sending_claimers()))
    candidates = delivery.invites_to_retry()
    held = queues.marked_queued(candidates, redis)
    due = [invite_id for invite_id in candidates if invite_id not in held]
    queues.enqueue_invites(due)
    return len(due)
