"""What the moderator console shows: the protocol's words joined to the prompt rows' live times.

The words (titles, questions, guidance) come from the timeline and never change during a session; the times and
chat statuses come from the prompt rows the worker posts from, so the console and the chat never disagree. The
browser receives absolute UTC times and the server's clock, and computes every countdown itself.

What the chat receives (the posted texts, the question in play, the key message) is in the session's language;
what the console itself says — the steps' titles and guidance (``service.moderator.view``), clock times, statuses,
whose turn it is, the help panel — is in ``language``, the viewer's (the session's unless they chose the other
one).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.domain import live
from service.dates import clock_label, iso_utc
from service.elision import elide
from service.domain.prompts import REASON_CHAT_DISABLED
from service.domain.timelines import timeline_for
from service.i18n import N_, gettext
from service.models import GroupSession, Prompt, PromptAudience, PromptStatus
from service.protocol import Step, Timeline

CHAT_LABELS = {
    "console_only": N_("Pour vous seulement"),
    "chat_disabled": N_("À lire à voix haute (pas de publication dans la conversation)"),
    "pending": N_("Sera publiée dans la conversation"),
    "claimed": N_("Publication en cours"),
    "posted": N_("Publiée dans la conversation"),
    "failed": N_("Non publiée : lisez-la à voix haute"),
    "not_posted": N_("Non publiée"),
}
SPEAKER_TURN = N_("Au tour de %(name)s")


@dataclass(frozen=True)
class ConsoleStep:
    step: Step
    due_at: datetime
    expires_at: datetime
    chat_status: str

    @property
    def key(self) -> str:
        return self.step.key


def chat_status(prompt: Prompt | None) -> str:
    if prompt is None or prompt.audience is PromptAudience.MODERATOR:
        return "console_only"
    if prompt.status is PromptStatus.SKIPPED:
        return "chat_disabled" if prompt.reason == REASON_CHAT_DISABLED else "not_posted"
    return prompt.status.value


def console_steps(session: GroupSession, timeline: Timeline | None = None) -> list[ConsoleStep]:
    """Every step with its live times (a step without a row keeps its planned times)."""
    timeline = timeline or timeline_for(session)
    rows = {prompt.step_key: prompt for prompt in session.prompts}
    steps = []
    for step in timeline.steps:
        prompt = rows.get(step.key)
        if prompt is not None:
            due, expires = prompt.due_at, prompt.expires_at
        else:
            due = session.starts_at + timedelta(seconds=step.offset_seconds)
            expires = due + timedelta(seconds=step.duration_seconds)
        steps.append(ConsoleStep(step, due, expires, chat_status(prompt)))
    return steps


def speaking_order(session: GroupSession) -> list[str]:
    """The round table's order: active members' first names, drawn from the session's secret seed.

    Each member's place comes from a keyed hash of their id, so someone leaving does not reshuffle the others.
    """
    seed = (session.speaking_order_seed or "").encode()

    def place(member_id: int) -> str:
        return hmac.new(seed, str(member_id).encode(), hashlib.sha256).hexdigest()

    members = sorted(session.group.active_members, key=lambda member: place(member.id))
    return [member.first_name for member in members]


def speakers(session: GroupSession, language: str) -> list[dict[str, str]]:
    """The speaking order with what the console says when each one's turn comes (« Au tour d’Éloïse »)."""
    return [{"name": name, "turn": elide(gettext(language, SPEAKER_TURN, name=name), [name], language)}
            for name in speaking_order(session)]


def end_times(session: GroupSession, now: datetime, language: str) -> dict[str, object]:
    """When the session ends now, when it was meant to, and whether the moderator may give the time back."""
    zone = session.timezone
    ends, planned = live.live_end(session), live.planned_end(session)
    return {
        "ends_at": iso_utc(ends),
        "ends_label": clock_label(ends, zone, language),
        "planned_end_label": clock_label(planned, zone, language),
        "planned_end_at": iso_utc(planned),
        "end_moved": clock_label(ends, zone, language) != clock_label(planned, zone, language),
        "can_keep_end": live.can_keep_planned_end(session, now),
        "key_message_ahead": live.key_message_ahead(session, now) is not None,
    }


def plan_version(session: GroupSession) -> str:
    """A short fingerprint of the plan (status, start, every step's times).

    Control forms carry the version they were made from: a second click on "+2 minutes", or a click on a page
    that another change has overtaken, is refused instead of being applied twice. A prompt being posted does
    not change the plan, so it never makes a control fail.
    """
    parts = [session.status.value, str(session.actual_started_at)]
    parts += [f"{p.step_key}:{p.due_at.isoformat()}:{p.expires_at.isoformat()}" for p in live.ordered_prompts(session)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def snapshot(session: GroupSession, now: datetime, language: str,
             steps: list[ConsoleStep] | None = None) -> dict[str, object]:
    """The live part of the console, as JSON: what the page's script re-reads when the revision changes."""
    steps = steps if steps is not None else console_steps(session)
    return {
        "revision": session.revision,
        "plan_version": plan_version(session),
        "server_now": iso_utc(now),
        "status": session.status.value,
        "started": session.actual_started_at is not None,
        "over": live.is_over(session, now),
        "follow_up_needed": session.follow_up_needed,
        **end_times(session, now, language),
        "speakers": speakers(session, language),
        "steps": [
            {
                "key": item.key,
                "due_at": iso_utc(item.due_at),
                "expires_at": iso_utc(item.expires_at),
                "due_label": clock_label(item.due_at, session.timezone, language),
                "chat_status": item.chat_status,
                "chat_label": gettext(language, CHAT_LABELS[item.chat_status]),
            }
            for item in steps
        ],
    }
