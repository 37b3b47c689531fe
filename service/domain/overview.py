"""What the coordinator sees: read-only views of groups and sessions, with the live status of each.

Everything here reads rows (nothing is asked of Zoom or the mail server): the Zoom meeting's status, the
invitations' delivery, and the prompts posted. Each status is a :class:`Status` — a stable code for the API,
a tone for the page (ok / waiting / failed / neutral) and a French message id translated on demand, so the
page and the API always say the same thing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from service.domain import meetings
from service.domain.clock import now_utc
from service.domain.invite_status import DeliverySummary, delivery_summary
from service.domain.moderation import trained_members
from service.extensions import db
from service.i18n import N_, gettext
from service.models import (
    Group,
    GroupSession,
    MeetingStatus,
    Member,
    Prompt,
    PromptAudience,
    PromptStatus,
    SeriesStatus,
    SessionSeries,
    SessionStatus,
    ZoomMeeting,
)
from service.protocol import SessionKind

OK, WAITING, FAILED, NEUTRAL = "ok", "waiting", "failed", "neutral"
# Past sessions shown above the upcoming ones (what just happened is what a coordinator asks about).
RECENT_PAST = 3


@dataclass(frozen=True)
class Status:
    code: str
    tone: str
    message_id: str
    params: dict[str, object] = field(default_factory=dict)

    def text(self, language: str) -> str:
        # A "reason" parameter is itself a message id: it is translated too.
        params = {key: gettext(language, value) if key == "reason" else value for key, value in self.params.items()}
        return gettext(language, self.message_id, **params)

    def as_dict(self, language: str) -> dict[str, object]:
        return {"code": self.code, "tone": self.tone, "text": self.text(language)}


KIND_LABELS = {
    SessionKind.KICKOFF: N_("Rencontre de démarrage"),
    SessionKind.REGULAR: N_("Rencontre régulière"),
    SessionKind.REHEARSAL: N_("Répétition de la personne modératrice"),
    SessionKind.PRACTICE: N_("Communauté de pratique"),
}

# Why a meeting waits for something unexpected (the lifecycle names every reason it sets: meetings.WAITING_REASONS).
DEFAULT_WAITING_REASON = N_("Le service réessaie automatiquement.")


def meeting_status(meeting: ZoomMeeting | None, session: GroupSession | None = None) -> Status:
    if session is not None and session.status is SessionStatus.CANCELLED:
        return Status("cancelled", NEUTRAL, N_("Rencontre annulée"))
    if meeting is None:
        return Status("none", NEUTRAL, N_("Aucune réunion Zoom"))
    if meeting.status is MeetingStatus.READY:
        return Status("ready", OK, N_("Réunion Zoom prête"))
    if meeting.status is MeetingStatus.PENDING:
        return Status("pending", WAITING, N_("Réunion Zoom en préparation (quelques instants)"))
    if meeting.status is MeetingStatus.WAITING:
        reason = meetings.WAITING_REASONS.get(meeting.waiting_reason or "", DEFAULT_WAITING_REASON)
        return Status("waiting", WAITING, N_("Réunion Zoom en attente. %(reason)s"), {"reason": reason})
    if meeting.status is MeetingStatus.FAILED:
        return Status("failed", FAILED, meetings.FAILED_MESSAGE, {"error": meeting.last_error or "?"})
    if meeting.status is MeetingStatus.DELETED_IN_ZOOM:
        return Status("deleted_in_zoom", FAILED, meetings.DELETED_IN_ZOOM_MESSAGE)
    return Status("deleted", NEUTRAL, N_("Réunion Zoom supprimée"))


def invites_status(summary: DeliverySummary, meeting: ZoomMeeting | None) -> Status:
    if summary.total == 0:
        return Status("none", NEUTRAL, N_("Aucune invitation"))
    params = {"sent": summary.sent, "total": summary.total}
    if summary.failed:
        return Status("failed", FAILED, N_("Invitations envoyées : %(sent)s sur %(total)s — %(failed)s en échec"),
                      {**params, "failed": len(summary.failed)})
    if summary.pending and summary.updating == summary.pending:
        # Everyone waiting already has the previous version: an update is on its way, nothing failed.
        if meeting is not None and meeting.status is not MeetingStatus.READY:
            return Status("updating", WAITING,
                          N_("Invitations à jour : %(sent)s sur %(total)s — la mise à jour part dès que la réunion "
                             "Zoom est à jour"), params)
        return Status("updating", WAITING,
                      N_("Invitations à jour : %(sent)s sur %(total)s — la mise à jour est en cours d’envoi"), params)
    if summary.pending:
        if meeting is not None and meeting.status is not MeetingStatus.READY:
            return Status("waiting_for_meeting", WAITING,
                          N_("Invitations envoyées : %(sent)s sur %(total)s — les autres partent dès que la "
                             "réunion Zoom est prête"), params)
        return Status("sending", WAITING, N_("Invitations envoyées : %(sent)s sur %(total)s — envoi en cours"), params)
    return Status("sent", OK, N_("Invitations envoyées : %(sent)s sur %(total)s"), params)


@dataclass(frozen=True)
class PromptCounts:
    posted: int = 0
    total: int = 0
    failed: int = 0
    console_only: bool = False


def prompt_counts(session_ids: Sequence[int]) -> dict[int, PromptCounts]:
    """Chat prompts (audience everyone) per session: posted / total, in one query."""
    if not session_ids:
        return {}
    rows = db.session.execute(
        select(Prompt.session_id, Prompt.status, Prompt.reason, func.count())
        .where(Prompt.session_id.in_(list(session_ids)), Prompt.audience == PromptAudience.EVERYONE)
        .group_by(Prompt.session_id, Prompt.status, Prompt.reason)
    ).all()
    counted: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for session_id, status, reason, count in rows:
        bucket = counted[session_id]
        bucket["total"] += count
        if status is PromptStatus.POSTED:
            bucket["posted"] += count
        elif status is PromptStatus.FAILED:
            bucket["failed"] += count
        elif status is PromptStatus.SKIPPED and reason == "chat_disabled":
            bucket["console_only"] += count
    return {
        session_id: PromptCounts(b["posted"], b["total"], b["failed"], b["console_only"] == b["total"])
        for session_id, b in counted.items()
    }


def prompts_status(counts: PromptCounts, started: bool = True) -> Status:
    if counts.total == 0 or counts.console_only:
        return Status("console_only", NEUTRAL, N_("Questions affichées dans la console de la personne modératrice seulement"))
    params = {"posted": counts.posted, "total": counts.total}
    if not started and not counts.posted and not counts.failed:
        return Status("upcoming", NEUTRAL, N_("Messages dans Zoom : %(total)s à venir"), params)
    if counts.failed:
        return Status("failed", FAILED, N_("Messages publiés dans Zoom : %(posted)s sur %(total)s — %(failed)s non "
                                           "publiés"), {**params, "failed": counts.failed})
    tone = OK if counts.posted == counts.total else NEUTRAL
    return Status("posted", tone, N_("Messages publiés dans Zoom : %(posted)s sur %(total)s"), params)


def ended_status(session: GroupSession, meeting: Status) -> Status:
    """Once a session is over, its meeting's readiness is no longer news: say that it took place."""
    if meeting.code in ("ready", "deleted", "pending", "waiting"):
        return Status("ended", NEUTRAL, N_("Rencontre terminée"))
    return meeting  # a meeting refused or deleted in Zoom stays visible: the session may not have happened


