"""The prompt job: post every prompt due at one instant (``worker.timetable``), at that instant.

The scheduler enqueues it a little ahead (``PROMPT_RELEASE_LEAD_SECONDS``) so that picking it up, forking and
connecting are done by then; the job waits for the exact instant, claims the due rows (``service.domain.posting``),
posts them (``worker.poster``) and records each outcome as it comes; a longer retry goes back on the timetable.
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
from worker.claims import Heartbeat
from worker.poster import PromptPoster
from worker.timetable import Timetable

log = logging.getLogger(__name__)


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
    with Heartbeat(redis) as claimer:
        prompts = posting.claim_due(instant, claimer)
        if not prompts:
            return {"posted": 0}
        poster = PromptPoster(zoom, settings.PROMPT_POST_THREADS)
        timetable = Timetable(redis)

        def record(results):
            posting.record(results, claimer)
            # At once, not when the whole batch is done: a rush can take longer than a retry's wait.
            timetable.add(r.retry_at for r in results if r.outcome is posting.Outcome.RETRY)

        results = poster.post_all(prompts, record)
    counts = {outcome.value: 0 for outcome in posting.Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    log.info("prompts due at %s: %s (%.3f CPU-s)", instant.isoformat(timespec="milliseconds"), counts,
             time.process_time() - cpu_at_start)
    return counts


def _warm_up(zoom) -> None:
    """Open the database connection and have the Zoom token at hand (a forked job starts with neither)."""
    db.session.execute(select(1))
    db.session.commit()
    try:
        zoom.tokens.token()
    except ZoomError as error:  # the posts will meet it again and record it
        log.warning("could not get a Zoom token ahead of the prompts: %s", error)
