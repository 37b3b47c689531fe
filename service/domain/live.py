"""A session while it runs: the real start, extra time, skipping ahead, keeping the planned end, the end.

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
from service.domain.prompts import REASON_SESSION_ENDED, REASON_STEP_SKIPPED, stop_pending_prompts
from service.extensions import db
from service.i18n import N_
from service.models import ActorKind, GroupSession, Prompt, PromptStatus, SessionStatus
from service.protocol import stretch

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


def planned_end(session: GroupSession) -> datetime:
    """When the session should end: its planned length counted from its (real) start."""
    prompts = ordered_prompts(session)
    if not prompts:
        return session.ends_at
    return anchor(session) + timedelta(seconds=sum(prompt.duration_seconds for prompt in prompts))


def live_end(session: GroupSession) -> datetime:
    """When the session ends as things stand now (extra time, steps skipped and the real start included)."""
    prompts = ordered_prompts(session)
    return max(prompt.expires_at for prompt in prompts) if prompts else session.ends_at


def can_keep_planned_end(session: GroupSession, now: datetime) -> bool:
    """Skipping ahead brought the end forward: the moderator may give the time back to the steps left.

    Not during the last step: the key message is not drawn out to fill the time (after "post the key message and
    end", the session ends with it)."""
    return (session.status is SessionStatus.SCHEDULED and current_prompt(session, now) is not None
            and next_prompt(session, now) is not None
            and live_end(session) < planned_end(session) - timedelta(seconds=1))


def key_message_ahead(session: GroupSession, now: datetime) -> Prompt | None:
    """The key message's row while it is still to come (ending now would leave it unsaid)."""
    prompts = ordered_prompts(session)
    last = prompts[-1] if prompts else None
    if last is None or last.step_key != "key_message" or last.due_at <= now:
        return None
    return last


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
            raise refuse("session_over", N_("La rencontre est terminée : il n’y a plus d’étape à décaler."))
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


def keep_planned_end(session: GroupSession, actor: Actor, now: datetime | None = None) -> None:
    """Give the time skipping ahead took back: the current step and those after it share the time up to the
    planned end, in the protocol's proportions (``protocol.stretch``). The current step never gets shorter."""
    now = now or now_utc()
    _check_live(session)
    current = current_prompt(session, now)
    if current is None or not can_keep_planned_end(session, now):
        raise refuse("end_already_planned", N_("La rencontre finit déjà à l’heure prévue : rien n’a été changé."))
    remaining = [current] + [p for p in ordered_prompts(session) if p.offset_seconds > current.offset_seconds]
    elapsed = int((now - current.due_at).total_seconds())
    left_in_current = max(current.duration_seconds - elapsed, int((current.expires_at - now).total_seconds()), 0)
    planned = [left_in_current] + [prompt.duration_seconds for prompt in remaining[1:]]
    available = int((planned_end(session) - now).total_seconds())
    lengths = stretch(planned, available)
    current.expires_at = now + timedelta(seconds=lengths[0])
    start = current.expires_at
    for prompt, seconds in zip(remaining[1:], lengths[1:]):
        prompt.due_at = start
        prompt.expires_at = start = start + timedelta(seconds=seconds)
    remaining[-1].expires_at = planned_end(session)  # to the instant (the shares are whole seconds)
    _changed(session, actor, "session.kept_end", seconds=available)


def close_with_key_message(session: GroupSession, actor: Actor, now: datetime | None = None) -> None:
    """Ending early without leaving the key message unsaid: it is posted now, the steps before it are skipped,
    and the session is over once the key message's own time has passed."""
    now = now or now_utc()
    _check_live(session)
    key_message = key_message_ahead(session, now)
    if key_message is None:
        raise refuse("key_message_not_ahead", N_("Le message clé est déjà en cours : terminez simplement la rencontre."))
    for prompt in ordered_prompts(session):
        if prompt is key_message:
            break
        if prompt.due_at > now:
            prompt.due_at = now
            if prompt.status is PromptStatus.PENDING:
                prompt.status, prompt.reason = PromptStatus.SKIPPED, REASON_STEP_SKIPPED
        prompt.expires_at = min(prompt.expires_at, now)
    key_message.due_at = now
    key_message.expires_at = now + timedelta(seconds=key_message.duration_seconds)
    _changed(session, actor, "session.closing")


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