# How long a follow-up flag stays on the list of groups (it stays on the session's own page).
FOLLOW_UP_SHOWN = timedelta(days=14)
FOLLOW_UP = Status("follow_up", WAITING, N_("Suivi demandé par la personne modératrice"))


@dataclass(frozen=True)
class SessionView:
    session: GroupSession
    kind_label: str  # message id
    moderator: Member | None
    meeting: Status
    invites: Status
    prompts: Status
    delivery: DeliverySummary
    is_past: bool
    is_live: bool
    can_change: bool
    follow_up: Status | None = None  # the moderator asked the coordinator to check in with the group

    @property
    def id(self) -> int:
        return self.session.id


def _view(session: GroupSession, counts: PromptCounts, now: datetime) -> SessionView:
    meeting = session.zoom_meeting
    delivery = delivery_summary(session)
    started = session.actual_started_at or session.starts_at
    ended = session.actual_ended_at or session.ends_at
    is_live = session.status is SessionStatus.SCHEDULED and started <= now < ended
    is_past = ended <= now or session.status is SessionStatus.ENDED
    meeting_now = meeting_status(meeting, session)
    if is_past and session.status is not SessionStatus.CANCELLED:
        meeting_now = ended_status(session, meeting_now)
    return SessionView(
        session=session,
        kind_label=KIND_LABELS[session.kind],
        moderator=session.moderator,
        meeting=meeting_now,
        invites=invites_status(delivery, meeting),
        prompts=prompts_status(counts, started=is_live or is_past),
        delivery=delivery,
        is_past=is_past,
        is_live=is_live,
        follow_up=FOLLOW_UP if session.follow_up_needed else None,
        can_change=session.status is SessionStatus.SCHEDULED and session.actual_started_at is None
        and session.starts_at > now,
    )


