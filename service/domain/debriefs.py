"""The moderator's 30-second debrief after a session they led, and « J'aimerais en parler ».

One answer per session (a second click changes it, never counts twice). Nothing about the session goes with it:
the supervisors are e-mailed the moderator's name and address only — never the group, its members, or anything
said (``talk_notices``). After 30 days answers are kept only as monthly counts (``debrief_retention``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.domain import live
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.errors import refuse
from service.effects import after_commit
from service.extensions import db
from service.i18n import N_
from service.models import Debrief, DebriefAnswer, GroupSession, Member, TalkRequest
from service.protocol import SessionKind

# Sessions a member leads for their group (a rehearsal is practice alone; a practice session is led by a supervisor).
DEBRIEFED_KINDS = (SessionKind.REGULAR, SessionKind.KICKOFF)


def offered(session: GroupSession, now: datetime) -> bool:
    """The console becomes a debrief once a session its moderator led is over (not cancelled)."""
    return (session.kind in DEBRIEFED_KINDS and session.moderator_id is not None
            and session.cancelled_at is None and live.is_over(session, now))


def answer_for(session: GroupSession) -> DebriefAnswer | None:
    return db.session.execute(select(Debrief.answer).where(Debrief.session_id == session.id)).scalar_one_or_none()


def record_debrief(session: GroupSession, member: Member, answer: DebriefAnswer, actor: Actor,
                   now: datetime | None = None) -> TalkRequest | None:
    """Keep the answer (once per session); « J'aimerais en parler » opens a request to talk, once."""
    now = now or now_utc()
    if not offered(session, now) or session.moderator_id != member.id:
        raise refuse("debrief_not_open", N_("Le bilan s’ouvre quand la rencontre que vous avez animée est terminée."))
    organisation_id = session.group.organisation_id
    debrief = db.session.execute(select(Debrief).where(Debrief.session_id == session.id)).scalar_one_or_none()
    if debrief is None:
        db.session.add(Debrief(organisation_id=organisation_id, session_id=session.id, answer=answer, created_at=now))
        record(actor, "debrief.recorded", "session", session.id)
    else:
        debrief.answer = answer
    request = None
    if answer is DebriefAnswer.TALK:
        request = db.session.execute(select(TalkRequest).where(TalkRequest.session_id == session.id)
                                     ).scalar_one_or_none()
        if request is None:
            request = TalkRequest(organisation_id=organisation_id, session_id=session.id,
                                  moderator_name=member.display_name, moderator_email=member.email,
                                  language=member.language, created_at=now)
            db.session.add(request)
            db.session.flush()
            record(actor, "talk_request.created", "talk_request", request.id)
            request_id = request.id
            after_commit(db.session(), lambda pipe: _enqueue_notice(request_id, pipe))
    try:
        db.session.commit()
    except IntegrityError:  # the same debrief sent twice at once: the other one counted it
        db.session.rollback()
    return request


def _enqueue_notice(request_id: int, pipe) -> None:
    from worker import queues

    queues.enqueue_talk_notice(request_id, pipe)
