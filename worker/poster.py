"""Posting a batch of claimed prompts into their meetings' chats, several at a time, in due order.

A rush-hour job holds hundreds of prompts. Each post waits for Zoom (~150 ms), so posting one after another
would cap a worker at a few posts a second; a small thread pool keeps enough posts in flight to fill the
account's shared rate limit, which does the pacing (``integrations.zoom.ratelimit``). Threads only talk to
Zoom; the job's own thread writes the outcomes to the database in small groups as they arrive, so a worker
killed mid-batch leaves little unrecorded (and that little is checked in the channel before any re-post).
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta

from integrations.zoom import (
    Zoom,
    ZoomAuthError,
    ZoomError,
    ZoomInvalidRequest,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomUnavailable,
)
from service.domain.clock import now_utc
from service.domain.posting import Outcome, PostResult, PromptToPost, backoff, retry_or_fail

log = logging.getLogger(__name__)

# Outcomes are written to the database at least this often while a batch is being posted (the console shows
# each prompt as posted within about this long)...
RECORD_EVERY_SECONDS = 0.5
# ...or as soon as this many are waiting.
RECORD_EVERY_COUNT = 100
# A re-post after an unknown outcome looks for the text in the channel this far before the prompt was due.
CHECK_WINDOW = timedelta(minutes=5)
# Retries due within this many seconds are waited for in the posting thread (the backoffs 0.1, 0.2, 0.4, 0.8 and
# 1.6 s: five more tries within the step's first four seconds); later ones go back to the timetable.
RETRY_IN_JOB_SECONDS = 2.0
# How often a job whose pool has idle threads looks for prompts fallen due since (``PromptPoster.post_all``)...
MORE_EVERY_SECONDS = 0.1
# ...once at least this many threads are idle (or all of them): a claim, and the outcomes written before it, cost
# a few statements, which one row at a time would spend on every post.
IDLE_BEFORE_MORE = 4


REASON_CLAIM_LOST = "claim_lost"


class _ClaimLost(Exception):
    """The job's claim lapsed before a post left: it must not leave."""