def session_views(group: Group, now: datetime | None = None, include_all: bool = False) -> list[SessionView]:
    """The group's recent and upcoming sessions (all of them with ``include_all``), in time order."""
    now = now or now_utc()
    query = select(GroupSession).where(GroupSession.group_id == group.id).order_by(GroupSession.starts_at)
    sessions = list(db.session.execute(query).scalars())
    if not include_all:
        past = [s for s in sessions if s.ends_at <= now][-RECENT_PAST:]
        sessions = past + [s for s in sessions if s.ends_at > now]
    counts = prompt_counts([s.id for s in sessions])
    return [_view(s, counts.get(s.id, PromptCounts()), now) for s in sessions]


def session_view(session: GroupSession, now: datetime | None = None) -> SessionView:
    now = now or now_utc()
    return _view(session, prompt_counts([session.id]).get(session.id, PromptCounts()), now)


@dataclass(frozen=True)
class SeriesLine:
    """A series' shared statuses (one Zoom meeting, one invitation per person), shown once above its rows."""

    series: SessionSeries
    meeting: Status
    invites: Status
    first: GroupSession  # its first occurrence still ahead

    def covers(self, view: SessionView) -> bool:
        """Whether ``view``'s meeting and invitations say the same as the series' (nothing of its own to say)."""
        return view.meeting == self.meeting and view.invites == self.invites


def series_lines(views: Sequence[SessionView]) -> dict[int, SeriesLine]:
    """By series id: the statuses of each series' first occurrence still ahead (none for a series all past)."""
    lines: dict[int, SeriesLine] = {}
    for view in views:
        session = view.session
        if session.series_id is None or session.series_id in lines or view.is_past:
            continue
        if session.status is SessionStatus.CANCELLED:
            continue
        lines[session.series_id] = SeriesLine(session.series, view.meeting, view.invites, session)
    return lines


def active_series(group: Group) -> list[SessionSeries]:
    return list(db.session.execute(
        select(SessionSeries).where(SessionSeries.group_id == group.id, SessionSeries.status == SeriesStatus.ACTIVE)
        .order_by(SessionSeries.first_date)
    ).scalars())


def has_kickoff(group: Group) -> bool:
    return db.session.execute(
        select(GroupSession.id).where(GroupSession.group_id == group.id, GroupSession.kind == SessionKind.KICKOFF,
                                      GroupSession.status != SessionStatus.CANCELLED)
    ).first() is not None


@dataclass(frozen=True)
class GroupSummary:
    group: Group
    member_count: int
    trained_count: int
    next_session: GroupSession | None
    problems: int  # sessions ahead whose meeting or invitations failed
    follow_ups: int = 0  # sessions of the last weeks whose moderator asked the coordinator to check in


def group_summaries(groups: Sequence[Group], now: datetime | None = None) -> list[GroupSummary]:
    now = now or now_utc()
    summaries = []
    for group in groups:
        upcoming = list(db.session.execute(
            select(GroupSession).where(GroupSession.group_id == group.id, GroupSession.starts_at > now - timedelta(
                hours=2), GroupSession.status == SessionStatus.SCHEDULED).order_by(GroupSession.starts_at)
        ).scalars())
        upcoming = [s for s in upcoming if s.ends_at > now]
        problems = sum(1 for s in upcoming[:12] if _has_problem(s))
        follow_ups = db.session.execute(
            select(func.count()).select_from(GroupSession).where(
                GroupSession.group_id == group.id, GroupSession.follow_up_needed.is_(True),
                GroupSession.starts_at > now - FOLLOW_UP_SHOWN, GroupSession.starts_at <= now)
        ).scalar_one()
        summaries.append(GroupSummary(group, len(group.active_members), len(trained_members(group)),
                                      upcoming[0] if upcoming else None, problems, follow_ups))
    return summaries


def _has_problem(session: GroupSession) -> bool:
    meeting = session.zoom_meeting
    if meeting is not None and meeting.status in (MeetingStatus.FAILED, MeetingStatus.DELETED_IN_ZOOM):
        return True
    return bool(delivery_summary(session).failed)
