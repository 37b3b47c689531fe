"""The RQ queues, and the one place that knows which job serves which request.

Job ids are deterministic (``meeting-sync-12``): enqueuing the same work twice replaces the waiting job
instead of doubling it.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from redis import Redis
from rq import Queue

PROMPTS = "prompts"
ZOOM = "zoom"
MAIL = "mail"
DEFAULT = "default"
# Worker listening order: a prompt due now matters more than an invite.
ALL_QUEUES = (PROMPTS, ZOOM, MAIL, DEFAULT)


def connection() -> Redis:
    return current_app.extensions["redis"]


def queue(name: str, redis: Redis | None = None) -> Queue:
    return Queue(name, connection=redis or connection())


def _enqueue_together(target: Queue, jobs: list) -> None:
    """Enqueue several jobs in one Redis round trip (a series schedules every member and session at once)."""
    if jobs:
        with target.connection.pipeline() as pipe:
            target.enqueue_many(jobs, pipeline=pipe)
            pipe.execute()


def enqueue_meeting_sync(meeting_id: int) -> None:
    queue(ZOOM).enqueue_call(
        "worker.jobs.meetings.sync_meeting", args=(meeting_id,), job_id=f"meeting-sync-{meeting_id}", result_ttl=3600
    )


def enqueue_invites(invite_ids: Iterable[int]) -> None:
    """One Redis round trip for all of them (a series reaches every member at once)."""
    mail = queue(MAIL)
    jobs = [Queue.prepare_data("worker.jobs.invites.send_invite", args=(invite_id,), job_id=f"invite-{invite_id}",
                               result_ttl=3600) for invite_id in invite_ids]
    _enqueue_together(mail, jobs)


def enqueue_prompt_schedule(session_ids: Iterable[int]) -> None:
    default = queue(DEFAULT)
    jobs = [Queue.prepare_data("worker.jobs.prompts.schedule_session_prompts", args=(session_id,),
                               job_id=f"prompt-schedule-{session_id}", result_ttl=3600) for session_id in session_ids]
    _enqueue_together(default, jobs)
