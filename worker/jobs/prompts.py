"""The prompt job: post every prompt due at one instant (``worker.timetable``), at that instant.

The scheduler enqueues it a little ahead (``PROMPT_RELEASE_LEAD_SECONDS``) so that picking it up, forking and
connecting are done by then; the job waits for the exact instant, claims the due rows (``service.domain.posting``),
posts them (``worker.poster``) and records each outcome as it comes; a longer retry goes back on the timetable.

Each instant has two such jobs (``worker.queues.PROMPT_JOB_COPIES``), so with two ``prompts`` workers both are
there at the instant. They claim the rows a pool's worth (``PROMPT_POST_THREADS``) at a time, more as their
threads free up, so both post the rush; each, once done, **watches**
the rows of that instant still claimed by another job: as soon as that job's heartbeat stops (its worker was
killed: ``worker.claims``, 1.5 s), the watcher releases those rows and posts them itself — checked in the
channel first, since the dead job may have posted some. The periodic sweep remains the backstop.

A job also posts the prompts of **later instants** that fall due while it still runs (posting its last retries,
or watching), as soon as a thread of its pool is idle: with two workers, two jobs each held by a few retries of
their rush used to leave the next instant's jobs waiting for a worker (seconds of lateness under faults). The
claim stays atomic and only takes rows already due, so nothing goes early or twice; the later instant's own
jobs find the rows claimed and watch them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
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
    heartbeat = Heartbeat(redis)
    with heartbeat as claimer:
        poster = PromptPoster(zoom, settings.PROMPT_POST_THREADS, still_ours=heartbeat.alive,
                              before_attempt=lambda prompt_id: note_attempt(redis, claimer, prompt_id))
        timetable = Timetable(redis)

        def record(batch):
            posting.record(batch, claimer)
            # At once, not when the whole batch is done: a rush can take longer than a retry's wait.
            timetable.add(r.retry_at for r in batch if r.outcome is posting.Outcome.RETRY)

        watch_until = time.monotonic() + WATCH_SECONDS
        looked_at = [time.monotonic()]  # when the other claimers' heartbeats were last looked at

        def fallen_due():
            """While posting: the rows of a job that died (looked for every ``WATCH_POLL_SECONDS``; a busy job
            used to look only once its own posting was over), then rows of later instants due by now (their own
            jobs may be waiting for a worker this one holds)."""
            if time.monotonic() >= watch_until or not heartbeat.alive():
                return []
            now = datetime.now(timezone.utc)
            taken = []
            if time.monotonic() - looked_at[0] >= WATCH_POLL_SECONDS:
                looked_at[0] = time.monotonic()
                others = posting.claimers_until(now, claimer)
                taken = _take_over(now, claimer, dead_claimers(redis, others), redis) if others else []
            return taken + posting.claim_due(now, claimer, limit=chunk)

        # Rows are claimed a pool's worth at a time, more as threads free up: the two jobs of an instant share
        # its rush, and a job that dies holds only what it was posting (the rest goes on without waiting for the
        # takeover).
        chunk = settings.PROMPT_POST_THREADS
        results += poster.post_all(posting.claim_due(instant, claimer, limit=chunk), record, more=fallen_due)
        while time.monotonic() < watch_until and heartbeat.alive():
            others = posting.claimers_until(instant, claimer)
            db.session.commit()  # no transaction stays open while watching
            if not others:
                break
            newly_due = _take_over(instant, claimer, dead_claimers(redis, others), redis) or fallen_due()
            if newly_due:
                results += poster.post_all(newly_due, record, more=fallen_due)
            else:
                time.sleep(WATCH_POLL_SECONDS)
    if not results:
        return {"posted": 0}
    counts = {outcome.value: 0 for outcome in posting.Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    log.info("prompts due at %s: %s (%.3f CPU-s)", instant.isoformat(timespec="milliseconds"), counts,
             time.process_time() - cpu_at_start)
    return counts


def _take_over(until: datetime, claimer: str, dead: set[str], redis) -> list:
    """Release the rows these dead claimers held and claim every row due by ``until``: those the dead job had
    not started on go at once, the others are looked for in their channel first."""
    if not dead:
        return []
    released = set(posting.release_claims(dead))
    tried = attempted_by(redis, dead)
    taken = [replace(p, never_tried=True) if tried is not None and p.prompt_id in released
             and p.prompt_id not in tried and p.attempts == 2 else p
             for p in posting.claim_due(until, claimer)]
    log.warning("prompts due by %s: took over %s row(s) of a job that died (%s never tried by it)",
                until.isoformat(), len(released), sum(p.never_tried for p in taken))
    return taken


def _warm_up(zoom) -> None:
    """Open the database connection and have the Zoom token at hand (a forked job starts with neither)."""
    db.session.execute(select(1))
    db.session.commit()
    try:
        zoom.tokens.token()
    except ZoomError as error:  # the posts will meet it again and record it
        log.warning("could not get a Zoom token ahead of the prompts: %s", error)
