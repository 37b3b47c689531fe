"""Typed errors for everything that can go wrong when talking to Zoom.

Every non-2xx answer, timeout and connection error becomes one of these, so callers decide by type, never by
status code::

    ZoomError                  base class; ``status`` (HTTP status or None), ``code`` (Zoom's code or None)
    ├── ZoomAuthError          the credentials or the token are refused (401, OAuth errors): fix the configuration
    ├── ZoomNotFound           the meeting, user or channel does not exist (404)
    ├── ZoomRateLimited        429: ``retry_after`` seconds (float) and ``daily`` (the per-day quota, not per-second)
    ├── ZoomUnavailable        5xx, timeouts, connection errors: transient, try again later
    └── ZoomInvalidRequest     Zoom refuses the request for good (other 4xx): ``code`` and ``message`` are Zoom's

Messages never carry a token, a ``start_url`` or a secret: they are safe to log.
"""

from __future__ import annotations


class ZoomError(Exception):
    """Base class of every Zoom error."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code

    @property
    def transient(self) -> bool:
        """Trying again later may succeed (nothing in the request itself is wrong)."""
        return False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code}, message={self.message!r})"


class ZoomAuthError(ZoomError):
    """The app's credentials or its access token were refused."""


class ZoomNotFound(ZoomError):
    """The meeting (or user, channel, occurrence) does not exist in Zoom."""


class ZoomRateLimited(ZoomError):
    """Zoom (or our own shared limiter) says: not now. ``retry_after`` is in seconds.

    ``daily`` is true for a per-day quota (e.g. 100 meeting create/update calls per host user, reset at 00:00
    UTC): ``retry_after`` then reaches to the reset, and another host user may still have room.
    """

    def __init__(self, message: str, *, retry_after: float, daily: bool = False, status: int | None = 429,
                 code: int | None = None, category: str | None = None):
        super().__init__(message, status=status, code=code)
        self.retry_after = max(0.0, float(retry_after))
        self.daily = daily
        self.category = category

    @property
    def transient(self) -> bool:
        return True


class ZoomUnavailable(ZoomError):
    """Zoom did not answer usefully: a 5xx, a timeout, a refused or dropped connection."""

    @property
    def transient(self) -> bool:
        return True

    @property
    def may_have_taken_effect(self) -> bool:
        """Whether Zoom may have carried the request out anyway (then look before sending it again).

        A 503 says the server did not handle the request (RFC 9110, 15.6.4: "currently unable to handle the
        request"); a 500, 502 or 504, a timeout or a connection dropped mid-answer leave it unknown."""
        return self.status != 503


class ZoomInvalidRequest(ZoomError):
    """Zoom refuses the request as it stands (400, 403, 409, ...): ``code`` and ``message`` are Zoom's own."""
