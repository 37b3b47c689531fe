"""Zoom's webhook signatures, as pure functions (the web controller and the sandbox both use them).

Zoom signs each notice: ``x-zm-signature: v0=<hex HMAC-SHA256(secret, "v0:{x-zm-request-timestamp}:{raw body}")>``.
:func:`verify` checks it in constant time over the raw bytes received, and refuses a timestamp more than
``MAX_AGE_SECONDS`` away from now (a captured notice replayed later). ``endpoint.url_validation`` is answered
with :func:`url_validation_answer`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping

MAX_AGE_SECONDS = 300
SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
# Zoom sends whole seconds (or milliseconds). Only digits: "nan", "inf" or "1e99" would compare as never stale.
TIMESTAMP = re.compile(r"[0-9]{1,13}")


class WebhookRejected(Exception):
    """The notice is not provably from Zoom, or too old. ``reason`` is a short code for the log."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _hmac_hex(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v0=" + _hmac_hex(secret, b"v0:" + timestamp.encode() + b":" + body)


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers Zoom would send with ``body`` (for the sandbox and tests)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret, stamp, body),
            "Content-Type": "application/json"}


def _timestamp_seconds(raw: str) -> float:
    if not TIMESTAMP.fullmatch(raw):
        raise ValueError("the timestamp is not a whole number")
    value = int(raw)
    return value / 1000 if value > 1e11 else value  # accept milliseconds too


def verify(secret: str, headers: Mapping[str, str], body: bytes, now: float | None = None,
           max_age: float = MAX_AGE_SECONDS) -> None:
    """Raise :class:`WebhookRejected` unless ``body`` carries Zoom's valid, fresh signature."""
    stamp = headers.get(TIMESTAMP_HEADER)
    given = headers.get(SIGNATURE_HEADER)
    if not stamp or not given:
        raise WebhookRejected("missing_signature")
    expected = signature(secret, stamp, body)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookRejected("bad_signature")
    try:
        age = (time.time() if now is None else now) - _timestamp_seconds(stamp)
    except ValueError:
        raise WebhookRejected("bad_timestamp") from None
    if abs(age) > max_age:
        raise WebhookRejected("stale_timestamp")


def url_validation_answer(secret: str, plain_token: str) -> dict[str, str]:
    """The answer to ``endpoint.url_validation``."""
    return {"plainToken": plain_token, "encryptedToken": _hmac_hex(secret, plain_token.encode())}
