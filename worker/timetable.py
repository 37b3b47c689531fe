"""The prompt timetable: when each prompt job must start, to the millisecond, kept in Redis.

One sorted set: member ``prompts-at-<epoch ms>`` (also the RQ job id, so the same instant is never two jobs),
score the instant in epoch seconds. Every prompt due at the same instant — twenty groups starting at 19:00 —
shares one job, which posts them together under the shared rate limit.

Why not RQ's own scheduled-job registry: it keeps whole seconds and its scheduler ticks once a second, so a
job can start up to ~1 s late (see ``../shared/notes/rq.md``). Our scheduler process (``worker.scheduler``)
reads this set every few milliseconds and enqueues the RQ job a little ahead of its instant.

Redis is not the truth: the prompt rows are. A timetable lost with Redis's data is rebuilt from the rows by the
sweep (``worker.jobs.sweep``), and a job that runs twice, or for an instant whose prompts moved, finds nothing
left to claim.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from redis import Redis
from redis.client import Pipeline

KEY = "entre_pairs:prompt_timetable"
JOB_PREFIX = "prompts-at-"

# Takes (and removes) every entry due by ARGV[1], at most ARGV[2] of them, earliest first, atomically: two
# schedulers (a leader losing its lease while the next one starts) can never both release the same entry.
_TAKE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #due, 2 do redis.call('ZREM', KEYS[1], due[i]) end
return due
"""


def to_ms(instant: datetime) -> int:
    """Whole milliseconds, rounded up: a job never starts before what it posts is due."""
    return math.ceil(round(instant.timestamp() * 1_000_000) / 1000)


def job_id(instant: datetime) -> str:
    return f"{JOB_PREFIX}{to_ms(instant)}"


def instant_ms(job: str) -> int:
    return int(job[len(JOB_PREFIX):])


def _entries(instants: Iterable[datetime]) -> dict[str, float]:
    return {job_id(instant): to_ms(instant) / 1000 for instant in instants}


class Timetable:
    def __init__(self, redis: Redis):
        self.redis = redis
        self._take_due = redis.register_script(_TAKE_DUE)

    def add(self, instants: Iterable[datetime]) -> int:
        """Put these instants on the timetable (an instant already there stays once)."""
        entries = _entries(instants)
        return int(self.redis.zadd(KEY, entries)) if entries else 0

    @staticmethod
    def add_to(pipe: Pipeline, instants: Iterable[datetime]) -> None:
        """:meth:`add`, written into a pipeline the caller executes (the commit's own, ``service.effects``)."""
        entries = _entries(instants)
        if entries:
            pipe.zadd(KEY, entries)

    def take_due(self, until: float, limit: int = 200) -> list[tuple[str, float]]:
        """Remove and return the entries due by ``until`` (epoch seconds): ``(job id, instant)``, earliest first."""
        flat = self._take_due(keys=[KEY], args=[until, limit])
        return [(flat[i].decode(), float(flat[i + 1])) for i in range(0, len(flat), 2)]

    def next_instant(self) -> float | None:
        first = self.redis.zrange(KEY, 0, 0, withscores=True)
        return float(first[0][1]) if first else None

    def __len__(self) -> int:
        return int(self.redis.zcard(KEY))
