"""Posting prompts into the meeting chat: which rows are due, claiming them, and recording what happened.

The database is the truth. A row is posted only by the worker that moved it from ``pending`` to ``claimed`` in
one conditional UPDATE, so two jobs (a duplicate, a retry, the sweep's re-release) can never both post it.
What happened is written back on the same row: ``posted`` with Zoom's message id, ``pending`` again with a
``next_attempt_at`` while a retry still makes sense, ``skipped`` (session over, too late) or ``failed`` with
the reason.

A post whose outcome is unknown (the worker died mid-call, the request timed out) is *checked* before it is
sent again: :attr:`PromptToPost.needs_check` tells the job to look in the channel for the text first.

Hot path: a rush-hour job claims hundreds of rows at once, so everything here is a handful of set-based
statements (Core, not one ORM object per row), and texts come from a cache of timelines.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, or_, select, update

from service.domain.clock import now_utc
from service.domain.prompts import REASON_SESSION_CANCELLED, REASON_SESSION_ENDED
from service.domain.timelines import round_table_size
from service.extensions import db
from service.models import (
    GroupSession,
    MeetingStatus,
    Member,
    MemberStatus,
    Prompt,
    PromptAudience,
    PromptStatus,
    SessionStatus,
    ZoomMeeting,
)
from service.protocol import SessionKind, build_timeline

REASON_TOO_LATE = "too_late"
REASON_MEETING_NOT_READY = "meeting_not_ready"
REASON_WORKER_LOST = "worker_lost"
REASON_NOT_A_CHAT_STEP = "not_a_chat_step"

# A meeting still being created in Zoom is looked at again this often while its prompt is still useful.
MEETING_NOT_READY_RETRY = timedelta(seconds=5)
# The first retry after a refused post, doubled each time up to the cap (Zoom's Retry-After wins if longer):
# 0.1, 0.2, 0.4, 0.8, 1.6, 3.2 s — a 503, a 504 or a lost answer is usually over within the step's first seconds
# (from 0.25 s: the rows retried three times made the tail of the faults benchmark). Every attempt still takes
# its slot in the account's shared rate budget (``integrations.zoom.ratelimit``), and a 429 pauses every process.
FIRST_BACKOFF = timedelta(seconds=0.1)
MAX_BACKOFF = timedelta(seconds=8)
# A prompt is not worth posting when less than this is left of its step.
MIN_USEFUL_REMAINDER = timedelta(seconds=5)


class Outcome(str, enum.Enum):
    POSTED = "posted"
    RETRY = "retry"  # back to pending, tried again at ``retry_at``
    SKIPPED = "skipped"  # not posted on purpose (session over, too late)
    FAILED = "failed"  # Zoom kept refusing while it was still useful


@dataclass(frozen=True)
class PromptToPost:
    prompt_id: int
    session_id: int
    step_key: str
    due_at: datetime
    expires_at: datetime
    attempts: int  # including this one
    host_user: str
    channel_id: str
    text: str

    @property
    def needs_check(self) -> bool:
        """An earlier attempt may have reached Zoom: look in the channel before posting again. (A claim a dead
        job never acted on is not counted as an attempt: ``release_claims``.)"""
        return self.attempts > 1


@dataclass(frozen=True)
class PostResult:
    prompt_id: int
    session_id: int
    outcome: Outcome
    message_id: str | None = None
    reason: str | None = None
    retry_at: datetime | None = None
    posted_at: datetime | None = None
    extra_attempts: int = 0  # tries made within the job after the claim's own


def _eligible(until: datetime):
    return and_(
        Prompt.status == PromptStatus.PENDING,
        Prompt.audience == PromptAudience.EVERYONE,
        Prompt.due_at <= until,
        or_(Prompt.next_attempt_at.is_(None), Prompt.next_attempt_at <= until),
    )


def claim_due(until: datetime, worker: str, now: datetime | None = None, limit: int = 2000) -> list[PromptToPost]:
    """Claim every pending prompt due by ``until`` and return those to post now, in due order.

    Rows that should not be posted any more are settled here (skipped with the reason); rows whose meeting is
    not ready yet go back to ``pending`` with a later attempt, or fail once their step is over.
    """
    now = now or now_utc()
    candidates = db.session.execute(
        select(Prompt.id).where(_eligible(until)).order_by(Prompt.due_at, Prompt.id).limit(limit)
    ).scalars().all()
    if not candidates:
        return []
    claimed_ids = db.session.execute(
        update(Prompt)
        .where(Prompt.id.in_(candidates), Prompt.status == PromptStatus.PENDING)
        .values(status=PromptStatus.CLAIMED, claimed_at=now, claimed_by=worker, attempts=Prompt.attempts + 1,
                updated_at=now)
        .returning(Prompt.id),
        execution_options={"synchronize_session": False},
    ).scalars().all()
    if not claimed_ids:
        db.session.commit()
        return []
    rows = db.session.execute(
        select(Prompt.id, Prompt.session_id, Prompt.step_key, Prompt.due_at, Prompt.expires_at, Prompt.attempts,
               GroupSession.status, GroupSession.kind, GroupSession.duration_minutes, GroupSession.language,
               GroupSession.centring_variant, GroupSession.group_id, ZoomMeeting.status, ZoomMeeting.host_user,
               ZoomMeeting.chat_channel_id)
        .join(GroupSession, GroupSession.id == Prompt.session_id)
        .outerjoin(ZoomMeeting, ZoomMeeting.id == GroupSession.zoom_meeting_id)
        .where(Prompt.id.in_(claimed_ids))
        .order_by(Prompt.due_at, Prompt.id)
    ).all()
    sizes = _group_sizes({row[11] for row in rows})
    to_post: list[PromptToPost] = []
    settled: list[PostResult] = []
    for (prompt_id, session_id, step_key, due_at, expires_at, attempts, session_status, kind, minutes, language,
         centring, group_id, meeting_status, host_user, channel_id) in rows:
        if session_status is not SessionStatus.SCHEDULED:
            reason = REASON_SESSION_CANCELLED if session_status is SessionStatus.CANCELLED else REASON_SESSION_ENDED
            settled.append(PostResult(prompt_id, session_id, Outcome.SKIPPED, reason=reason))
            continue
        if expires_at - MIN_USEFUL_REMAINDER <= now:
            settled.append(PostResult(prompt_id, session_id, Outcome.SKIPPED, reason=REASON_TOO_LATE))
            continue
        if meeting_status is not MeetingStatus.READY or not host_user or not channel_id:
            settled.append(retry_or_fail(prompt_id, session_id, expires_at, now, REASON_MEETING_NOT_READY,
                                         MEETING_NOT_READY_RETRY))
            continue
        text = chat_text(kind, minutes, sizes[group_id], language, centring, step_key)
        if text is None:  # the plan no longer has this step as a chat prompt
            settled.append(PostResult(prompt_id, session_id, Outcome.SKIPPED, reason=REASON_NOT_A_CHAT_STEP))
            continue
        to_post.append(PromptToPost(prompt_id, session_id, step_key, due_at, expires_at, attempts, host_user,
                                    channel_id, text))
    if settled:
        _write(settled, worker, now)
    db.session.commit()
    return to_post


def retry_or_fail(prompt_id: int, session_id: int, expires_at: datetime, now: datetime, reason: str,
                  wait: timedelta) -> PostResult:
    """Try again after ``wait`` if the step is still running by then; otherwise the prompt failed."""
    retry_at = now + wait
    if retry_at + MIN_USEFUL_REMAINDER >= expires_at:
        return PostResult(prompt_id, session_id, Outcome.FAILED, reason=reason)
    return PostResult(prompt_id, session_id, Outcome.RETRY, reason=reason, retry_at=retry_at)


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """How long to wait after the ``attempts``-th refused post (Zoom's ``Retry-After`` when it says more)."""
    wait = min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    return wait


def record(results: Sequence[PostResult], worker: str, now: datetime | None = None) -> None:
    """Write what happened to claimed rows (only rows this worker still holds) and commit."""
    if results:
        _write(results, worker, now or now_utc())
        db.session.commit()


_prompts = Prompt.__table__


def _write(results: Iterable[PostResult], worker: str, now: datetime) -> None:
    # Core statements on the table, run as one executemany each: rush hour writes hundreds of rows at once.
    posted, retries, settled = [], [], []
    for result in results:
        if result.outcome is Outcome.POSTED:
            posted.append({"pid": result.prompt_id, "message_id": result.message_id, "when": result.posted_at or now,
                           "extra": result.extra_attempts})
        elif result.outcome is Outcome.RETRY:
            retries.append({"pid": result.prompt_id, "why": result.reason, "retry_at": result.retry_at,
                            "extra": result.extra_attempts})
        else:
            final = PromptStatus.SKIPPED if result.outcome is Outcome.SKIPPED else PromptStatus.FAILED
            settled.append({"pid": result.prompt_id, "why": result.reason, "final": final,
                            "extra": result.extra_attempts})
    held = and_(_prompts.c.status == PromptStatus.CLAIMED, _prompts.c.claimed_by == worker)
    if posted:
        # One statement for the whole group (a CASE per column), not one per row: the hot path at rush hour.
        ids = [row["pid"] for row in posted]
        db.session.execute(update(_prompts).where(held, _prompts.c.id.in_(ids)).values(
            status=PromptStatus.POSTED, reason=None, next_attempt_at=None, updated_at=now,
            attempts=_prompts.c.attempts + case({row["pid"]: row["extra"] for row in posted}, value=_prompts.c.id,
                                                else_=0),
            posted_at=case({row["pid"]: row["when"] for row in posted}, value=_prompts.c.id),
            provider_message_id=case({row["pid"]: row["message_id"] for row in posted}, value=_prompts.c.id)))
    by_id = and_(held, _prompts.c.id == bindparam("pid"))
    if retries:
        db.session.execute(update(_prompts).where(by_id).values(
            status=PromptStatus.PENDING, reason=bindparam("why"), next_attempt_at=bindparam("retry_at"),
            attempts=_prompts.c.attempts + bindparam("extra"), claimed_by=None, claimed_at=None, updated_at=now),
            retries)
    if settled:
        db.session.execute(update(_prompts).where(by_id).values(
            status=bindparam("final"), reason=bindparam("why"), attempts=_prompts.c.attempts + bindparam("extra"),
            updated_at=now), settled)
    changed_sessions = {r.session_id for r in results if r.outcome is not Outcome.RETRY}
    if changed_sessions:
        raise_revisions(changed_sessions)


def raise_revisions(session_ids: Iterable[int]) -> None:
    """Consoles show each prompt's status: their sessions' revisions go up (published after the commit)."""
    from service.revisions import note_changed

    ids = sorted(set(session_ids))
    revised = db.session.execute(
        update(GroupSession).where(GroupSession.id.in_(ids)).values(revision=GroupSession.revision + 1)
        .returning(GroupSession.id, GroupSession.revision),
        execution_options={"synchronize_session": False},
    ).all()
    note_changed(db.session(), dict(revised))


def _group_sizes(group_ids: set[int]) -> dict[int, int]:
    """How many people each group's round table is timed for (``timelines.round_table_size``), in one query."""
    counts = dict(db.session.execute(
        select(Member.group_id, func.count()).where(Member.group_id.in_(group_ids),
                                                    Member.status == MemberStatus.ACTIVE)
        .group_by(Member.group_id)
    ).all())
    return {gid: round_table_size(counts.get(gid, 0)) for gid in group_ids}


def chat_text(kind: SessionKind, minutes: int, members: int, language: str, centring: int | None,
              step_key: str) -> str | None:
    """The words posted for ``step_key``: the one protocol definition, built once per kind of session."""
    timeline = build_timeline(kind, minutes, members, language, centring or 0)
    try:
        return timeline.step(step_key).chat_text
    except KeyError:
        return None


# --- the sweep ----------------------------------------------------------------------------------------------


def due_instants(horizon: datetime) -> list[datetime]:
    """Every instant a pending chat prompt is due (or may be retried) up to ``horizon``: the sweep puts them
    back on the timetable, so prompts survive a Redis that lost its data."""
    return _instants(_eligible(horizon))


def session_due_instants(session_ids: Sequence[int]) -> list[datetime]:
    """The instants the pending chat prompts of these sessions are due (after a plan changed)."""
    return _instants(and_(
        Prompt.session_id.in_(list(session_ids)), Prompt.status == PromptStatus.PENDING,
        Prompt.audience == PromptAudience.EVERYONE))


def _instants(condition) -> list[datetime]:
    """When the rows matching ``condition`` are next to be tried: their due time, or their retry time."""
    rows = db.session.execute(select(Prompt.due_at, Prompt.next_attempt_at).where(condition)).all()
    return sorted({max(due, retry) if retry is not None else due for due, retry in rows})


def claimers_until(until: datetime, other_than: str) -> set[str]:
    """Who else holds claimed rows due by ``until`` (a prompt job watches them, to take over if they die)."""
    return set(db.session.execute(
        select(Prompt.claimed_by).where(Prompt.status == PromptStatus.CLAIMED, Prompt.due_at <= until,
                                        Prompt.claimed_by != other_than).distinct()
    ).scalars())


def stale_claimers(now: datetime | None = None, grace: timedelta = timedelta(seconds=2)) -> set[str]:
    """Who holds claims older than ``grace`` (younger ones are surely being posted right now)."""
    now = now or now_utc()
    return set(db.session.execute(
        select(Prompt.claimed_by).where(Prompt.status == PromptStatus.CLAIMED, Prompt.claimed_at <= now - grace)
        .distinct()
    ).scalars())


def release_claims(claimers: set[str], attempted: Collection[int] | None, now: datetime | None = None) -> list[int]:
    """The rows these (dead) claimers held go back to ``pending``, to be claimed again by whoever has a thread
    free, oldest first. Returns the ids of the rows released.

    ``attempted``: the rows whose post they had sent (``worker.claims.attempted_by``), or None when unknown.
    Those are checked in the channel before any re-post (``PromptToPost.needs_check``); for the others the claim
    is not counted as an attempt, since nothing was sent."""
    if not claimers:
        return []
    now = now or now_utc()
    attempts = Prompt.attempts if attempted is None else case(
        (Prompt.id.in_(sorted(attempted)), Prompt.attempts), else_=Prompt.attempts - 1)
    released = db.session.execute(
        update(Prompt).where(Prompt.claimed_by.in_(sorted(claimers)), Prompt.status == PromptStatus.CLAIMED)
        .values(status=PromptStatus.PENDING, claimed_by=None, claimed_at=None, reason=REASON_WORKER_LOST,
                next_attempt_at=None, attempts=attempts, updated_at=now)
        .returning(Prompt.id),
        execution_options={"synchronize_session": False},
    ).scalars().all()
    db.session.commit()
    return list(released)
