"""The sandbox's memory: configuration, tokens, meetings, chat messages, limits and injected faults.

Everything lives in one :class:`SandboxState` guarded by one lock (the server is threaded). Nothing is written
to disk: it is a test double, and a chat shown on the sandbox page is gone when the process stops.
"""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

DEFAULT_PER_SECOND = {"light": 30, "medium": 20, "heavy": 10}
DEFAULT_DAILY_MEETING_CALLS = 100
DEFAULT_TOKEN_TTL = 3600
FAULT_KINDS = ("5xx", "timeout", "429", "429-daily", "401", "lost-answer")
# Faults that strike after the call has taken effect (Zoom kept the message, the answer never came back).
AFTER_EFFECT_KINDS = ("lost-answer",)


@dataclass
class SandboxConfig:
    account_id: str
    client_id: str
    client_secret: str
    webhook_secret: str
    webhook_url: str = ""
    users: tuple[str, ...] = ()
    token_ttl: int = DEFAULT_TOKEN_TTL


@dataclass
class Fault:
    """An error the next ``remaining`` matching requests get instead of their answer."""

    kind: str
    remaining: int = 1
    path: str = ""  # only requests whose path contains this
    method: str = ""  # only this method (empty: any)
    status: int = 503
    retry_after: str | None = None
    seconds: float = 30.0  # how long a "timeout" keeps the request waiting
    probability: float = 1.0  # a matching request gets the fault with this chance (random faults)

    def matches(self, method: str, path: str) -> bool:
        return self.remaining > 0 and self.path in path and (not self.method or self.method == method)


@dataclass
class ChatMessage:
    id: str
    channel_id: str
    meeting_id: int | None
    sender: str
    text: str
    received_wall: float
    received_monotonic: float

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel_id": self.channel_id,
            "meeting_id": self.meeting_id,
            "sender": self.sender,
            "message": self.text,
            "received_wall": self.received_wall,
            "received_monotonic": self.received_monotonic,
            "date_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.received_wall)),
        }


@dataclass
class SandboxState:
    config: SandboxConfig
    lock: threading.RLock = field(default_factory=threading.RLock)
    latency: float = 0.0
    per_second: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PER_SECOND))
    daily_meeting_calls: int = DEFAULT_DAILY_MEETING_CALLS
    tokens: dict[str, float] = field(default_factory=dict)  # token -> wall-clock expiry
    users: dict[str, dict[str, str]] = field(default_factory=dict)  # lower-case email -> {id, email}
    meetings: dict[int, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)  # channel id -> meeting id
    messages: list[ChatMessage] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    second_counts: dict[tuple[str, int], int] = field(default_factory=dict)  # (category, second) -> calls
    daily_counts: Counter = field(default_factory=Counter)  # (user id, UTC day) -> create/update calls
    stats: Counter = field(default_factory=Counter)
    webhook_deliveries: deque = field(default_factory=lambda: deque(maxlen=200))
    # Each API call as it arrived: (wall time, call name, status answered), the newest 100,000.
    calls: deque = field(default_factory=lambda: deque(maxlen=100_000))
    dice: random.Random = field(default_factory=random.Random)  # draws for faults given a probability

    def __post_init__(self):
        self._initial_webhook_url = self.config.webhook_url
        for email in self.config.users:
            self.add_user(email)

    def add_user(self, email: str) -> dict[str, str]:
        key = email.strip().lower()
        if key not in self.users:
            self.users[key] = {"id": secrets.token_urlsafe(16)[:22], "email": email.strip()}
        return self.users[key]

    def find_user(self, user_id: str) -> dict[str, str] | None:
        key = user_id.strip().lower()
        if key in self.users:
            return self.users[key]
        return next((u for u in self.users.values() if u["id"] == user_id), None)

    def user_by_id(self, host_id: str) -> dict[str, str] | None:
        return next((u for u in self.users.values() if u["id"] == host_id), None)

    def reset(self) -> None:
        """Back to a fresh start: no meetings, messages, tokens, faults; default limits."""
        with self.lock:
            self.latency = 0.0
            self.per_second = dict(DEFAULT_PER_SECOND)
            self.daily_meeting_calls = DEFAULT_DAILY_MEETING_CALLS
            self.config.token_ttl = DEFAULT_TOKEN_TTL
            self.config.webhook_url = self._initial_webhook_url
            for collection in (self.tokens, self.meetings, self.channels, self.second_counts, self.daily_counts,
                               self.stats):
                collection.clear()
            self.messages.clear()
            self.faults.clear()
            self.webhook_deliveries.clear()
            self.calls.clear()

    def take_fault(self, method: str, path: str, explicit_only: bool = False,
                   after_effect: bool = False) -> Fault | None:
        """The fault this request gets, if any (``explicit_only``: only faults whose ``path`` names it;
        ``after_effect``: the faults that strike once the call has taken effect, else the others)."""
        with self.lock:
            for fault in self.faults:
                if (fault.kind in AFTER_EFFECT_KINDS) != after_effect:
                    continue
                if fault.matches(method, path) and (fault.path or not explicit_only):
                    if fault.probability < 1.0 and self.dice.random() >= fault.probability:
                        continue
                    fault.remaining -= 1
                    self.stats[f"fault_{fault.kind}"] += 1
                    self.faults = [f for f in self.faults if f.remaining > 0]
                    return fault
            self.faults = [f for f in self.faults if f.remaining > 0]
        return None
