"""The RQ queues, and the one place that knows which job serves which request.

Job ids are deterministic (``meeting-sync-12``, ``prompts-at-1795000000000``): enqueuing the same work twice
replaces the waiting job instead of doubling it, and every job re-reads the database, so a second run finds
nothing left to do.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from flask import current_app
from redis import Redis
from redis.client import Pipeline
from rq import Queue
from rq.job import Job

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
# A mail job that met a temporary failure (the server said "try later") runs again after these many seconds; the
# workers serving the mail queue run RQ's scheduler for it (``worker.__main__``).
MAIL_RETRY_INTERVALS = [60, 300, 900, 3600, 6 * 3600]


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
    enqueue_meeting_syncs([meeting_id], pipe)


def enqueue_meeting_syncs(meeting_ids: Iterable[int], pipe: Pipeline | None = None) -> None:
    """One job per meeting, all in one Redis round trip (the sweep may find hundreds)."""
    jobs = [Queue.prepare_data("worker.jobs.meetings.sync_meeting", args=(meeting_id,),
                               job_id=f"meeting-sync-{meeting_id}", result_ttl=3600) for meeting_id in meeting_ids]
    _enqueue_together(queue(ZOOM), jobs, pipe)


# Invitations go to the worker in jobs of this many rows: one SMTP connection and one set of rendered agendas
# serve them all, and several workers still share a large change.
INVITES_PER_JOB = 20
# Rows handed to a job are marked here (row id -> when), in the same Redis round trip as the job: the sweep
# leaves marked rows alone, and enqueues again a row that is unsent and unmarked (Redis lost its data, a job
# died before claiming it). A job takes the marks off as it claims its rows.
QUEUED_INVITES_KEY = "entre_pairs:invites:queued"
# A mark older than this no longer protects its row (a job lost in a way nobody saw): it is enqueued again.
QUEUED_MARK_TTL_SECONDS = 600


def _mark_queued(ids: list[int], pipe: Pipeline | None) -> None:
    if ids:
        (pipe if pipe is not None else connection()).zadd(QUEUED_INVITES_KEY, {str(i): time.time() for i in ids})


def unmark_queued(invite_ids: Iterable[int], redis: Redis | None = None) -> None:
    ids = [str(i) for i in invite_ids]
    if ids:
        (redis or connection()).zrem(QUEUED_INVITES_KEY, *ids)


def marked_queued(invite_ids: list[int], redis: Redis | None = None) -> set[int]:
    """The ids among these that a job (enqueued less than :data:`QUEUED_MARK_TTL_SECONDS` ago) will take."""
    if not invite_ids:
        return set()
    scores = (redis or connection()).zmscore(QUEUED_INVITES_KEY, [str(i) for i in invite_ids])
    fresh = time.time() - QUEUED_MARK_TTL_SECONDS
    return {i for i, score in zip(invite_ids, scores) if score is not None and score > fresh}


def enqueue_invites(invite_ids: Iterable[int], pipe: Pipeline | None = None) -> None:
    """Jobs of up to :data:`INVITES_PER_JOB` rows, so that several workers share them; one Redis round trip."""
    ids = list(invite_ids)
    jobs = [Queue.prepare_data("worker.jobs.invites.send_invites", args=(chunk,),
                               job_id=f"invites-send-{chunk[0]}-{chunk[-1]}-{len(chunk)}", result_ttl=3600,
                               timeout=60 + 30 * len(chunk))
            for chunk in (ids[i:i + INVITES_PER_JOB] for i in range(0, len(ids), INVITES_PER_JOB))]
    if pipe is None and jobs:
        with connection().pipeline() as own:
            _mark_queued(ids, own)
            _enqueue_together(queue(MAIL), jobs, own)
            own.execute()
        return
    _mark_queued(ids, pipe)
    _enqueue_together(queue(MAIL), jobs, pipe)


def enqueue_invite_batch(invite_ids: Iterable[int], pipe: Pipeline | None = None) -> None:
    """The invitations of one change: a single job that, in the worker, enqueues jobs of rows.

    The request that schedules a series creates one job instead of one per person (the coordinator is
    waiting); the worker spends the extra millisecond.
    """
    ids = list(invite_ids)
    if len(ids) <= INVITES_PER_JOB:
        enqueue_invites(ids, pipe)
        return
    job = Queue.prepare_data("worker.jobs.invites.enqueue_each", args=(ids,), job_id=f"invites-{ids[0]}-{ids[-1]}",
                             result_ttl=600)
    _mark_queued(ids, pipe)
    _enqueue_together(queue(MAIL), [job], pipe)


# Each prompt instant is handed to this many jobs: with two ``prompts`` workers (the Procfile's way), each
# takes one; whichever claims first posts, the other watches its claims and takes over within seconds if its
# worker dies (``worker.jobs.prompts``). A single worker runs both in turn, the second finding nothing to do.
PROMPT_JOB_COPIES = 2


def enqueue_prompt_job(job_id: str, instant_ms: int, redis: Redis) -> None:
    """Hand the prompts due at ``instant_ms`` to the workers (the scheduler does this just before the instant):
    :data:`PROMPT_JOB_COPIES` jobs in one round trip."""
    target = queue(PROMPTS, redis)
    jobs = [Queue.prepare_data("worker.jobs.prompts.post_due_prompts", args=(instant_ms,),
                               job_id=job_id if copy == 0 else f"{job_id}-{copy + 1}", result_ttl=600,
                               timeout=PROMPT_JOB_TIMEOUT, failure_ttl=24 * 3600)
            for copy in range(PROMPT_JOB_COPIES)]
    target.enqueue_many(jobs)


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
    """Send a new supervisor their personal link; retried on temporary failures, as a consent letter is."""
    from rq import Retry

    job = Queue.prepare_data("worker.jobs.practice.welcome_supervisor", args=(supervisor_id,),
                             job_id=supervisor_welcome_job_id(supervisor_id), result_ttl=3600,
                             retry=Retry(max=len(MAIL_RETRY_INTERVALS), interval=MAIL_RETRY_INTERVALS))
    _enqueue_together(queue(MAIL), [job], pipe)


def lost(job_ids: Iterable[str], redis: Redis | None = None) -> set[str]:
    """The jobs among these that Redis no longer has (lost with its data): the sweep enqueues them again. A job
    waiting for a retry is still there (``MAIL_RETRY_INTERVALS``)."""
    job_ids = list(job_ids)
    if not job_ids:
        return set()
    redis = redis or connection()
    with redis.pipeline(transaction=False) as pipe:
        for job_id in job_ids:
            pipe.exists(Job.key_for(job_id))
        return {job_id for job_id, found in zip(job_ids, pipe.execute()) if not found}


def supervisor_welcome_job_id(supervisor_id: int) -> str:
    return f"supervisor-welcome-{supervisor_id}"


def consent_letter_job_id(kind: str, person_id: int) -> str:
    return f"consent-{kind}-{person_id}"


def enqueue_consent_letter(kind: str, person_id: int, reminder: bool, pipe: Pipeline | None = None) -> None:
    """The welcome-and-consent e-mail (or a reminder) to one volunteer or member; retried on temporary failures.
    Its record stays an hour after it ran: what tells the sweep a letter was lost (``consent.letters_to_check``)."""
    from rq import Retry

    job = Queue.prepare_data("worker.jobs.consent.send_consent_letter", args=(kind, person_id, reminder),
                             job_id=consent_letter_job_id(kind, person_id), result_ttl=3600,
                             retry=Retry(max=len(MAIL_RETRY_INTERVALS), interval=MAIL_RETRY_INTERVALS))
    _enqueue_together(queue(MAIL), [job], pipe)
def enqueue_poll_letters(letter_ids: Iterable[int], pipe: Pipeline | None = None) -> None:
    """One job per poll e-mail (``worker.jobs.polls.send_poll_letter``); ids make a second enqueue harmless."""
    jobs = [Queue.prepare_data("worker.jobs.polls.send_poll_letter", args=(letter_id,),
                               job_id=f"poll-letter-{letter_id}", result_ttl=3600) for letter_id in letter_ids]
    _enqueue_together(queue(MAIL), jobs, pipe)
