"""The prompt job: post every prompt due at one instant (``worker.timetable``), at that instant.

The scheduler enqueues it a little ahead (``PROMPT_RELEASE_LEAD_SECONDS``) so that picking it up, forking and
connecting are done by then; the job waits for the exact instant, claims the due rows (``service.domain.posting``),
posts them (``worker.poster``) and records each outcome. A retry goes back on the timetable.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from flask import current_app

from integrations.zoom import zoom_from_settings
from service.domain import posting
from service.extensions import current_settings
from worker.claims import Heartbeat
from worker.poster import PromptPoster
from worker.timetable import Timetable

log = logging.getLogger(__name__)


def post_due_prompts(instant_ms: int) -> dict[str, int]:
    delay = instant_ms / 1000 - time.time()
    if delay > 0:
        time.sleep(delay)
    cpu_at_start = time.process_time()
    instant = datetime.fromtimestamp(instant_ms / 1000, timezone.utc)
    settings = current_settings()
    redis = current_app.extensions["redis"]
    with Heartbeat(redis) as claimer:
        prompts = posting.claim_due(instant, claimer)
        if not prompts:
            return {"posted": 0}
        poster = PromptPoster(zoom_from_settings(settings, redis), settings.PROMPT_POST_THREADS)
        retries = []

        def record(results):
            posting.record(results, claimer)
            retries.extend(r.retry_at for r in results if r.outcome is posting.Outcome.RETRY)

        results = poster.post_all(prompts, record)
    if retries:
        Timetable(redis).add(retries)
    counts = {outcome.value: 0 for outcome in posting.Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    log.info("prompts due at %s: %s (%.3f CPU-s)", instant.isoformat(timespec="milliseconds"), counts,
             time.process_time() - cpu_at_start)
    return counts
