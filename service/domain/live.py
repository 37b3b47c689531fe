"""A session while it runs: the real start, extra time, skipping ahead, the end.

Every change moves the same prompt rows the worker posts from, so the meeting chat and the moderator console
never disagree. Rows keep their own due times (not recomputed from the plan), so successive changes add up:
a meeting that started 3 minutes late and then got "+2 minutes" has every later prompt 5 minutes on.

Each function is one unit of work, raises the session's ``revision`` (consoles poll it) and commits; the
worker is told the rows changed (``dispatch.schedule_prompts``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from service import dispatch
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.errors import refuse
from service.domain.prompts import REASON_SESSION_ENDED, stop_pending_prompts
from service.extensions import db
from service.i18n import N_
from service.models import ActorKind, GroupSession, Prompt, SessionStatus

# What "+2 minutes" adds.
EXTRA_TIME = timedelta(minutes=2)
# A meeting.started notice further than this from the plan is not about this occurrence (Zoom reuses ids).
START_WINDOW = timedelta(hours=2)


def ordered_prompts(session: GroupSession) -> list[Prompt]:
    return sorted(session.prompts, key=lambda prompt: prompt.offset_seconds)


def anchor(session: GroupSession) -> datetime:
    """When the session's first step is (now) due: the real start once known, else the planned one."""
    prompts = ordered_prompts(session)
    return prompts[0].due_at if prompts else (session.actual_started_at or session.starts_at)


def current_prompt(session: GroupSession, now: datetime) -> Prompt | None:
    """The step running at ``now`` (``None`` before the first step or once the last one is over)."""
    running = None
    for prompt in ordered_prompts(session):
        if prompt.due_at <= now:
            running = prompt
    if running is not None and running.expires_at <= now:
        return None
    return running


def next_prompt(session: GroupSession, now: datetime) -> Prompt | None:
    for prompt in ordered_prompts(session):
        if prompt.due_at > now:
            return prompt
    return None


def _shift(prompts: list[Prompt], delta: timedelta) -> None:
    for prompt in prompts:
        prompt.due_at += delta
        prompt.expires_at += delta


def _changed(session: GroupSession, actor: Actor, action: str, **details) -> None:
    session.revision += 1
    record(actor, action, "session", session.id, organisation_id=session.group.organisation_id, **details)
    dispatch.schedule_prompts([session.id])
    db.session.commit()


def _check_live(session: GroupSession) -> None:
    if session.status is not SessionStatus.SCHEDULED:
        raise refuse("session_not_live", N_("Cette rencontre est annulée ou terminée."))


def started(session: GroupSession, at: datetime, actor: Actor) -> bool:
    """The meeting really started at ``at``: every step moves so the welcome is due then.

    From Zoom (``meeting.started``) this is idempotent: a retried or late notice changes nothing once a start
    is known. The moderator's "the meeting started now" always re-anchors (they know best).
    """
    _check_live(session)
    from_zoom = actor.kind is ActorKind.SYSTEM
    if from_zoom and (session.actual_started_at is not None or abs(at - session.starts_at) > START_WINDOW):
        return False
    session.actual_started_at = at
    delta = at - anchor(session)
    _shift(ordered_prompts(session), delta)
    _changed(session, actor, "session.started", shift_seconds=int(delta.total_seconds()))
    return True


def add_time(session: GroupSession, actor: Actor, now: datetime | None = None, extra: timedelta = EXTRA_TIME) -> None:
    """"+2 minutes": the current step lasts longer and every later step moves on by as much."""
    now = now or now_utc()
    _check_live(session)
    prompts = ordered_prompts(session)
    current = current_prompt(session, now)
    if current is None:
        later = [p for p in prompts if p.due_at > now]
        if not later:
            raise refuse("session_over", N_("La rencontre est terminée : il n’y a plus d’étape à décaler."))
    else:
        current.expires_at += extra
        later = [p for p in prompts if p.offset_seconds > current.offset_seconds]
    _shift(later, extra)
    _changed(session, actor, "session.extra_time", seconds=int(extra.total_seconds()))


def next_step_now(session: GroupSession, actor: Actor, now: datetime | None = None) -> None:
    """Skip to the next step now: it and every step after it come forward."""
    now = now or now_utc()
    _check_live(session)
    upcoming = next_prompt(session, now)
    if upcoming is None:
        raise refuse("no_next_step", N_("C’est déjà la dernière étape."))
    current = current_prompt(session, now)
    if current is not None:
        current.expires_at = now
    delta = now - upcoming.due_at
    _shift([p for p in ordered_prompts(session) if p.offset_seconds >= upcoming.offset_seconds], delta)
    _changed(session, actor, "session.next_step", shift_seconds=int(delta.total_seconds()))


def ended(session: GroupSession, at: datetime, actor: Actor) -> bool:
    """The meeting is over: nothing more is posted. Idempotent (Zoom retries its notices)."""
    if session.status is SessionStatus.ENDED:
        return False
    if session.status is SessionStatus.CANCELLED:
        return False
    session.status = SessionStatus.ENDED
    session.actual_ended_at = at
    if session.actual_started_at is None:
        session.actual_started_at = min(at, anchor(session))
    stop_pending_prompts(session, REASON_SESSION_ENDED)
    for prompt in session.prompts:
        if prompt.expires_at > at:
            prompt.expires_at = max(at, prompt.due_at)
    _changed(session, actor, "session.ended")
    return True


def is_over(session: GroupSession, now: datetime) -> bool:
    """Ended or cancelled, or every step's time has passed (nobody pressed "end")."""
    if session.status is not SessionStatus.SCHEDULED:
        return True
    return bool(session.prompts) and all(prompt.expires_at <= now for prompt in session.prompts)


def flag_follow_up(session: GroupSession, needed: bool, actor: Actor, now: datetime | None = None) -> None:
    """After the session, the moderator may ask the coordinator to check in with the group (no content)."""
    if session.status is SessionStatus.CANCELLED or not is_over(session, now or now_utc()):
        raise refuse("session_not_over", N_("Vous pourrez demander un suivi une fois la rencontre terminée."))
    session.follow_up_needed = needed
    _changed(session, actor, "session.follow_up", needed=needed)
