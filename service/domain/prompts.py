"""Writing a session's timeline into prompt rows, and keeping them in step with the session's plan.

One row per step: chat steps are posted by the worker (status ``pending`` until then); moderator cues and,
when chat prompts are off, every step are shown on the console only (status ``skipped`` with the reason).
Live changes during a session (re-anchoring on the real start, +2 minutes, next step, end) live in
``service.domain.live``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert

from service.extensions import db
from service.models import GroupSession, Prompt, PromptAudience, PromptStatus
from service.domain.clock import now_utc
from service.domain.timelines import timeline_for

REASON_CONSOLE_ONLY = "console_only"
REASON_CHAT_DISABLED = "chat_disabled"
REASON_SESSION_CANCELLED = "session_cancelled"
REASON_SESSION_ENDED = "session_ended"
REASON_STEP_SKIPPED = "step_skipped"  # the moderator went straight to the key message


def chat_enabled_for(session: GroupSession, chat_prompts_setting: bool) -> bool:
    return chat_prompts_setting and session.group.chat_prompts_enabled


def planned_rows(session: GroupSession, chat_prompts_setting: bool = True) -> list[dict]:
    """The session's prompt rows as its plan makes them (columns and values), from ``starts_at``."""
    timeline = timeline_for(session)
    chat_on = chat_enabled_for(session, chat_prompts_setting)
    rows = []
    for step in timeline.steps:
        due = session.starts_at + timedelta(seconds=step.offset_seconds)
        status, reason = PromptStatus.PENDING, None
        if step.is_cue:
            status, reason = PromptStatus.SKIPPED, REASON_CONSOLE_ONLY
        elif not chat_on:
            status, reason = PromptStatus.SKIPPED, REASON_CHAT_DISABLED
        rows.append({
            "step_key": step.key,
            "audience": PromptAudience.MODERATOR if step.is_cue else PromptAudience.EVERYONE,
            "offset_seconds": step.offset_seconds,
            "duration_seconds": step.duration_seconds,
            "due_at": due,
            "expires_at": due + timedelta(seconds=step.duration_seconds),
            "status": status,
            "reason": reason,
        })
    return rows


def write_prompts(session: GroupSession, chat_prompts_setting: bool = True) -> list[Prompt]:
    """(Re)write every row of a session that has not started: its plan is the timeline from ``starts_at``."""
    old_rows = list(session.prompts)
    for prompt in old_rows:
        session.prompts.remove(prompt)
    if old_rows:
        db.session.flush()  # the old rows go before the new ones take their (session, step) keys
    rows = [Prompt(**values) for values in planned_rows(session, chat_prompts_setting)]
    session.prompts.extend(rows)
    session.revision = (session.revision or 0) + 1  # a session not yet inserted has no default yet
    return rows


def insert_prompts(sessions: list[GroupSession], chat_prompts_setting: bool = True) -> list[datetime]:
    """The rows of sessions just created (flushed: they have ids), in one statement for them all; returns the
    instants their chat prompts are due (what the worker's timetable needs, without reading them back).

    A plain multi-row INSERT, not ORM objects: a 10-week series is 80 rows, and scheduling answers while the
    coordinator waits. Their ``prompts`` collections load from the database when first read.
    """
    now = now_utc()
    rows = [dict(values, session_id=session.id, attempts=0, updated_at=now)
            for session in sessions for values in planned_rows(session, chat_prompts_setting)]
    if rows:
        db.session.execute(insert(Prompt.__table__), rows)
    return sorted({row["due_at"] for row in rows if row["status"] is PromptStatus.PENDING})


def stop_pending_prompts(session: GroupSession, reason: str) -> int:
    """Nothing more is posted for this session; returns how many prompts were stopped.

    A prompt a worker has already claimed is being posted right now: it is left to finish.
    """
    stopped = 0
    for prompt in session.prompts:
        if prompt.status is PromptStatus.PENDING:
            prompt.status = PromptStatus.SKIPPED
            prompt.reason = reason
            stopped += 1
    session.revision += 1
    return stopped
