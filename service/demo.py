"""A newcomer's first ten minutes (``flask demo``): an organisation, a coordinator, a group and a rehearsal that
starts two minutes later, through the same domain services as the pages — and the links to open.

Development and test only: it invents people at example addresses (their mail goes to the outbox folder).
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import datetime, timedelta

from config import Settings
from service import links
from service.domain import groups, scheduling
from service.domain.audit import Actor
from service.domain.clock import now_utc
from service.domain.coordinators import create_coordinator
from service.domain.groups import GroupDraft
from service.domain.rules import MemberDraft
from service.extensions import db
from service.models import GroupSession, MeetingStatus
from service.protocol import SessionKind

ORGANISATION = "Organisation de démonstration"
COORDINATOR_EMAIL = "coordination.demo@exemple.ca"
# First names that exercise the French the service writes (elision: « d’Éloïse », « d’Hélène »).
PEOPLE = [("Éloïse Demo", "eloise.demo@exemple.ca", True), ("Hélène Demo", "helene.demo@exemple.ca", False),
          ("Samuel Demo", "samuel.demo@exemple.ca", False), ("Camille Demo", "camille.demo@exemple.ca", False)]
STARTS_IN = timedelta(minutes=2)


@dataclass(frozen=True)
class Demo:
    coordinator_email: str
    api_token: str
    group_id: int
    session_id: int
    starts_at: datetime
    login_url: str
    group_url: str
    console_url: str
    participant_url: str
    sandbox_url: str | None  # the sandbox's list of meetings (None when talking to the real Zoom)
    meeting_url: str | None  # the meeting's own page, whose chat receives the prompts, once the worker made it


def build_demo(settings: Settings, email: str = COORDINATOR_EMAIL, now: datetime | None = None) -> Demo:
    now = now or now_utc()
    issued = create_coordinator(settings, email, "Coordination démo", ORGANISATION, label="demo")
    actor = Actor.coordinator(issued.coordinator)
    draft = GroupDraft(
        name=f"Groupe de démonstration {now:%Y-%m-%d %H:%M}", language="fr", timezone=settings.DEFAULT_TIMEZONE,
        members=[MemberDraft(name, address, "fr", None, trained) for name, address, trained in PEOPLE],
    )
    group = groups.create_group(draft, actor)
    moderator = next(m for m in group.active_members if m.is_trained_moderator)
    # A rehearsal: the person learning to moderate is its only guest; a demonstration may fall in working hours.
    session = scheduling.schedule_session(group, SessionKind.REHEARSAL, now + STARTS_IN, None, actor,
                                          moderator=moderator, supervisor_agreement=True, now=now)
    sandbox = settings.ZOOM_API_URL.removesuffix("/v2") + "/" if settings.ZOOM_MODE == "sandbox" else None
    return Demo(
        coordinator_email=issued.coordinator.email, api_token=issued.token, group_id=group.id,
        session_id=session.id, starts_at=session.starts_at,
        login_url=f"{settings.BASE_URL}/coordination/connexion",
        group_url=f"{settings.BASE_URL}/coordination/groupes/{group.id}",
        console_url=links.console_url(settings, moderator, session),
        participant_url=links.participant_url(settings, moderator),
        sandbox_url=sandbox, meeting_url=None,
    )


def wait_for_meeting(session_id: int, seconds: float, poll: float = 0.5) -> str | None:
    """The meeting's join link once a worker has created it (None after ``seconds``: no worker running?)."""
    deadline = clock.monotonic() + seconds
    while True:
        db.session.expire_all()
        session = db.session.get(GroupSession, session_id)
        meeting = session.zoom_meeting if session is not None else None
        if meeting is not None and meeting.status is MeetingStatus.READY and meeting.join_url:
            return meeting.join_url
        if clock.monotonic() >= deadline:
            return None
        clock.sleep(poll)
