"""The prompt job: post every prompt due at one instant (``worker.timetable``), at that instant.

The scheduler enqueues it a little ahead (``PROMPT_RELEASE_LEAD_SECONDS``) so that picking it up, forking and
connecting are done by then; the job waits for the exact instant, claims the due rows (``service.domain.posting``),
posts them (``worker.poster``) and records each outcome as it comes; a longer retry goes back on the timetable.

Each instant has two such jobs (``worker.queues.PROMPT_JOB_COPIES``), so with two ``prompts`` workers both are
there at the instant. A job claims rows only as its threads free up (``PROMPT_POST_THREADS``), oldest due first,
so both jobs post the rush and whatever is still waiting goes to the first free thread of either. Each, once
done, **watches** the rows of that instant still claimed by another job: as soon as that job's heartbeat stops
(its worker was killed: ``worker.claims``, 1.5 s), the rows go back to pending and the free threads take them —
those the dead job had sent a post for are checked in the channel first, since Zoom may have kept them. The periodic
sweep remains the backstop.

A job also posts the prompts of **later instants** that fall due while it still runs (posting its last retries,
or watching), as soon as a thread of its pool is idle: with two workers, two jobs each held by a few retries of
their rush used to leave the next instant's jobs waiting for a worker (seconds of lateness under faults). The
claim stays atomic and only takes rows already due, so nothing goes early or twice; the later instant's own
jobs find the rows claimed and watch them.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from flask import current_app
from sqlalchemy import select

from integrations.zoom import ZoomError, zoom_from_settings
from service.domain import posting
from service.extensions import current_settings, db
from worker.claims import Heartbeat, attempted_by, dead_claimers, note_attempt
from worker.poster import PromptPoster
from worker.timetable import Timetable

log = logging.getLogger(__name__)

# How long a job keeps watching another job's claims of its instant (a rush of hundreds posts within seconds; a
# watch that outlasts this leaves the rest to the sweep), and how often it looks.
WATCH_SECONDS = 30.0
WATCH_POLL_SECONDS = 0.25


def post_due_prompts(instant_ms: int) -> dict[str, int]:
    cpu_at_start = time.process_time()
    instant = datetime.fromtimestamp(instant_ms / 1000, timezone.utc)
    settings = current_settings()
    redis = current_app.extensions["redis"]
    zoom = zoom_from_settings(settings, redis)
    _warm_up(zoom)  # during the lead, so that nothing but the posts themselves happens after the instant
    delay = instant_ms / 1000 - time.time()
    if delay > 0:
        time.sleep(delay)
    results = []
    threads = settings.PROMPT_POST_THREADS
    heartbeat = Heartbeat(redis)
    with heartbeat as claimer:
        poster = PromptPoster(zoom, threads, still_ours=heartbeat.alive,
                              before_send=lambda prompt_id: note_attempt(redis, claimer, prompt_id))
        timetable = Timetable(redis)

        def record(batch):
            posting.record(batch, claimer)
            # At once, not when the whole batch is done: a rush can take longer than a retry's wait.
            timetable.add(r.retry_at for r in batch if r.outcome is posting.Outcome.RETRY)

        watch_until = time.monotonic() + WATCH_SECONDS
        looked_at = [time.monotonic()]  # when the other claimers' heartbeats were last looked at

        def fallen_due(room: int) -> list:
            """Up to ``room`` rows (the pool's idle threads) due by now, oldest first: this instant's, an earlier
            one's still waiting, a later one's whose own job may be waiting for a worker, and the rows of a job
            that died — released as soon as its heartbeat stops (looked for every ``WATCH_POLL_SECONDS``)."""
            if room <= 0 or time.monotonic() >= watch_until or not heartbeat.alive():
                return []
            now = datetime.now(timezone.utc)
            if time.monotonic() - looked_at[0] >= WATCH_POLL_SECONDS:
                looked_at[0] = time.monotonic()
                _release_the_dead(now, claimer, redis)
            return posting.claim_due(now, claimer, limit=room)

        # Rows are claimed as threads free up, never more: what a job holds is what it is posting, so the rows
        # still waiting go to whichever job has a thread free, oldest first (a job that hoarded a rush would
        # post it at half speed while the other job went on to the next instant), and a job that dies holds
        # only what it was posting.
        results += poster.post_all(posting.claim_due(instant, claimer, limit=threads), record, more=fallen_due)
        while time.monotonic() < watch_until and heartbeat.alive():
            newly_due = fallen_due(threads)
            if newly_due:
                results += poster.post_all(newly_due, record, more=fallen_due)
                continue
            others = posting.claimers_until(instant, claimer)
            db.session.commit()  # no transaction stays open while watching
            if not others:
                break
            time.sleep(WATCH_POLL_SECONDS)
    if not results:
        return {"posted": 0}
    counts = {outcome.value: 0 for outcome in posting.Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    log.info("prompts due at %s: %s (%.3f CPU-s)", instant.isoformat(timespec="milliseconds"), counts,
             time.process_time() - cpu_at_start)
    return counts


def _release_the_dead(until: datetime, claimer: str, redis) -> None:
    """Give back the rows due by ``until`` that jobs whose heartbeat stopped still hold; the rows they had
    sent a post for are checked in their channel before any re-post (``posting.release_claims``)."""
    dead = dead_claimers(redis, posting.claimers_until(until, claimer))
    if not dead:
        return
    attempted = attempted_by(redis, dead)
    released = posting.release_claims(dead, attempted)
    log.warning("prompts due by %s: released %s row(s) of a job that died (%s sent by it, checked first)",
                until.isoformat(), len(released),
                len(released) if attempted is None else len(set(released) & attempted))


def _warm_up(zoom) -> None:
    """Open the database connection and have the Zoom token at hand (a forked job starts with neither)."""
    db.session.execute(select(1))
    db.session.commit()
    try:
        zoom.tokens.token()
    except ZoomError as error:  # the posts will meet it again and record it
        log.warning("could not get a Zoom token ahead of the prompts: %s", error)
