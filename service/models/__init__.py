"""The data model (SQLAlchemy 2). Every time is aware UTC; every personal field goes with its group."""

from service.models.audit import ActorKind, AuditEvent
from service.models.base import Base, UTCDateTime, utcnow
from service.models.group import (
    CoordinatorRole,
    Group,
    GroupCoordinator,
    GroupStatus,
    Member,
    MemberRole,
    MemberStatus,
)
from service.models.invite import Invite, InviteMethod, InviteStatus
from service.models.meeting import MeetingStatus, ZoomMeeting
from service.models.organisation import ApiToken, Coordinator, Organisation
from service.models.practice import (
    Debrief,
    DebriefAnswer,
    DebriefMonthlyCount,
    PracticeOptOut,
    Supervisor,
    TalkRequest,
)
from service.models.poll import Poll, PollLetter, PollLetterKind, PollLetterStatus, PollResponse, PollStatus
from service.models.prompt import Prompt, PromptAudience, PromptStatus
from service.models.session import GroupSession, SeriesStatus, SessionSeries, SessionStatus, new_calendar_uid
from service.models.consent import ConsentSource
from service.models.volunteer import Volunteer, VolunteerStatus

__all__ = [
    "ActorKind",
    "ApiToken",
    "AuditEvent",
    "ConsentSource",
    "Base",
    "Coordinator",
    "CoordinatorRole",
    "Debrief",
    "DebriefAnswer",
    "DebriefMonthlyCount",
    "Group",
    "GroupCoordinator",
    "GroupSession",
    "GroupStatus",
    "Invite",
    "InviteMethod",
    "InviteStatus",
    "MeetingStatus",
    "Member",
    "MemberRole",
    "MemberStatus",
    "Organisation",
    "PracticeOptOut",
    "Poll",
    "PollLetter",
    "PollLetterKind",
    "PollLetterStatus",
    "PollResponse",
    "PollStatus",
    "Prompt",
    "PromptAudience",
    "PromptStatus",
    "SeriesStatus",
    "SessionSeries",
    "SessionStatus",
    "Supervisor",
    "TalkRequest",
    "UTCDateTime",
    "Volunteer",
    "VolunteerStatus",
    "ZoomMeeting",
    "new_calendar_uid",
    "utcnow",
]
