"""Posting a prompt into a meeting's chat.

Zoom has no REST call that writes into a live meeting's chat. What exists is the meeting's *continuous meeting
chat* channel (``settings.continuous_meeting_chat.channel_id``, created with the meeting): a Team Chat message
sent to that channel is mirrored into the in-meeting chat. The message is sent on behalf of the meeting's host
user (a Server-to-Server app cannot post as "me"), so it appears as written by that host::

    POST /chat/users/{host_user}/messages   {"message": text, "to_channel": channel_id}   -> 201 {"id": ...}

:meth:`ChatPoster.post` is the hot path of the prompt worker: one Redis round trip for the shared rate limiter,
one HTTP request on a kept-alive connection, the token from memory.

Rate limiting (Zoom's *Medium* label, ``ZOOM_CHAT_RATE_PER_SECOND`` per account): the call **waits** for its
slot when that slot is at most ``max_wait`` seconds away (``ZOOM_CHAT_MAX_WAIT_SECONDS``, default 1 s) and
otherwise **raises** :class:`ZoomRateLimited` with ``retry_after`` set, without sending. A 429 from Zoom pauses
every process for its ``Retry-After``; the message is retried once if that fits within ``max_wait``, otherwise
the 429 is raised as ``ZoomRateLimited`` (``daily=True`` for a daily quota).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timezone
from urllib.parse import quote

from integrations.zoom.client import ZoomTransport
from integrations.zoom.exceptions import ZoomInvalidRequest, ZoomRateLimited
from integrations.zoom.http import error_from_response
from integrations.zoom.ratelimit import RateLimiter

log = logging.getLogger(__name__)

# Zoom refuses longer chat messages.
MAX_MESSAGE_LENGTH = 4096


class ChatPoster:
    def __init__(self, transport: ZoomTransport, limiter: RateLimiter):
        self.transport = transport
        self.limiter = limiter
        self._base = transport.api_url + "/chat/users/"

    def post(self, host_user: str, channel_id: str, text: str, before_send: Callable[[], None] | None = None) -> str:
        """Send ``text`` to the channel as ``host_user``; returns Zoom's message id. Raises the typed errors.

        ``before_send`` is called each time the request is about to leave, once its slot has come (a caller
        that must know whether Zoom may have received it: ``worker.claims.note_attempt``)."""
        if not text or len(text) > MAX_MESSAGE_LENGTH:
            raise ZoomInvalidRequest(f"a chat message holds 1 to {MAX_MESSAGE_LENGTH} characters", status=None)
        if not channel_id:
            raise ZoomInvalidRequest("the meeting has no continuous-chat channel", status=None)
        url = self._base + quote(host_user, safe="@") + "/messages"
        body = json.dumps({"message": text, "to_channel": channel_id}, ensure_ascii=False).encode()
        deadline = time.monotonic() + self.limiter.max_wait
        while True:
            self.limiter.wait_for_slot(max(0.0, deadline - time.monotonic()))
            if before_send is not None:
                before_send()
            response = self.transport.post_json(url, body)
            if response.status_code == 201:
                return str(response.json()["id"])
            error = error_from_response(response)
            if not isinstance(error, ZoomRateLimited) or error.daily:
                log.warning("Zoom refused a chat message to channel %s: %s code=%s %s", channel_id,
                            response.status_code, error.code, error.message)
                raise error
            self.limiter.pause(error.retry_after)
            if time.monotonic() + error.retry_after > deadline:
                raise error
            log.info("Zoom said 429 for chat; retrying after %.2f s", error.retry_after)

    def find(self, host_user: str, channel_id: str, text: str, since: datetime, pages: int = 4) -> str | None:
        """The id of a message ``host_user`` already sent to the channel with exactly ``text`` since ``since``.

        Before posting again a message whose first attempt has an unknown outcome (a timeout, a worker killed
        mid-call): Zoom has no idempotency key, so the channel itself is the record. Newest first, a few
        pages at most (a prompt channel holds a handful of messages per session).
        """
        url = self._base + quote(host_user, safe="@") + "/messages"
        params = {"to_channel": channel_id, "page_size": 50,
                  "from": since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        for _ in range(pages):
            self.limiter.wait_for_slot()
            response = self.transport.expect(self.transport.send("GET", url, params=params), (200,))
            data = response.json()
            for message in data.get("messages", []):
                if message.get("message") == text:
                    return str(message["id"])
            token = data.get("next_page_token")
            if not token:
                return None
            params["next_page_token"] = token
        return None
