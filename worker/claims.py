"""Who holds claimed prompt rows, and whether they are still alive.

Each prompt job run is a *claimer* with a unique name; while it runs, a background thread keeps a short-lived
Redis key for it alive. A claimer whose key has expired is dead (killed, its machine gone): the sweep gives its
rows back. RQ's own worker registry is no use here: a killed worker stays registered for minutes.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterable

from redis import Redis
from redis.exceptions import RedisError

# A claimer is dead once its key is this old; it is refreshed every quarter of that (a live claimer stops acting
# after two missed beats, and looks dead to the others after three). Short, so that a live worker takes a dead
# one's rows over within about two seconds (measured: 2.0 s gave a p99 of 7.3-8.9 s in the faults benchmark,
# 1.5 s 6.0-7.7 s).
HEARTBEAT_TTL_SECONDS = 1.5


def _key(claimer: str) -> str:
    return f"entre_pairs:claimer:{claimer}"


def new_claimer_name() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


# A claimer stops acting on its rows this long before its key could have expired (see :meth:`Heartbeat.alive`).
FENCE_MARGIN_SECONDS = 0.5


class Heartbeat:
    """``with Heartbeat(redis) as claimer:`` — the name to claim rows with, alive while the block runs.

    Before each effect (a post, an e-mail) the holder asks :meth:`alive`: a heartbeat whose key may have
    expired — its thread starved on a loaded machine, Redis unreachable — must not act any more, since another
    worker may already be taking its rows over. The key is only ever renewed while it still exists, so a
    claimer declared dead stays dead.
    """

    def __init__(self, redis: Redis, name: str | None = None):
        self.redis = redis
        self.name = name or new_claimer_name()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="claim-heartbeat", daemon=True)
        self._renewed_at = 0.0
        self._lost = False

    def __enter__(self) -> str:
        started = time.monotonic()
        with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(_key(self.name), 1, px=int(HEARTBEAT_TTL_SECONDS * 1000))
            pipe.sadd(_attempts_key(self.name), _OPENED)  # see attempted_by
            pipe.expire(_attempts_key(self.name), ATTEMPTS_KEPT_SECONDS)
            pipe.execute()
        self._renewed_at = started
        self._thread.start()
        return self.name

    def alive(self) -> bool:
        """May this claimer still act on its rows? (Its key surely has not expired yet.)"""
        return not self._lost and time.monotonic() - self._renewed_at < HEARTBEAT_TTL_SECONDS - FENCE_MARGIN_SECONDS

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        try:
            self.redis.delete(_key(self.name))
        except RedisError:
            pass

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_TTL_SECONDS / 4):
            started = time.monotonic()
            try:
                renewed = self.redis.set(_key(self.name), 1, xx=True, px=int(HEARTBEAT_TTL_SECONDS * 1000))
            except RedisError:  # Redis restarting: the next beat tries again; the claim is released if it stays down
                continue
            if not renewed:  # expired: others may be taking the rows over; this claimer is dead for good
                self._lost = True
                return
            self._renewed_at = started


def dead_claimers(redis: Redis, claimers: Iterable[str]) -> set[str]:
    names = sorted(set(claimers))
    if not names:
        return set()
    with redis.pipeline(transaction=False) as pipe:
        for name in names:
            pipe.exists(_key(name))
        alive = pipe.execute()
    return {name for name, exists in zip(names, alive) if not exists}


def _attempts_key(claimer: str) -> str:
    return f"entre_pairs:attempted:{claimer}"


# A claimer's record of its attempts is kept this long after its last one: its rows are released within seconds
# of its heartbeat stopping (or at the next sweep), so this only has to outlive that.
ATTEMPTS_KEPT_SECONDS = 600
# Put in the record when the claimer starts: a record without it was lost (Redis restarted empty, or the record
# expired), and then nobody can say which rows were tried.
_OPENED = "opened"


def note_attempt(redis: Redis, claimer: str, row_id: int) -> None:
    """Say, just before acting on a row (a post leaving), that this claimer is about to: a job taking its rows
    over after its death needs to check only these (the others surely had no effect)."""
    with redis.pipeline(transaction=False) as pipe:
        pipe.sadd(_attempts_key(claimer), row_id)
        pipe.expire(_attempts_key(claimer), ATTEMPTS_KEPT_SECONDS)
        pipe.execute()


def attempted_by(redis: Redis, claimers: Iterable[str]) -> set[int] | None:
    """The rows these claimers were about to act on, or None if Redis cannot say (then check them all)."""
    try:
        with redis.pipeline(transaction=False) as pipe:
            for claimer in claimers:
                pipe.smembers(_attempts_key(claimer))
            records = pipe.execute()
    except RedisError:
        return None
    opened = _OPENED.encode()
    if any(opened not in record for record in records):
        return None
    return {int(member) for record in records for member in record if member != opened}
