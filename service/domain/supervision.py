"""What a supervisor's page shows, and the one thing they do there: mark a request to talk as followed up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from config import Settings
from service import links
from service.domain import practice
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.errors import NotFound
from service.domain.moderator_load import Load, moderator_loads
from service.extensions import db
from service.models import ActorKind, GroupSession, Member, MemberStatus, Organisation, Supervisor, TalkRequest


@dataclass(frozen=True)
class PracticeSlot:
    session: GroupSession
    console_url: str | None  # only on the sessions this supervisor leads


@dataclass(frozen=True)
class SupervisorPage:
    supervisor: Supervisor
    requests: list[TalkRequest]
    loads: list[Load]
    threshold: int
    sessions: list[PracticeSlot]
    in_groups: int
    zone: str  # the community's time zone (the supervisor has none of their own)


def open_requests(organisation_id: int) -> list[TalkRequest]:
    return list(db.session.execute(
        select(TalkRequest).where(TalkRequest.organisation_id == organisation_id, TalkRequest.done_at.is_(None))
        .order_by(TalkRequest.created_at)
    ).scalars())


def loads(organisation_id: int, now: datetime) -> tuple[list[Load], int]:
    organisation = db.session.get(Organisation, organisation_id)
    threshold = organisation.moderator_load_threshold if organisation else 4
    rows = [(m.email_key, m.display_name, m.starts_at) for m in practice.moderations(organisation_id, now)]
    return moderator_loads(rows, now, threshold), threshold


def page_for(supervisor: Supervisor, settings: Settings, now: datetime | None = None) -> SupervisorPage:
    from service.domain.supervisors import also_in_groups

    now = now or now_utc()
    mine = {m.id: m for m in db.session.execute(
        select(Member).where(Member.supervisor_id == supervisor.id, Member.status == MemberStatus.ACTIVE)).scalars()}
    slots = []
    for session in practice.practice_sessions(supervisor.organisation_id, now, upcoming_only=True)[:6]:
        leader = mine.get(session.moderator_id) if session.moderator_id is not None else None
        slots.append(PracticeSlot(session, links.console_url(settings, leader, session) if leader else None))
    load_list, threshold = loads(supervisor.organisation_id, now)
    groups = list(practice.communities(supervisor.organisation_id).values())
    zone = groups[0].timezone if groups else settings.DEFAULT_TIMEZONE
    return SupervisorPage(supervisor, open_requests(supervisor.organisation_id), load_list, threshold, slots,
                          also_in_groups(supervisor), zone)


def mark_done(supervisor: Supervisor, request_id: object, now: datetime | None = None) -> TalkRequest:
    request = db.session.get(TalkRequest, request_id) if isinstance(request_id, int) else None
    if request is None or request.organisation_id != supervisor.organisation_id:
        raise NotFound()
    if request.done_at is None:
        request.done_at = now or now_utc()
        request.done_by_id = supervisor.id
        record(Actor(ActorKind.SUPERVISOR, supervisor.id, supervisor.organisation_id), "talk_request.done",
               "talk_request", request.id)
    db.session.commit()
    return request
