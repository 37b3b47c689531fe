"""Server-to-Server OAuth: one access token shared by every web and worker process.

Zoom's ``account_credentials`` grant gives a bearer token valid for an hour, with no refresh token: a new one is
fetched before the old one expires. Fetching is slow (a round trip to Zoom) and Zoom limits it, so:

- each process keeps the token in memory (the hot path — posting a chat message — costs one clock read);
- Redis holds the token all processes share, under a key derived from the credentials (never the secret itself);
- when it must be fetched, one process takes a Redis lock and fetches it while the others wait for it to appear
  (no stampede); a process that cannot get the lock in time fetches on its own rather than fail;
- after a 401 the caller :meth:`TokenSource.invalidate` s the token it used (only that one: a fresh token another
  process just stored is kept), and the next :meth:`TokenSource.token` fetches a new one.

The token is fetched with authlib's OAuth2 client (HTTP Basic client id and secret, form body
``grant_type=account_credentials&account_id=…``), every request with a timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc6749 import OAuth2Error
from redis import Redis
from redis.exceptions import RedisError

from integrations.zoom.exceptions import ZoomAuthError, ZoomError, ZoomUnavailable
from integrations.zoom.http import error_from_response

log = logging.getLogger(__name__)

# A token is replaced this long before it expires (at most), so no request carries a token about to die.
REFRESH_MARGIN_SECONDS = 300.0
# Whoever fetches holds the lock at most this long; the others wait at most this long for its result.
LOCK_SECONDS = 15.0
WAIT_POLL_SECONDS = 0.05

# Deletes the shared token only if it is still the one the caller saw refused.
_DELETE_IF_SAME = """
local value = redis.call('GET', KEYS[1])
if value and string.find(value, ARGV[1], 1, true) then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Credentials:
    account_id: str
    client_id: str
    client_secret: str
    token_url: str

    def cache_key(self) -> str:
        digest = hashlib.sha256(
            "\0".join((self.account_id, self.client_id, self.client_secret, self.token_url)).encode()
        ).hexdigest()[:24]
        return f"zoom:token:{digest}"

    def __repr__(self) -> str:  # never print the secret
        return f"Credentials(account_id={self.account_id!r}, client_id={self.client_id!r}, token_url={self.token_url!r})"


def refresh_margin(lifetime: float) -> float:
    """How long before expiry a token is replaced: 5 minutes, or a tenth of a short lifetime."""
    return min(REFRESH_MARGIN_SECONDS, lifetime / 10)


class TokenSource:
    """Hands out a valid access token; see the module docstring for how it is shared."""

    def __init__(self, credentials: Credentials, redis: Redis | None, timeout: float = 10.0):
        self.credentials = credentials
        self.redis = redis
        self.timeout = timeout
        self._key = credentials.cache_key()
        self._token: str | None = None
        self._refresh_at = 0.0  # wall-clock time after which this process looks for a new token
        self._local_lock = threading.Lock()
        self._delete_if_same = redis.register_script(_DELETE_IF_SAME) if redis is not None else None

    def token(self) -> str:
        token = self._token
        if token is not None and time.time() < self._refresh_at:
            return token
        with self._local_lock:  # threads of one process share one fetch
            if self._token is not None and time.time() < self._refresh_at:
                return self._token
            self._token, self._refresh_at = self._shared_or_fetched()
            return self._token

    def invalidate(self, token: str) -> None:
        """``token`` was refused (401): forget it here and in Redis, unless it was already replaced."""
        with self._local_lock:
            if self._token == token:
                self._token, self._refresh_at = None, 0.0
        if self._delete_if_same is not None:
            try:
                self._delete_if_same(keys=[self._key], args=[json.dumps(token)])
            except RedisError:
                log.warning("could not drop the refused Zoom token from Redis")

    # -- internals -------------------------------------------------------------------------------------------

    def _shared_or_fetched(self) -> tuple[str, float]:
        if self.redis is None:
            return self._remember(self._fetch())
        try:
            shared = self._read_shared()
            if shared:
                return shared
            lock = self.redis.lock(self._key + ":lock", timeout=LOCK_SECONDS, blocking=False)
            if lock.acquire():
                try:
                    shared = self._read_shared()  # another process may have stored it just before
                    if shared:
                        return shared
                    fetched = self._fetch()
                    self._store_shared(*fetched)
                    return self._remember(fetched)
                finally:
                    try:
                        lock.release()
                    except RedisError:
                        pass
            deadline = time.monotonic() + LOCK_SECONDS
            while time.monotonic() < deadline:
                time.sleep(WAIT_POLL_SECONDS)
                shared = self._read_shared()
                if shared:
                    return shared
            log.warning("no Zoom token appeared in Redis while another process held the lock; fetching one")
        except RedisError:
            log.warning("Redis unavailable for the shared Zoom token; this process fetches its own")
        return self._remember(self._fetch())

    @staticmethod
    def _remember(fetched: tuple[str, float, float]) -> tuple[str, float]:
        token, expires_at, lifetime = fetched
        return token, expires_at - refresh_margin(lifetime)

    def _read_shared(self) -> tuple[str, float] | None:
        raw = self.redis.get(self._key)
        if not raw:
            return None
        data = json.loads(raw)
        refresh_at = data["expires_at"] - refresh_margin(data["lifetime"])
        if time.time() >= refresh_at:
            return None
        return data["access_token"], refresh_at

    def _store_shared(self, token: str, expires_at: float, lifetime: float) -> None:
        ttl_ms = int((expires_at - refresh_margin(lifetime) - time.time()) * 1000)
        if ttl_ms > 0:
            value = json.dumps({"access_token": token, "expires_at": expires_at, "lifetime": lifetime})
            self.redis.set(self._key, value, px=ttl_ms)

    def _fetch(self) -> tuple[str, float, float]:
        """A new token from Zoom: (token, wall-clock expiry, lifetime in seconds)."""
        creds = self.credentials
        with OAuth2Session(creds.client_id, creds.client_secret,
                           token_endpoint_auth_method="client_secret_basic") as oauth:
            oauth.register_compliance_hook("access_token_response", _raise_for_token_status)
            started = time.time()
            try:
                token = oauth.fetch_token(creds.token_url, grant_type="account_credentials",
                                          account_id=creds.account_id, timeout=self.timeout)
            except ZoomError:
                raise
            except OAuth2Error as error:
                raise ZoomAuthError(f"Zoom refused the app's credentials: {error.error}", status=400) from None
            except requests.Timeout:
                raise ZoomUnavailable("Zoom's token endpoint did not answer in time") from None
            except requests.RequestException as error:
                raise ZoomUnavailable(f"cannot reach Zoom's token endpoint: {type(error).__name__}") from None
            except ValueError:
                raise ZoomUnavailable("Zoom's token endpoint answered something that is not JSON") from None
        access_token = token.get("access_token")
        if not access_token:
            raise ZoomAuthError("Zoom's token endpoint answered without an access token")
        lifetime = float(token.get("expires_in") or 3600)
        log.info("fetched a new Zoom access token (valid %.0f s)", lifetime)
        return access_token, started + lifetime, lifetime


def _raise_for_token_status(response: requests.Response) -> requests.Response:
    """authlib hook: turn a non-2xx token answer into our typed errors (401/400 are credential problems)."""
    if response.status_code < 300:
        return response
    error = error_from_response(response)
    if error.status in (400, 401, 403) and not isinstance(error, ZoomAuthError):
        error = ZoomAuthError(f"Zoom refused the app's credentials: {error.message}", status=error.status,
                              code=error.code)
    raise error
