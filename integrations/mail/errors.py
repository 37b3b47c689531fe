"""The two ways a message can fail to leave: for now, or for good."""

from __future__ import annotations


class MailError(Exception):
    """Base class. ``reason`` is readable and safe to show a coordinator (no address, no password)."""

    def __init__(self, reason: str, *, code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TemporaryMailError(MailError):
    """Unreachable, timed out, or a 4xx reply: the same message may go through later."""


class PermanentMailError(MailError):
    """A 5xx reply about this message or its recipient: sending it again will fail again."""
