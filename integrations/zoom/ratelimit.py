"""A request-rate limiter shared by every process through Redis (Zoom's limits are per account).

It is a sliding window: at most ``rate`` calls in any window of ``1 / HEADROOM`` seconds (1.05 s), account-wide.
Redis keeps the last ``rate`` slots handed out; each :meth:`RateLimiter.reserve` takes the next one — no earlier
than now, the newest slot, and the oldest kept slot plus the window — in one atomic script using Redis's own clock,
so processes on different machines agree. Zoom counts calls per second (``X-RateLimit-Type: QPS``); a call reaches
Zoom some time after its slot, and as long as that delay varies by less than the window's extra 50 ms (a new
connection, a busy machine), the calls of any one of Zoom's seconds took their slots within one window: never
``rate + 1`` of them.

Why a window and not even spacing (one call every ``1 / (rate × HEADROOM)`` seconds, which it replaced): both give
the same 57 calls a second when the account is busy, but even spacing throws away the budget of a quiet moment —
after a 429's pause, or when a rush starts, the calls still went out one every 17.5 ms. The window lets them go
at once, as far as the second allows (``bench/prompt_punctuality --faults``: p99 lateness 3.3–5.0 s instead
of 4.4–5.8 s).

A caller that gets a slot a little in the future sleeps until it (:meth:`RateLimiter.wait_for_slot`); a slot
further away than ``max_wait`` is not taken and :class:`~integrations.zoom.exceptions.ZoomRateLimited` is raised
with the time to wait, so a job can be rescheduled instead of holding a worker. When Zoom answers 429 anyway,
:meth:`RateLimiter.pause` holds every process back until its ``Retry-After``: no slot is handed out before it
ends. A call that took its slot before the 429 was known still goes, as a call already in flight does (holding
those back too was measured: half a second more of lateness per 429 in ``bench/prompt_punctuality --faults``).
"""

from __future__ import annotations

import threading
import time

from redis import Redis

from integrations.zoom.exceptions import ZoomRateLimited

# The window is 1 / HEADROOM seconds: the configured rate, less 5 %, when the account is busy (see above).
HEADROOM = 0.95

# KEYS[1]: the slots handed out last (newest first, at most ARGV[2] of them); KEYS[2]: the end of a 429's pause.
# A new slot is no earlier than now, the pause's end, the newest slot (slots stay in order) and the ``count``-th
# newest slot plus the window: so any window of that length holds at most ``count`` slots.
_RESERVE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
local window = tonumber(ARGV[1])
local count = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local slot = now
local newest = tonumber(redis.call('LINDEX', KEYS[1], 0) or '0')
if newest > slot then slot = newest end
local oldest = redis.call('LINDEX', KEYS[1], count - 1)
if oldest and tonumber(oldest) + window > slot then slot = tonumber(oldest) + window end
local paused_until = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused_until > slot then slot = paused_until end
local wait = slot - now
if wait > max_wait then return {0, wait} end
redis.call('LPUSH', KEYS[1], slot)
redis.call('LTRIM', KEYS[1], 0, count - 1)
redis.call('PEXPIRE', KEYS[1], math.floor((wait + window) / 1000) + 1000)
return {1, wait}
"""

_PAUSE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
local until_us = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_us > current then
  redis.call('SET', KEYS[1], until_us, 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 1000)
end
return until_us
"""


class RateLimiter:
    """``rate`` calls per second across every process sharing ``redis`` and ``name``."""

    def __init__(self, redis: Redis, name: str, rate: float, max_wait: float = 1.0):
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.name = name
        self.rate = rate
        self.max_wait = max_wait
        self._keys = [f"zoom:rate:{name}:slots", f"zoom:rate:{name}:paused"]
        # ``rate`` calls per window of 1 / HEADROOM seconds (see the module docstring).
        self._count = max(1, int(rate))
        self._window_us = int(1_000_000 * self._count / (rate * HEADROOM))
        self._reserve = redis.register_script(_RESERVE)
        self._pause = redis.register_script(_PAUSE)
        # One reservation at a time per process. Slots are handed out one by one anyway (the script is atomic
        # and takes well under a millisecond), and threads reserving together would each take a Redis
        # connection of their own: a forked job opens them afresh, and each new one costs redis-py milliseconds
        # of CPU (it reads package metadata).
        self._lock = threading.Lock()

    def reserve(self, max_wait: float | None = None) -> float:
        """Take the next slot: seconds to wait before using it. Raises ZoomRateLimited if it is too far away."""
        limit = self.max_wait if max_wait is None else max_wait
        with self._lock:
            granted, wait_us = self._reserve(keys=self._keys,
                                             args=[self._window_us, self._count, int(limit * 1_000_000)])
        wait = wait_us / 1_000_000
        if not granted:
            raise ZoomRateLimited(f"the shared {self.name} rate limit has no free slot for {wait:.2f} s",
                                  retry_after=wait, status=None)
        return wait

    def wait_for_slot(self, max_wait: float | None = None) -> float:
        """Reserve a slot and sleep until it; returns the seconds slept."""
        wait = self.reserve(max_wait)
        if wait > 0:
            time.sleep(wait)
        return wait

    def pause(self, seconds: float) -> None:
        """Zoom said 429: nobody sends for ``seconds``."""
        if seconds > 0:
            self._pause(keys=[self._keys[1]], args=[int(seconds * 1_000_000)])
