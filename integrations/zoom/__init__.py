"""Zoom, behind a small interface: meetings, chat posting, the host pool, and a local sandbox.

Build it once per process from the settings and the Redis client::

    from integrations.zoom import zoom_from_settings
    zoom = zoom_from_settings(settings, redis)       # cached: the same object for the same settings and Redis
    message_id = zoom.post_chat_message(host_user, channel_id, text)
    info = zoom.meetings.create(host_user, spec)      # see meetings.py

Modules, one concept each:

- ``exceptions`` — the typed errors every call raises (``ZoomError`` and its subclasses);
- ``auth`` — the Server-to-Server OAuth token, cached in memory and shared through Redis;
- ``http`` — reading Zoom's error answers and ``Retry-After``;
- ``client`` — the authenticated transport (one ``requests.Session`` per process) and zoomus's meeting
  component routed through it;
- ``meetings`` — the meeting calls and what we send (safe defaults, UTC times, recurring series);
- ``chat`` — posting into a meeting's continuous-chat channel, under the shared rate limit;
- ``ratelimit`` — the account-wide request rate shared by every process;
- ``hosts`` — spreading meetings over licensed host users (daily quota, no overlapping meetings);
- ``webhooks`` — checking and answering Zoom's webhook notices (pure functions);
- ``sandbox`` — a local server speaking Zoom's API (``python -m integrations.zoom.sandbox``).

``ZOOM_MODE=sandbox`` (the default) points ``ZOOM_API_URL``/``ZOOM_OAUTH_URL`` at the sandbox; ``ZOOM_MODE=zoom``
at Zoom (or at any server that speaks its API). Nothing else changes between the two.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from redis import Redis

from config import Settings
from integrations.zoom.auth import Credentials, TokenSource
from integrations.zoom.chat import ChatPoster
from integrations.zoom.client import ZoomTransport
from integrations.zoom.exceptions import (
    ZoomAuthError,
    ZoomError,
    ZoomInvalidRequest,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomUnavailable,
)
from integrations.zoom.hosts import HostPool
from integrations.zoom.meetings import MeetingInfo, MeetingSpec, Occurrence, Recurrence, ZoomMeetings
from integrations.zoom.ratelimit import RateLimiter

__all__ = [
    "MeetingInfo",
    "MeetingSpec",
    "Occurrence",
    "Recurrence",
    "Zoom",
    "ZoomAuthError",
    "ZoomError",
    "ZoomInvalidRequest",
    "ZoomNotFound",
    "ZoomRateLimited",
    "ZoomUnavailable",
    "zoom_from_settings",
]


class Zoom:
    """Everything the service does with Zoom, for one account."""

    def __init__(self, settings: Settings, redis: Redis):
        credentials = Credentials(settings.ZOOM_ACCOUNT_ID, settings.ZOOM_CLIENT_ID, settings.ZOOM_CLIENT_SECRET,
                                  settings.ZOOM_OAUTH_URL)
        self.tokens = TokenSource(credentials, redis, timeout=settings.ZOOM_TIMEOUT_SECONDS)
        self.transport = ZoomTransport(settings.ZOOM_API_URL, self.tokens, settings.ZOOM_TIMEOUT_SECONDS)
        # Zoom counts chat posts and meeting creations under one label (Medium), per account and per second.
        medium = RateLimiter(redis, f"medium:{credentials.cache_key().rsplit(':', 1)[-1]}",
                             settings.ZOOM_CHAT_RATE_PER_SECOND, settings.ZOOM_CHAT_MAX_WAIT_SECONDS)
        self.meetings = ZoomMeetings(self.transport, medium)
        self.chat = ChatPoster(self.transport, medium)
        self.hosts = HostPool(settings.ZOOM_HOSTS, redis, settings.ZOOM_HOST_DAILY_LIMIT)

    def post_chat_message(self, host_user: str, channel_id: str, text: str,
                          before_send: Callable[[], None] | None = None) -> str:
        """Post ``text`` to a meeting's continuous-chat channel as its host; returns Zoom's message id.

        Waits for the shared rate limit up to ``ZOOM_CHAT_MAX_WAIT_SECONDS``, otherwise raises
        :class:`ZoomRateLimited` (``retry_after``) without sending; ``before_send`` is called just before the
        request leaves. See ``integrations.zoom.chat``.
        """
        return self.chat.post(host_user, channel_id, text, before_send)


_instances: weakref.WeakKeyDictionary[Redis, dict[Settings, Zoom]] = weakref.WeakKeyDictionary()


def zoom_from_settings(settings: Settings, redis: Redis) -> Zoom:
    """The process's :class:`Zoom` for these settings and this Redis client (built once, then reused, so the
    token stays in memory and HTTP connections stay open)."""
    per_redis = _instances.setdefault(redis, {})
    zoom = per_redis.get(settings)
    if zoom is None:
        zoom = per_redis[settings] = Zoom(settings, redis)
    return zoom
