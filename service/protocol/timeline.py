"""The values the protocol engine produces: a session kind, its steps, and the timeline that orders them."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass


class SessionKind(str, enum.Enum):
    REGULAR = "regular"
    KICKOFF = "kickoff"
    REHEARSAL = "rehearsal"
    # The moderators' community of practice (its own protocol, led by a supervisor).
    PRACTICE = "practice"


@dataclass(frozen=True)
class DurationRule:
    minimum_minutes: int
    maximum_minutes: int
    default_minutes: int

    def accepts(self, minutes: int) -> bool:
        return self.minimum_minutes <= minutes <= self.maximum_minutes


DURATION_RULES: dict[SessionKind, DurationRule] = {
    SessionKind.REGULAR: DurationRule(20, 90, 30),
    SessionKind.KICKOFF: DurationRule(45, 90, 60),
    SessionKind.REHEARSAL: DurationRule(3, 10, 5),
    SessionKind.PRACTICE: DurationRule(20, 60, 30),
}

# Group size the protocol is written for, and the widest exception a coordinator may confirm.
MIN_MEMBERS, MAX_MEMBERS = 4, 8
MIN_MEMBERS_EXCEPTION, MAX_MEMBERS_EXCEPTION = 3, 10


class Phase(str, enum.Enum):
    WELCOME = "welcome"
    KICKOFF = "kickoff"
    ROUND_TABLE = "round_table"
    CLOSING = "closing"
    LEARNING = "learning"  # the community of practice's shared-learning moment
    KEY_MESSAGE = "key_message"


@dataclass(frozen=True)
class Step:
    """One contiguous slice of a session.

    ``chat_text`` is what is posted to the meeting chat when the step begins (``None`` for moderator-only
    cues). ``question`` is the question in play during the step, so a cue still shows it. ``summary`` is the
    line printed under the title in agendas (the question, or the key message).
    """

    key: str
    phase: Phase
    offset_seconds: int
    duration_seconds: int
    title: str
    chat_text: str | None
    moderator_text: str
    question: str | None = None
    summary: str | None = None
    per_person_seconds: int | None = None

    @property
    def end_seconds(self) -> int:
        return self.offset_seconds + self.duration_seconds

    @property
    def is_cue(self) -> bool:
        return self.chat_text is None

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["phase"] = self.phase.value
        return data


@dataclass(frozen=True)
class Timeline:
    kind: SessionKind
    language: str
    duration_seconds: int
    members: int
    steps: tuple[Step, ...]

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def step_at(self, elapsed_seconds: float) -> Step | None:
        """The step running ``elapsed_seconds`` after the start (``None`` before the start or after the end)."""
        if elapsed_seconds < 0:
            return None
        for step in self.steps:
            if step.offset_seconds <= elapsed_seconds < step.end_seconds:
                return step
        return None

    def chat_steps(self) -> tuple[Step, ...]:
        return tuple(step for step in self.steps if step.chat_text is not None)

    def visible_steps(self) -> list[tuple[Step, int]]:
        """Steps a participant sees, each with its length until the next one (cues fold into their question)."""
        visible: list[tuple[Step, int]] = []
        for step in self.steps:
            if step.is_cue and visible:
                previous, length = visible[-1]
                visible[-1] = (previous, length + step.duration_seconds)
            else:
                visible.append((step, step.duration_seconds))
        return visible

    def as_json(self) -> list[dict[str, object]]:
        return [step.as_dict() for step in self.steps]
