"""The RQ queues, and the one place that knows which job serves which request.

Job ids are deterministic (``meeting-sync-12``, ``prompts-at-1795000000000``): enqueuing the same work twice
replaces the waiting job instead of doubling it, and every job re-reads the database, so a second run finds
nothing left to do.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from redis import Redis
from redis.client import Pipeline
from rq import Queue

PROMPTS = "prompts"
SWEEP = "sweep"
ZOOM = "zoom"
MAIL = "mail"
DEFAULT = "default"
# Worker listening order: a prompt due now matters more than anything; the sweep rescues prompts; then the
# meetings prompts need; invitations last (a minute late is fine for an e-mail).
ALL_QUEUES = (PROMPTS, SWEEP, ZOOM, MAIL, DEFAULT)

SWEEP_JOB_ID = "sweep"
# A prompt job posts for a few seconds at most (rush hour: N posts at the rate limit); past this RQ stops it
# and the sweep hands its claimed rows to another worker.
PROMPT_JOB_TIMEOUT = 300


def connection() -> Redis:
    return current_app.extensions["redis"]


def queue(name: str, redis: Redis | None = None) -> Queue:
    return Queue(name, connection=redis or connection())


def _enqueue_together(target: Queue, jobs: list, pipe: Pipeline | None = None) -> None:
    """Enqueue several jobs in one Redis round trip (RQ's own pipeline), or into ``pipe`` when given (the
    commit's own pipeline, ``service.effects``), which the caller executes."""
    if jobs:
        target.enqueue_many(jobs, pipeline=pipe)


def enqueue_meeting_sync(meeting_id: int, pipe: Pipeline | None = None) -> None:
    job = Queue.prepare_data("worker.jobs.meetings.sync_meeting", args=(meeting_id,),
                             job_id=f"meeting-sync-{meeting_id}", result_ttl=3600)
    _enqueue_together(queue(ZOOM), [job], pipe)


def enqueue_invites(invite_ids: Iterable[int], pipe: Pipeline | None = None) -> None:
    """One job per invitation, so that several workers share them; one Redis round trip for all."""
    jobs = [Queue.prepare_data("worker.jobs.invites.send_invite", args=(invite_id,), job_id=f"invite-{invite_id}",
                               result_ttl=3600) for invite_id in invite_ids]
    _enqueue_together(queue(MAIL), jobs, pipe)


def enqueue_invite_batch(invite_ids: Iterable[int], pipe: Pipeline | None = None) -> None:
    """The invitations of one change: a single job that, in the worker, enqueues one job per invitation.

    The request that schedules a series creates one job instead of one per person (the coordinator is
    waiting); the worker spends the extra millisecond.
    """
    ids = list(invite_ids)
    if len(ids) <= 1:
        enqueue_invites(ids, pipe)
        return
    job = Queue.prepare_data("worker.jobs.invites.enqueue_each", args=(ids,), job_id=f"invites-{ids[0]}-{ids[-1]}",
                             result_ttl=600)
    _enqueue_together(queue(MAIL), [job], pipe)


def enqueue_prompt_job(job_id: str, instant_ms: int, redis: Redis) -> None:
    """Hand the prompts due at ``instant_ms`` to a worker (the scheduler does this just before the instant)."""
    queue(PROMPTS, redis).enqueue_call(
        "worker.jobs.prompts.post_due_prompts", args=(instant_ms,), job_id=job_id, result_ttl=600,
        timeout=PROMPT_JOB_TIMEOUT, failure_ttl=24 * 3600,
    )


def enqueue_sweep(redis: Redis) -> None:
    """One sweep waiting at a time: the same id replaces a sweep not yet started."""
    queue(SWEEP, redis).enqueue_call("worker.jobs.sweep.sweep", job_id=SWEEP_JOB_ID, result_ttl=300, timeout=120)


def enqueue_practice_sync(organisation_id: int, pipe: Pipeline | None = None) -> None:
    """Bring the organisation's community of practice up to date (one waiting job per organisation)."""
    job = Queue.prepare_data("worker.jobs.practice.sync_organisation", args=(organisation_id,),
                             job_id=f"practice-sync-{organisation_id}", result_ttl=600)
    _enqueue_together(queue(DEFAULT), [job], pipe)


def enqueue_talk_notice(request_id: int, pipe: Pipeline | None = None) -> None:
    """E-mail the supervisors about a request to talk; RQ retries an unexpected failure, the row records the
    temporary ones and the sweep brings them back."""
    from rq import Retry

    job = Queue.prepare_data("worker.jobs.practice.notify_supervisors", args=(request_id,),
                             job_id=f"talk-notice-{request_id}", result_ttl=3600, retry=Retry(max=3))
    _enqueue_together(queue(MAIL), [job], pipe)


def enqueue_supervisor_welcome(supervisor_id: int, pipe: Pipeline | None = None) -> None:
    """Send a new supervisor their personal link (RQ retries a temporary mail failure)."""
    from rq import Retry

    job = Queue.prepare_data("worker.jobs.practice.welcome_supervisor", args=(supervisor_id,),
                             job_id=f"supervisor-welcome-{supervisor_id}", result_ttl=3600, retry=Retry(max=3))
    _enqueue_together(queue(MAIL), [job], pipe)


def enqueue_consent_letter(kind: str, person_id: int, reminder: bool, pipe: Pipeline | None = None) -> None:
    """The welcome-and-consent e-mail (or a reminder) to one volunteer or member; retried on temporary failures."""
    from rq import Retry

    job = Queue.prepare_data("worker.jobs.consent.send_consent_letter", args=(kind, person_id, reminder),
                             job_id=f"consent-{kind}-{person_id}", result_ttl=3600,
                             retry=Retry(max=5, interval=[60, 300, 900, 3600, 6 * 3600]))
    _enqueue_together(queue(MAIL), [job], pipe)
def enqueue_poll_letters(letter_ids: Iterable[int], pipe: Pipeline | None = None) -> None:
    """One job per poll e-mail (``worker.jobs.polls.send_poll_letter``); ids make a second enqueue harmless."""
    jobs = [Queue.prepare_data("worker.jobs.polls.send_poll_letter", args=(letter_id,),
                               job_id=f"poll-letter-{letter_id}", result_ttl=3600) for letter_id in letter_ids]
    _enqueue_together(queue(MAIL), jobs, pipe)
