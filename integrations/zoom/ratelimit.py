"""A request-rate limiter shared by every process through Redis (Zoom's limits are per account).

It spaces calls evenly — one every ``1 / (rate × HEADROOM)`` seconds, account-wide — with the generic cell rate
algorithm: Redis keeps the time the next call may go (the "theoretical arrival time"); each :meth:`RateLimiter.reserve`
takes that slot and moves it on by one interval, in one atomic script using Redis's own clock, so processes on
different machines agree. Even spacing keeps any one-second window at or under ``rate`` calls, which is how
Zoom counts (``X-RateLimit-Type: QPS``). The 5 % headroom absorbs jitter: a call that reaches Zoom up to ~50 ms
later than its slot (a new connection, a busy machine) cannot push ``rate + 1`` calls into one second.

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

# Calls are spaced for this share of the configured rate (see the module docstring).
HEADROOM = 0.95

_RESERVE = """
local now_t = redis.call('TIME')
local now = tonumber(now_t[1]) * 1000000 + tonumber(now_t[2])
local interval = tonumber(ARGV[1])
local max_wait = tonumber(ARGV[2])
local slot = tonumber(redis.call('GET', KEYS[1]) or '0')
local paused_until = tonumber(redis.call('GET', KEYS[2]) or '0')
if slot < now then slot = now end
if paused_until > slot then slot = paused_until end
local wait = slot - now
if wait > max_wait then return {0, wait} end
redis.call('SET', KEYS[1], slot + interval, 'PX', math.floor((wait + interval) / 1000) + 1000)
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
        self._keys = [f"zoom:rate:{name}:next", f"zoom:rate:{name}:paused"]
        self._interval_us = int(1_000_000 / (rate * HEADROOM))
        self._reserve = redis.register_script(_RESERVE)
        self._pause = redis.register_script(_PAUSE)
        # One reservation at a time per process. Slots are handed out one by one anyway (the script is atomic,
        # a round trip is well under a slot's interval), and threads reserving together would each take a Redis
        # connection of their own: a forked job opens them afresh, and each new one costs redis-py milliseconds
        # of CPU (it reads package metadata).
        self._lock = threading.Lock()

    def reserve(self, max_wait: float | None = None) -> float:
        """Take the next slot: seconds to wait before using it. Raises ZoomRateLimited if it is too far away."""
        limit = self.max_wait if max_wait is None else max_wait
        with self._lock:
            granted, wait_us = self._reserve(keys=self._keys, args=[self._interval_us, int(limit * 1_000_000)])
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
