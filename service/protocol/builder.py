"""Turn (session kind, duration, group size, language) into the session's timeline.

The one place that decides how long each part of a session lasts and what is said when. The agenda, the
invites, the Zoom agenda, the chat prompts and the moderator console all read the timeline built here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import replace

from service.i18n import gettext, normalise_language
from service.protocol import practice_script, script
from service.protocol.allocation import Share, allocate
from service.protocol.timeline import (
    DURATION_RULES,
    MAX_MEMBERS_EXCEPTION,
    MIN_MEMBERS_EXCEPTION,
    Phase,
    SessionKind,
    Step,
    Timeline,
)

MINUTE = 60
NBSP = "\u00a0"
# A rehearsal lasts a few minutes: its steps are cut in quarter-minutes so every question still gets time.
REHEARSAL_UNIT = 15

# Relative weight of each question in the time left after the welcome and the key message. The guide gives
# Q1 "a few minutes each in turn": it gets the largest share; the round table (Q1-Q3) outweighs the closing.
QUESTION_WEIGHTS = {"q1": 4.0, "q2": 2.0, "q3": 2.0, "q4": 1.5, "q5": 1.5}
# The kick-off's framing segments, in the guide's order, with their weights.
KICKOFF_WEIGHTS = {"context": 5.0, "winning_conditions": 8.0, "foundations": 6.0, "agreements": 10.0}
KICKOFF_SEGMENT_BASE_MINUTES = 29  # the four segments above at their base length
KICKOFF_ROUND_MINIMUM_MINUTES = 10  # below this a shortened round is not worth starting
KICKOFF_ROUND_MAXIMUM_MINUTES = 26  # the round of a regular 30-minute session
# How long before the closing the moderator is told to wrap up the round table, and the least time Q3 keeps.
CLOSING_CUE_MINUTES = 2
Q3_MINIMUM_MINUTES = 2


class ProtocolError(ValueError):
    """The request cannot be turned into a timeline (duration or group size out of range)."""


def build_timeline(
    kind: SessionKind | str,
    minutes: int | None = None,
    members: int = 6,
    language: str = "fr",
    centring: int = 0,
) -> Timeline:
    """The ordered, contiguous steps of one session.

    ``centring`` picks one of the guide's centring practices (sessions of a series rotate through them).
    """
    kind = SessionKind(kind)
    rule = DURATION_RULES[kind]
    minutes = rule.default_minutes if minutes is None else minutes
    if not rule.accepts(minutes):
        raise ProtocolError(
            f"a {kind.value} session lasts {rule.minimum_minutes} to {rule.maximum_minutes} minutes, not {minutes}"
        )
    if not MIN_MEMBERS_EXCEPTION <= members <= MAX_MEMBERS_EXCEPTION:
        raise ProtocolError(f"a group has {MIN_MEMBERS_EXCEPTION} to {MAX_MEMBERS_EXCEPTION} members, not {members}")
    # A practice session also rotates its shared-learning theme on the same number.
    rotation = len(script.CENTRING_PRACTICES) * (len(practice_script.THEMES) if kind is SessionKind.PRACTICE else 1)
    return _build(kind, minutes, members, normalise_language(language), centring % rotation)


@functools.lru_cache(maxsize=512)
def _build(kind: SessionKind, minutes: int, members: int, language: str, centring: int) -> Timeline:
    # Built once per set of parameters (there are few): timelines are immutable, and a series, the worker's rush
    # and every console poll ask for the same ones again and again.
    writer = _StepWriter(language, members, centring)
    if kind is SessionKind.REGULAR:
        plan = _regular_plan(minutes)
    elif kind is SessionKind.KICKOFF:
        plan = _kickoff_plan(minutes)
    elif kind is SessionKind.PRACTICE:
        plan = _practice_plan(minutes)
    else:
        plan = _rehearsal_plan(minutes)
    steps = tuple(writer.steps(plan))
    return Timeline(kind=kind, language=language, duration_seconds=minutes * MINUTE, members=members, steps=steps)


# A plan is the list of (step key, seconds) in order; the writer then dresses each step in words.
Plan = list[tuple[str, int]]


def _question_shares() -> list[Share]:
    return [Share(key, weight) for key, weight in QUESTION_WEIGHTS.items()]


def _with_closing_cue(plan: Plan, unit: int) -> Plan:
    """Split the end of Q3 into a moderator-only cue: "N minutes left, move to Q4"."""
    result: Plan = []
    for key, seconds in plan:
        if key == "q3":
            cue = min(CLOSING_CUE_MINUTES * MINUTE, seconds - Q3_MINIMUM_MINUTES * MINUTE) // unit * unit
            if cue >= MINUTE:
                result += [("q3", seconds - cue), ("cue_closing", cue)]
                continue
        result.append((key, seconds))
    return result


def _regular_plan(minutes: int) -> Plan:
    welcome = 3 if minutes >= 30 else 2  # the guide: "prendre 2-3 minutes"
    key_message = 2 if minutes >= 60 else 1
    questions = allocate(minutes - welcome - key_message, _question_shares())
    plan = [("welcome", welcome * MINUTE)]
    plan += [(key, units * MINUTE) for key, units in questions.items()]
    plan.append(("key_message", key_message * MINUTE))
    return _with_closing_cue(plan, MINUTE)


def _kickoff_plan(minutes: int) -> Plan:
    welcome, key_message = 3, 2
    available = minutes - welcome - key_message
    round_minutes = available - KICKOFF_SEGMENT_BASE_MINUTES
    if round_minutes < KICKOFF_ROUND_MINIMUM_MINUTES:
        round_minutes = 0
    round_minutes = min(round_minutes, KICKOFF_ROUND_MAXIMUM_MINUTES)
    segments = allocate(available - round_minutes, [Share(k, w) for k, w in KICKOFF_WEIGHTS.items()])
    plan = [("welcome", welcome * MINUTE)]
    plan += [(key, units * MINUTE) for key, units in segments.items()]
    if round_minutes:
        questions = allocate(round_minutes, _question_shares())
        plan += [(key, units * MINUTE) for key, units in questions.items()]
    plan.append(("key_message", key_message * MINUTE))
    return _with_closing_cue(plan, MINUTE)


def _rehearsal_plan(minutes: int) -> Plan:
    shares = [Share("q1", QUESTION_WEIGHTS["q1"]), Share("welcome", 1.5)]
    shares += [Share(key, weight) for key, weight in QUESTION_WEIGHTS.items() if key != "q1"]
    shares.append(Share("key_message", 1.0))
    units = allocate(minutes * MINUTE // REHEARSAL_UNIT, shares)
    order = ["welcome", "q1", "q2", "q3", "q4", "q5", "key_message"]
    return [(key, units[key] * REHEARSAL_UNIT) for key in order]


# The community of practice: a round on the three questions (the difficult one weighs most), then the
# supervisor's shared-learning moment, a short closing.
PRACTICE_WEIGHTS = {"p1": 3.0, "p2": 4.0, "p3": 2.5, "learning": 3.0, "practice_closing": 1.5}


def _practice_plan(minutes: int) -> Plan:
    welcome = 3 if minutes >= 30 else 2
    key_message = 2 if minutes >= 60 else 1
    parts = allocate(minutes - welcome - key_message, [Share(k, w) for k, w in PRACTICE_WEIGHTS.items()])
    plan = [("welcome", welcome * MINUTE)]
    plan += [(key, units * MINUTE) for key, units in parts.items()]
    plan.append(("key_message", key_message * MINUTE))
    return plan


def format_duration(seconds: int) -> str:
    """'1 min 30 s', '45 s', '3 min' (the same abbreviations read in French and English), with non-breaking
    spaces so that a number is never left at the end of a line without its unit."""
    minutes, rest = divmod(int(seconds), MINUTE)
    if minutes and rest:
        return f"{minutes}{NBSP}min {rest}{NBSP}s"
    if minutes:
        return f"{minutes}{NBSP}min"
    return f"{rest}{NBSP}s"


class _StepWriter:
    """Gives each planned step its title, chat text and guidance in one language."""

    def __init__(self, language: str, members: int, centring: int):
        self.language = language
        self.members = members
        self.practice = self.tr(script.CENTRING_PRACTICES[centring % len(script.CENTRING_PRACTICES)])
        self.theme = self.tr(practice_script.THEMES[centring % len(practice_script.THEMES)])
        self.safety = self.tr(script.SAFETY_REMINDER)
        self.key_message = self.tr(script.KEY_MESSAGE)
        self.kickoff = False

    def tr(self, message: str, **params: object) -> str:
        return gettext(self.language, message, **params)

    def steps(self, plan: Plan) -> Iterable[Step]:
        self.kickoff = any(key == "context" for key, _ in plan)
        self.community = any(key == "learning" for key, _ in plan)
        offset = 0
        for index, (key, seconds) in enumerate(plan):
            yield self.step(key, offset, seconds, plan[index + 1 :])
            offset += seconds

    def step(self, key: str, offset: int, seconds: int, rest: Plan) -> Step:
        if self.community:
            return self.practice_step(key, offset, seconds)
        if key in script.QUESTIONS:
            # A question's time runs on through the moderator cue that follows it.
            cue_seconds = rest[0][1] if rest and rest[0][0].startswith("cue_") else 0
            return self.question(key, offset, seconds, seconds + cue_seconds)
        if key == "cue_closing":
            minutes = max(1, seconds // MINUTE)
            return Step(
                key=key,
                phase=Phase.ROUND_TABLE,
                offset_seconds=offset,
                duration_seconds=seconds,
                title=self.tr(script.CUE_CLOSING.title, minutes=minutes),
                chat_text=None,
                moderator_text=self.tr(script.CUE_CLOSING.moderator, minutes=minutes),
                question=self.tr(script.QUESTIONS["q3"]),
            )
        if key == "welcome":
            words = script.KICKOFF_WELCOME if self.kickoff else script.WELCOME
            params = {"practice": self.practice, "safety": self.safety}
            return self._scripted(key, Phase.WELCOME, words, offset, seconds, params)
        if key == "key_message":
            params = {"key_message": self.key_message}
            step = self._scripted(key, Phase.KEY_MESSAGE, script.KEY_MESSAGE_STEP, offset, seconds, params)
            return replace(step, summary=self.key_message)
        kickoff_scripts = {
            "context": script.CONTEXT,
            "winning_conditions": script.WINNING_CONDITIONS,
            "foundations": script.FOUNDATIONS,
            "agreements": script.AGREEMENTS,
        }
        return self._scripted(key, Phase.KICKOFF, kickoff_scripts[key], offset, seconds, {})

    def practice_step(self, key: str, offset: int, seconds: int) -> Step:
        """A step of the community of practice (``practice_script``)."""
        words = practice_script
        if key in words.QUESTIONS:
            number = int(key[1:])
            question = self.tr(words.QUESTIONS[key])
            per_person = seconds // self.members
            chat = self.tr(words.QUESTION_CHAT, number=number, question=question)
            if key == "p2":
                chat = f"{chat} {self.tr(words.NO_NAMES_REMINDER)}"
            return Step(
                key=key, phase=Phase.ROUND_TABLE, offset_seconds=offset, duration_seconds=seconds,
                title=self.tr(words.ROUND_TITLE, number=number), chat_text=chat,
                moderator_text=self.tr(words.GUIDANCE[key], budget=format_duration(per_person)),
                question=question, summary=question, per_person_seconds=per_person,
            )
        if key == "welcome":
            return self._scripted(key, Phase.WELCOME, words.WELCOME, offset, seconds, {"practice": self.practice})
        if key == "learning":
            step = self._scripted(key, Phase.LEARNING, words.LEARNING, offset, seconds, {"theme": self.theme})
            return replace(step, summary=self.tr(words.LEARNING_SUMMARY, theme=self.theme))
        if key == "practice_closing":
            return self._scripted(key, Phase.CLOSING, words.CLOSING, offset, seconds, {})
        key_message = self.tr(words.KEY_MESSAGE)
        step = self._scripted(key, Phase.KEY_MESSAGE, words.KEY_MESSAGE_STEP, offset, seconds,
                              {"key_message": key_message})
        return replace(step, summary=key_message)

    def _scripted(self, key, phase, words: script.StepScript, offset, seconds, params) -> Step:
        return Step(
            key=key,
            phase=phase,
            offset_seconds=offset,
            duration_seconds=seconds,
            title=self.tr(words.title),
            chat_text=self.tr(words.chat, **params) if words.chat else None,
            moderator_text=self.tr(words.moderator, **params),
        )

    def question(self, key: str, offset: int, seconds: int, question_seconds: int) -> Step:
        number = int(key[1:])
        in_round_table = number <= 3
        question = self.tr(script.QUESTIONS[key])
        per_person = question_seconds // self.members if in_round_table else None
        guidance = self.tr(script.QUESTION_GUIDANCE[key], budget=format_duration(per_person or 0))
        if self.kickoff and key == "q1":
            guidance = f"{self.tr(script.KICKOFF_ROUND_NOTE)} {guidance}"
        title = script.ROUND_TABLE_TITLE if in_round_table else script.CLOSING_TITLE
        return Step(
            key=key,
            phase=Phase.ROUND_TABLE if in_round_table else Phase.CLOSING,
            offset_seconds=offset,
            duration_seconds=seconds,
            title=self.tr(title, number=number),
            chat_text=self.tr(script.QUESTION_CHAT, number=number, question=question),
            moderator_text=guidance,
            question=question,
            summary=question,
            per_person_seconds=per_person,
        )