class PromptPoster:
    def __init__(self, zoom: Zoom, threads: int, still_ours: Callable[[], bool] = lambda: True,
                 before_send: Callable[[int], None] = lambda prompt_id: None):
        self.zoom = zoom
        self.threads = threads
        # Asked before every attempt, and again just before a post leaves (its slot in the rate limit may have
        # been a second away): False once the job's claims may have been handed to another job.
        self.still_ours = still_ours
        # Told just before a post of a row leaves (``worker.claims.note_attempt``): only those rows may have
        # reached Zoom, and a job taking this one's rows over looks in the channel for those alone.
        self.before_send = before_send

    def post_all(self, prompts: Sequence[PromptToPost], record: Callable[[list[PostResult]], None],
                 more: Callable[[int], Sequence[PromptToPost]] | None = None) -> list[PostResult]:
        """Post every prompt (in due order, as fast as the rate limit allows); ``record`` receives the outcomes
        in groups as they come. Returns them all.

        ``more(idle)``, asked every :data:`MORE_EVERY_SECONDS` while ``idle`` of the pool's threads have nothing
        to do: at most that many more prompts (claimed by the caller), posted by this pool too — the rest of a
        rush, a later instant's prompts fallen due meanwhile. Without it a job busy with a few retries held its
        worker while the next instant's prompts waited for one."""
        if not prompts and more is None:
            return []
        # Outcomes come back through a queue (not ``concurrent.futures.wait``, which walks every pending future
        # each time one finishes: quadratic in a rush of hundreds).
        arrived: queue.SimpleQueue[PostResult] = queue.SimpleQueue()
        results: list[PostResult] = []
        waiting: list[PostResult] = []
        threads = self.threads if more is not None else min(self.threads, len(prompts))
        submitted = len(prompts)

        def record_waiting() -> None:
            if waiting:
                batch = waiting[:]
                waiting.clear()
                record(batch)
                results.extend(batch)

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="post") as pool:
            for prompt in prompts:
                pool.submit(self._post_into, prompt, arrived)
            next_record = time.monotonic() + RECORD_EVERY_SECONDS
            next_more = time.monotonic() + MORE_EVERY_SECONDS
            while len(results) + len(waiting) < submitted:
                wake = next_record if more is None else min(next_record, next_more)
                try:
                    waiting.append(arrived.get(timeout=max(0.0, wake - time.monotonic())))
                except queue.Empty:
                    pass
                if more is not None and time.monotonic() >= next_more:
                    next_more = time.monotonic() + MORE_EVERY_SECONDS
                    idle = threads - (submitted - len(results) - len(waiting))
                    if idle >= min(IDLE_BEFORE_MORE, threads):
                        record_waiting()  # what is done is written first: a job holds only what it is posting
                        for prompt in more(idle):
                            pool.submit(self._post_into, prompt, arrived)
                            submitted += 1
                done = len(results) + len(waiting) == submitted
                if done or len(waiting) >= RECORD_EVERY_COUNT or time.monotonic() >= next_record:
                    record_waiting()
                if time.monotonic() >= next_record:
                    next_record = time.monotonic() + RECORD_EVERY_SECONDS
        return results

    def _post_into(self, prompt: PromptToPost, arrived: queue.SimpleQueue) -> None:
        arrived.put(self.post_one(prompt))

    def post_one(self, prompt: PromptToPost) -> PostResult:
        """Post one prompt; never raises (every failure becomes an outcome with its reason).

        A short retry (the first backoffs, up to ``RETRY_IN_JOB_SECONDS``) is waited for here, in this thread:
        going back through the timetable would cost a job (a fork, a claim) per retry. A longer one goes back
        to the timetable, the row ``pending`` with its ``next_attempt_at``.
        """
        attempts, check_first = prompt.attempts, prompt.needs_check

        def before_send() -> None:
            if not self.still_ours():
                raise _ClaimLost
            self.before_send(prompt.prompt_id)

        while True:
            if not self.still_ours():
                return self._claim_lost(prompt, attempts)
            try:
                result, outcome_unknown = self._attempt(prompt, attempts, check_first, before_send)
            except _ClaimLost:
                return self._claim_lost(prompt, attempts)
            result = replace(result, extra_attempts=attempts - prompt.attempts)
            if result.outcome is not Outcome.RETRY:
                return result
            wait = (result.retry_at - now_utc()).total_seconds()
            if wait > RETRY_IN_JOB_SECONDS:
                return result
            time.sleep(max(0.0, wait))
            attempts += 1
            check_first = check_first or outcome_unknown

    @staticmethod
    def _claim_lost(prompt: PromptToPost, attempts: int) -> PostResult:
        """Another job may be posting it now: hands off (the write only lands if the row is still this job's,
        and then puts it back to be checked and posted at once)."""
        return PostResult(prompt.prompt_id, prompt.session_id, Outcome.RETRY, reason=REASON_CLAIM_LOST,
                          retry_at=now_utc(), extra_attempts=attempts - prompt.attempts)

    def _attempt(self, prompt: PromptToPost, attempts: int, check_first: bool,
                 before_send: Callable[[], None]) -> tuple[PostResult, bool]:
        """One try: the outcome, and whether Zoom may have kept the message anyway (so look before re-posting).
        Raises :class:`_ClaimLost` if the job's claim lapsed while the post waited for its slot."""
        try:
            if check_first:
                found = self.zoom.chat.find(prompt.host_user, prompt.channel_id, prompt.text,
                                            since=prompt.due_at - CHECK_WINDOW)
                if found is not None:
                    log.info("prompt %s (session %s, %s) was already in the chat; not posting it again",
                             prompt.prompt_id, prompt.session_id, prompt.step_key)
                    return self._posted(prompt, found), False
            message_id = self.zoom.post_chat_message(prompt.host_user, prompt.channel_id, prompt.text, before_send)
            return self._posted(prompt, message_id), False
        except _ClaimLost:
            raise
        except ZoomRateLimited as error:  # refused before anything was kept
            reason = "zoom_daily_limit" if error.daily else "zoom_rate_limited"
            return self._retry(prompt, attempts, reason, error, error.retry_after), False
        except ZoomUnavailable as error:  # a timeout, a 500, 502 or 504: the message may have gone through
            return self._retry(prompt, attempts, "zoom_unavailable", error), error.may_have_taken_effect
        except ZoomAuthError as error:
            return self._retry(prompt, attempts, "zoom_auth", error), False
        except ZoomNotFound as error:
            return self._fail(prompt, "zoom_channel_not_found", error), False
        except ZoomInvalidRequest as error:
            return self._fail(prompt, f"zoom_refused:{error.code or error.status or ''}", error), False
        except ZoomError as error:
            if error.transient:
                return self._retry(prompt, attempts, "zoom_error", error), True
            return self._fail(prompt, f"zoom_error:{error.status or ''}", error), False
        except Exception:  # a bug must not lose the prompt: it is retried (and checked first) while still useful
            log.exception("unexpected error posting prompt %s of session %s", prompt.prompt_id, prompt.session_id)
            return self._retry(prompt, attempts, "unexpected_error", None), True

    @staticmethod
    def _posted(prompt: PromptToPost, message_id: str) -> PostResult:
        return PostResult(prompt.prompt_id, prompt.session_id, Outcome.POSTED, message_id=message_id,
                          posted_at=now_utc())

    def _retry(self, prompt: PromptToPost, attempts: int, reason: str, error: Exception | None,
               retry_after: float | None = None) -> PostResult:
        result = retry_or_fail(prompt.prompt_id, prompt.session_id, prompt.expires_at, now_utc(), reason,
                               backoff(attempts, retry_after))
        if result.outcome is Outcome.RETRY:
            log.info("prompt %s (session %s, %s) not posted yet (%s: %s); next try at %s", prompt.prompt_id,
                     prompt.session_id, prompt.step_key, reason, error, result.retry_at.isoformat())
        else:
            log.warning("prompt %s (session %s, %s) NOT posted: %s (%s) and its step ends too soon to retry",
                        prompt.prompt_id, prompt.session_id, prompt.step_key, reason, error)
        return result

    def _fail(self, prompt: PromptToPost, reason: str, error: Exception) -> PostResult:
        log.warning("prompt %s (session %s, %s) NOT posted: %s (%s)", prompt.prompt_id, prompt.session_id,
                    prompt.step_key, reason, error)
        return PostResult(prompt.prompt_id, prompt.session_id, Outcome.FAILED, reason=reason[:200])
