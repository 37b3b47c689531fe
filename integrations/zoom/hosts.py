"""The host pool: licensed Zoom users (``ZOOM_HOSTS``) over which meetings are spread.

Two Zoom facts shape it:

- a host user may make at most 100 meeting create/update calls per day (``ZOOM_HOST_DAILY_LIMIT``), reset at
  00:00 UTC. :class:`HostPool` counts each host's calls of the UTC day in Redis (shared by every process) and
  :meth:`HostPool.spend` refuses a call that would go over, before Zoom does; a daily 429 from Zoom marks the
  host as spent for the day (:meth:`HostPool.exhaust`);
- a licensed user hosts one meeting at a time (``ZOOM_HOST_CONCURRENCY``, default 1), and meetings need a gap
  between them for overruns (``ZOOM_HOST_BUFFER_MINUTES``). :func:`pick_host` finds a host whose booked time
  leaves room for every occurrence of a new meeting; the caller (``service.domain.meetings``) knows the bookings
  (the database) and holds :meth:`HostPool.assignment_lock` while it chooses and records the choice, so two
  workers never give one host two overlapping meetings.

When no host has room the meeting waits (``service.domain.meetings`` records why) and is tried again later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from redis import Redis
from redis.lock import Lock

from integrations.zoom.http import seconds_until_utc_midnight

ZOOM_DAILY_MEETING_CALLS = 100
ASSIGNMENT_LOCK_SECONDS = 30


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


def padded(intervals: Iterable[Interval], buffer: timedelta) -> list[Interval]:
    """Each interval widened by ``buffer`` on both sides (half the gap belongs to each meeting)."""
    half = buffer / 2
    return [Interval(i.start - half, i.end + half) for i in intervals]


def peak_overlap(window: Interval, booked: Sequence[Interval]) -> int:
    """The most booked intervals running at the same moment inside ``window``."""
    events = []
    for interval in booked:
        if interval.overlaps(window):
            events.append((max(interval.start, window.start), 1))
            events.append((min(interval.end, window.end), -1))
    events.sort(key=lambda event: (event[0], event[1]))  # an end before a start at the same instant
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def host_has_room(wanted: Sequence[Interval], booked: Sequence[Interval], concurrency: int,
                  buffer: timedelta) -> bool:
    booked = padded(booked, buffer)
    return all(peak_overlap(window, booked) < concurrency for window in padded(wanted, buffer))


def pick_host(hosts: Sequence[str], wanted: Sequence[Interval], booked: Mapping[str, Sequence[Interval]],
              concurrency: int, buffer: timedelta, usable: Iterable[str] | None = None) -> str | None:
    """The least-booked host (among ``usable``) with room for every interval of ``wanted``; None if none."""
    allowed = set(hosts if usable is None else usable)
    candidates = [h for h in hosts if h in allowed and host_has_room(wanted, booked.get(h, ()), concurrency, buffer)]
    if not candidates:
        return None
    return min(candidates, key=lambda h: (len(booked.get(h, ())), hosts.index(h)))


class HostPool:
    """Daily quota bookkeeping for the configured host users (see the module docstring)."""

    def __init__(self, hosts: Sequence[str], redis: Redis, daily_limit: int = ZOOM_DAILY_MEETING_CALLS):
        self.hosts = tuple(hosts)
        self.redis = redis
        self.daily_limit = daily_limit

    @staticmethod
    def _key(host: str, now: datetime | None = None) -> str:
        day = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).date().isoformat()
        return f"zoom:host-calls:{day}:{host.lower()}"

    def calls_today(self, host: str) -> int:
        return int(self.redis.get(self._key(host)) or 0)

    def has_quota(self, host: str, calls: int = 1) -> bool:
        return self.calls_today(host) + calls <= self.daily_limit

    def with_quota(self, calls: int = 1) -> list[str]:
        return [host for host in self.hosts if self.has_quota(host, calls)]

    def spend(self, host: str, calls: int = 1) -> bool:
        """Count ``calls`` create/update calls for today; False (and nothing counted) if that would go over."""
        key = self._key(host)
        pipe = self.redis.pipeline()
        pipe.incrby(key, calls)
        pipe.expire(key, int(seconds_until_utc_midnight()) + 3600)
        used, _ = pipe.execute()
        if used > self.daily_limit:
            self.redis.decrby(key, calls)
            return False
        return True

    def exhaust(self, host: str) -> None:
        """Zoom said this host's daily quota is spent: use no more of it today."""
        key = self._key(host)
        self.redis.set(key, self.daily_limit, ex=int(seconds_until_utc_midnight()) + 3600)

    def assignment_lock(self) -> Lock:
        return self.redis.lock("zoom:host-assignment", timeout=ASSIGNMENT_LOCK_SECONDS, blocking_timeout=10)

    @staticmethod
    def quota_resets_at(now: datetime | None = None) -> datetime:
        now = now or datetime.now(timezone.utc)
        return now + timedelta(seconds=seconds_until_utc_midnight(now))
