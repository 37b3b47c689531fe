"""What a participant's page shows: their next sessions, how to join, the agenda, the resources. Never anything
about the other members (no names, no count, no addresses)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select

from config import Settings
from service import links
from service.dates import clock_label, date_label, zone_label
from service.domain.timelines import timeline_for
from service.extensions import db
from service.models import GroupSession, MeetingStatus, Member, MemberRole, Organisation, SessionStatus
from service.protocol import SessionKind, SupportResource, render_agenda_html, support_resources

# Further sessions listed under the next one.
LATER_SESSIONS_SHOWN = 5


@dataclass(frozen=True)
class SessionCard:
    session: GroupSession
    date: str
    starts: str
    ends: str
    zone: str
    join_url: str | None
    console_url: str | None  # only on the page of that session's moderator


@dataclass(frozen=True)
class ParticipantView:
    member: Member
    next: SessionCard | None
    agenda: Markup | None
    later: list[SessionCard]
    resources: list[SupportResource]


def sessions_for(member: Member, now: datetime) -> list[GroupSession]:
    """The member's sessions not over yet: what their invitations cover.

    A rehearsal concerns only the person rehearsing; an external moderator is invited only to the sessions they
    lead.
    """
    upcoming = db.session.execute(
        select(GroupSession)
        .where(GroupSession.group_id == member.group_id, GroupSession.status == SessionStatus.SCHEDULED)
        .order_by(GroupSession.starts_at)
    ).scalars()
    mine = []
    for session in upcoming:
        if session.ends_at <= now:
            continue
        leads = session.moderator_id == member.id
        if (session.kind is SessionKind.REHEARSAL or member.role is MemberRole.EXTERNAL_MODERATOR) and not leads:
            continue
        mine.append(session)
    return mine


def _card(member: Member, session: GroupSession, settings: Settings, language: str) -> SessionCard:
    zone = session.timezone
    meeting = session.zoom_meeting
    ready = meeting is not None and meeting.status is MeetingStatus.READY and meeting.join_url
    leads = session.moderator_id == member.id
    return SessionCard(
        session=session,
        date=date_label(session.starts_at, zone, language),
        starts=clock_label(session.starts_at, zone, language),
        ends=clock_label(session.ends_at, zone, language),
        zone=zone_label(session.starts_at, zone, language),
        join_url=meeting.join_url if ready else None,
        console_url=links.console_url(settings, member, session) if leads else None,
    )


def participant_view(member: Member, now: datetime, settings: Settings, language: str | None = None) -> ParticipantView:
    """``language``: the page's (the member's own unless they switched with ?lang=); everything on it speaks it,
    the help resources included."""
    language = language or member.language
    sessions = sessions_for(member, now)
    cards = [_card(member, session, settings, language) for session in sessions[: LATER_SESSIONS_SHOWN + 1]]
    agenda = None
    if sessions:
        first = sessions[0]
        timeline = timeline_for(first, language)
        # The protocol engine escapes every text it renders.
        agenda = Markup(render_agenda_html(timeline, first.starts_at, first.timezone))
    organisation = db.session.get(Organisation, member.group.organisation_id)
    return ParticipantView(
        member=member,
        next=cards[0] if cards else None,
        agenda=agenda,
        later=cards[1:],
        resources=support_resources(language, organisation.support_resources if organisation else None),
    )
