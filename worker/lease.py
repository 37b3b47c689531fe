"""A leader lease in Redis: one scheduler releases jobs, the others stand by and take over within seconds.

The holder renews the lease well before it expires; a holder that dies stops renewing, and a standby's next
try (every ``ttl / 4``) wins once the key has expired. Renewal and release check the token, so a holder that
was paused past its lease (and replaced) cannot extend or drop the new holder's lease.
"""

from __future__ import annotations

import secrets

from redis import Redis

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class Lease:
    def __init__(self, redis: Redis, name: str, ttl: float = 3.0, holder: str | None = None):
        self.redis = redis
        self.key = f"entre_pairs:lease:{name}"
        self.ttl_ms = int(ttl * 1000)
        self.token = holder or secrets.token_hex(8)
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    def hold(self) -> bool:
        """Keep the lease if we hold it, take it if it is free; True when we hold it now."""
        if self._renew(keys=[self.key], args=[self.token, self.ttl_ms]):
            return True
        return bool(self.redis.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def release(self) -> None:
        self._release(keys=[self.key], args=[self.token])

    def holder(self) -> str | None:
        value = self.redis.get(self.key)
        return value.decode() if value else None
