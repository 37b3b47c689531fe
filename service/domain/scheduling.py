"""Scheduling a group's sessions, and changing or cancelling them.

Each function is one unit of work: it checks the rules, writes the sessions, their prompt rows, the Zoom
meeting to create and the invitations to send, records the action, and commits. The worker does the rest
(Zoom, e-mail, chat) once the commit is done; nothing here waits for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from service import dispatch
from service.domain import invitations
from service.domain.audit import Actor, record
from service.domain.clock import now_utc, to_local, to_utc, weekly_dates
from service.domain.errors import DomainError, Violation, refuse
from service.domain.moderation import assign_moderators, group_history, has_a_moderator
from service.domain.occurrences import Occurrence, occurrences
from service.domain.schedule_questions import (
    QUESTIONS,
    as_typed,
    check_kickoff_order,
    check_local_times,
)
from service.domain.prompts import REASON_SESSION_CANCELLED, insert_prompts, stop_pending_prompts, write_prompts
from service.domain.organisation_settings import working_hours_of
from service.domain.rules import check_session_time, falls_in_working_hours
from service.extensions import current_settings, db
from service.i18n import N_
from service.models import (
    Group,
    GroupSession,
    GroupStatus,
    MeetingStatus,
    Member,
    MemberStatus,
    SeriesStatus,
    SessionSeries,
    SessionStatus,
    ZoomMeeting,
    new_calendar_uid,
)
from service.protocol import DURATION_RULES, SessionKind

# Zoom's recurring meetings hold at most 60 occurrences.
MAX_OCCURRENCES = 60
INTERVALS = (1, 2)


@dataclass(frozen=True)
class SeriesPlan:
    """A recurrence in the group's local time: the first date fixes the weekday."""

    first_date: date
    local_time: time
    duration_minutes: int = 30
    interval_weeks: int = 1
    occurrence_count: int | None = None
    until_date: date | None = None

    def dates(self) -> list[date]:
        return weekly_dates(self.first_date, self.interval_weeks, self.occurrence_count, self.until_date,
                            MAX_OCCURRENCES)


def _chat_prompts_setting() -> bool:
    return current_settings().CHAT_PROMPTS_ENABLED


def _check_group_active(group: Group) -> list[Violation]:
    if group.status is not GroupStatus.ACTIVE:
        return [Violation("group_deleted", N_("Ce groupe est en cours de suppression."))]
    return []


def _check_group_can_meet(group: Group) -> list[Violation]:
    if group.status is not GroupStatus.ACTIVE:
        return _check_group_active(group)
    if not has_a_moderator(group):
        return [Violation("no_moderator",
                          N_("Personne ne peut animer ce groupe : cochez « Formation en animation » pour au moins "
                             "un membre, ou indiquez une personne modératrice externe pour les premières rencontres."),
                          "moderator")]
    return []


def _check_supervisor_agreement(group: Group, local: datetime, duration: int, confirmed: bool) -> list[Violation]:
    if falls_in_working_hours(local, duration, working_hours_of(group.organisation_id)) and not confirmed:
        return [Violation("supervisor_agreement_required",
                          N_("Cette rencontre a lieu pendant les heures de travail : confirmez que l’accord des "
                             "personnes à qui les membres se rapportent a été obtenu (le guide l’exige). Cette confirmation n’est "
                             "transmise à personne."),
                          "supervisor_agreement")]
    return []


def _check_plan(plan: SeriesPlan) -> list[Violation]:
    violations = []
    if plan.interval_weeks not in INTERVALS:
        violations.append(Violation("interval_invalid", N_("Choisissez « chaque semaine » ou « aux deux semaines »."),
                                    "interval_weeks"))
    if (plan.occurrence_count is None) == (plan.until_date is None):
        violations.append(Violation("series_end_missing",
                                    N_("Indiquez le nombre de rencontres ou la date de la dernière."),
                                    "occurrence_count"))
    elif plan.occurrence_count is not None and not 1 <= plan.occurrence_count <= MAX_OCCURRENCES:
        violations.append(Violation("occurrence_count_out_of_range",
                                    N_("Une série compte de 1 à %(max)s rencontres."), "occurrence_count",
                                    {"max": MAX_OCCURRENCES}))
    elif plan.until_date is not None and plan.until_date < plan.first_date:
        violations.append(Violation("until_before_start",
                                    N_("La date de la dernière rencontre précède celle de la première."),
                                    "until_date"))
    return violations


def _new_session(group: Group, kind: SessionKind, starts_at: datetime, duration: int, centring: int) -> GroupSession:
    return GroupSession(
        group=group,
        group_id=group.id,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration,
        timezone=group.timezone,
        language=group.language,
        centring_variant=centring,
        revision=1,  # its plan (the prompt rows) is written with it
    )


def _commit_as_written() -> None:
    """Commit, keeping what was just written loaded: the answer shows the new sessions as written instead of
    reading every row back (the coordinator is waiting). The next commit expires them as usual."""
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


@dataclass(frozen=True)
class SeriesPreview:
    """A series before it is saved: every occurrence, the rules it breaks, and the questions to ask."""

    occurrences: list[Occurrence]
    violations: list[Violation]
    questions: list[Violation]


def _series_checks(group: Group, plan: SeriesPlan, now: datetime, supervisor_agreement: bool,
                   daylight_saving_confirmed: bool, before_kickoff_confirmed: bool,
                   kind: SessionKind = SessionKind.REGULAR) -> tuple[list[Violation], list[Occurrence]]:
    violations = _check_group_can_meet(group) + _check_plan(plan)
    if violations:
        return violations, []
    found = occurrences(plan.dates(), plan.local_time, group.timezone)
    first = found[0].starts_at
    violations += check_session_time(kind, first, plan.duration_minutes, now)
    violations += _check_supervisor_agreement(group, to_local(first, group.timezone), plan.duration_minutes,
                                              supervisor_agreement)
    violations += check_local_times(found, group.timezone, daylight_saving_confirmed)
    if kind is not SessionKind.PRACTICE:  # a community of practice has no kick-off
        violations += check_kickoff_order(group, kind, first, before_kickoff_confirmed, False)
    return violations, found


def preview_series(group: Group, plan: SeriesPlan, supervisor_agreement: bool = False,
                   daylight_saving_confirmed: bool = False, before_kickoff_confirmed: bool = False,
                   now: datetime | None = None) -> SeriesPreview:
    """What :func:`schedule_series` would do, without saving anything."""
    violations, found = _series_checks(group, plan, now or now_utc(), supervisor_agreement,
                                       daylight_saving_confirmed, before_kickoff_confirmed)
    return SeriesPreview(found, [v for v in violations if v.code not in QUESTIONS],
                         [v for v in violations if v.code in QUESTIONS])


def schedule_series(group: Group, plan: SeriesPlan, actor: Actor, supervisor_agreement: bool = False,
                    now: datetime | None = None, daylight_saving_confirmed: bool = False,
                    before_kickoff_confirmed: bool = False, kind: SessionKind = SessionKind.REGULAR,
                    before_commit: Callable[[SessionSeries], None] | None = None) -> SessionSeries:
    """A recurring series (weekly or every two weeks): one calendar event and one recurring Zoom meeting.

    ``kind`` is ``practice`` for the community of practice's series (``domain.practice``), else regular.
    ``before_commit`` (e.g. a poll's decision) writes what goes with the series, in the same transaction.
    """
    now = now or now_utc()
    violations, found = _series_checks(group, plan, now, supervisor_agreement, daylight_saving_confirmed,
                                       before_kickoff_confirmed, kind)
    if violations:
        raise DomainError(violations)

    meeting = ZoomMeeting(group_id=group.id, recurring=True)
    series = SessionSeries(
        group_id=group.id,
        interval_weeks=plan.interval_weeks,
        weekday=plan.first_date.weekday(),
        local_time=plan.local_time,
        timezone=group.timezone,
        duration_minutes=plan.duration_minutes,
        first_date=plan.first_date,
        occurrence_count=plan.occurrence_count,
        until_date=plan.until_date,
        zoom_meeting=meeting,
        supervisor_agreement_at=now if supervisor_agreement else None,
    )
    series.group = group
    history = group_history(group)
    sessions = []
    for index, planned in enumerate(found):
        starts_at = planned.starts_at
        session = _new_session(group, kind, starts_at, plan.duration_minutes, history.session_count + index)
        session.series = series
        session.original_starts_at = starts_at
        session.zoom_meeting = meeting
        session.supervisor_agreement_at = series.supervisor_agreement_at
        sessions.append(session)
    # Moderators are set before the first flush: each session goes in with one INSERT; then their prompt rows.
    assign_moderators(group, sessions, history)
    db.session.add_all([meeting, series, *sessions])
    db.session.flush()
    due_instants = insert_prompts(sessions, _chat_prompts_setting())
    invitations.series_scheduled(series, sessions)
    record(actor, "series.scheduled", "series", series.id, occurrences=len(sessions),
           interval_weeks=plan.interval_weeks, duration=plan.duration_minutes, supervisor_agreement=supervisor_agreement)
    db.session.flush()
    if before_commit is not None:
        before_commit(series)
    dispatch.sync_meeting(meeting.id)
    dispatch.schedule_instants(due_instants)
    _commit_as_written()
    return series


def schedule_session(group: Group, kind: SessionKind, local_start_at: datetime, duration_minutes: int | None,
                     actor: Actor, moderator: Member | None = None, supervisor_agreement: bool = False,
                     now: datetime | None = None, daylight_saving_confirmed: bool = False,
                     before_kickoff_confirmed: bool = False, second_kickoff_confirmed: bool = False) -> GroupSession:
    """A single session: the kick-off meeting, a one-off regular session, or a rehearsal for a new moderator.

    ``local_start_at`` is a wall-clock time in the group's zone (naive) or an aware datetime.
    """
    now = now or now_utc()
    kind = SessionKind(kind)
    duration = duration_minutes or DURATION_RULES[kind].default_minutes
    if kind is SessionKind.REHEARSAL:
        violations = _check_group_active(group)
    else:
        violations = _check_group_can_meet(group)
    if kind is SessionKind.REHEARSAL and (moderator is None or moderator.group_id != group.id
                                         or moderator.status is not MemberStatus.ACTIVE):
        violations.append(Violation("rehearsal_needs_moderator",
                                    N_("Choisissez la personne qui s’exerce à animer : elle seule est invitée à la "
                                       "répétition."), "moderator"))
    starts_at = to_utc(local_start_at, group.timezone)
    violations += check_session_time(kind, starts_at, duration, now)
    violations += _check_supervisor_agreement(group, to_local(starts_at, group.timezone), duration,
                                              supervisor_agreement)
    violations += check_local_times(as_typed(local_start_at, group.timezone), group.timezone,
                                    daylight_saving_confirmed)
    if group.status is GroupStatus.ACTIVE:
        violations += check_kickoff_order(group, kind, starts_at, before_kickoff_confirmed, second_kickoff_confirmed)
    if violations:
        raise DomainError(violations)

    history = group_history(group)
    meeting = ZoomMeeting(group_id=group.id, recurring=False)
    session = _new_session(group, kind, starts_at, duration, history.session_count)
    session.zoom_meeting = meeting
    session.supervisor_agreement_at = now if supervisor_agreement else None
    session.calendar_uid = new_calendar_uid()
    if moderator is not None:
        session.moderator = moderator
    assign_moderators(group, [session], history)
    db.session.add_all([meeting, session])
    db.session.flush()
    due_instants = insert_prompts([session], _chat_prompts_setting())
    invitations.session_scheduled(session)
    record(actor, "session.scheduled", "session", session.id, kind=kind, duration=duration,
           supervisor_agreement=supervisor_agreement)
    db.session.flush()
    dispatch.sync_meeting(meeting.id)
    dispatch.schedule_instants(due_instants)
    _commit_as_written()
    return session


def _check_changeable(session: GroupSession, now: datetime) -> None:
    if session.status is not SessionStatus.SCHEDULED:
        raise refuse("session_not_scheduled", N_("Cette rencontre est annulée ou terminée : elle ne peut plus "
                                                 "changer."))
    if session.actual_started_at is not None or session.starts_at <= now:
        raise refuse("session_started", N_("Cette rencontre a déjà commencé : elle ne peut plus changer."))


def _meeting_needs_sync(meeting: ZoomMeeting | None) -> None:
    if meeting is None or meeting.status in (MeetingStatus.DELETED, MeetingStatus.DELETED_IN_ZOOM):
        return
    if meeting.status is not MeetingStatus.WAITING:
        meeting.status = MeetingStatus.PENDING
    db.session.flush()
    dispatch.sync_meeting(meeting.id)


def reschedule_session(session: GroupSession, local_start_at: datetime, duration_minutes: int | None,
                       actor: Actor, supervisor_agreement: bool = False, now: datetime | None = None,
                       daylight_saving_confirmed: bool = False) -> GroupSession:
    """Move one session (or one occurrence of a series) and/or change its length."""
    now = now or now_utc()
    _check_changeable(session, now)
    duration = duration_minutes or session.duration_minutes
    starts_at = to_utc(local_start_at, session.timezone)
    violations = check_session_time(session.kind, starts_at, duration, now)
    violations += _check_supervisor_agreement(session.group, to_local(starts_at, session.timezone), duration,
                                              supervisor_agreement)
    violations += check_local_times(as_typed(local_start_at, session.timezone), session.timezone,
                                    daylight_saving_confirmed)
    if violations:
        raise DomainError(violations)
    session.starts_at = starts_at
    session.duration_minutes = duration
    if supervisor_agreement:
        session.supervisor_agreement_at = now
    write_prompts(session, _chat_prompts_setting())
    invitations.session_changed(session)
    _meeting_needs_sync(session.zoom_meeting)
    record(actor, "session.rescheduled", "session", session.id, duration=duration)
    dispatch.schedule_prompts([session.id])
    db.session.commit()
    return session


@dataclass(frozen=True)
class SeriesMove:
    """A series' sessions still ahead before they move: where each starts now and where it would start."""

    sessions: list[GroupSession]
    previous: list[datetime]  # aware UTC: where each session starts now
    occurrences: list[Occurrence]  # where each would start, daylight-saving issues marked
    duration_minutes: int
    refusals: list[Violation]  # every rule broken and question asked, in the order the checks run

    @property
    def violations(self) -> list[Violation]:
        return [v for v in self.refusals if v.code not in QUESTIONS]

    @property
    def questions(self) -> list[Violation]:
        return [v for v in self.refusals if v.code in QUESTIONS]

    @property
    def fingerprint(self) -> str:
        """Which sessions go from where to where: a confirmation moves only what was previewed (a session
        cancelled or moved in between changes it)."""
        moves = [(s.id, old.isoformat(), new.starts_at.isoformat())
                 for s, old, new in zip(self.sessions, self.previous, self.occurrences)]
        return hashlib.sha256(repr([moves, self.duration_minutes]).encode()).hexdigest()[:16]


def _series_move(series: SessionSeries, local_time: time, duration_minutes: int, weekday: int | None,
                 supervisor_agreement: bool, daylight_saving_confirmed: bool, now: datetime) -> SeriesMove:
    """Where the sessions still ahead would go, and the rules the move breaks; a series that cannot move at
    all (cancelled, over, no such weekday) is refused outright."""
    if series.status is not SeriesStatus.ACTIVE:
        raise refuse("series_cancelled", N_("Cette série est annulée : elle ne peut plus changer."))
    upcoming = [s for s in series.sessions if s.status is SessionStatus.SCHEDULED and s.starts_at > now
                and s.actual_started_at is None]
    if not upcoming:
        raise refuse("series_over", N_("Il ne reste aucune rencontre à venir dans cette série."))
    weekday = series.weekday if weekday is None else weekday
    if not 0 <= weekday <= 6:
        raise refuse("weekday_invalid", N_("Choisissez un jour de la semaine."), "weekday")
    shift_days = (weekday - series.weekday) % 7
    days = [to_local(session.original_starts_at or session.starts_at, series.timezone).date()
            + timedelta(days=shift_days) for session in upcoming]
    found = occurrences(days, local_time, series.timezone)
    first = found[0].starts_at
    violations = check_session_time(upcoming[0].kind, first, duration_minutes, now)
    violations += check_local_times(found, series.timezone, daylight_saving_confirmed)
    violations += _check_supervisor_agreement(series.group, to_local(first, series.timezone), duration_minutes,
                                              supervisor_agreement)
    return SeriesMove(upcoming, [s.starts_at for s in upcoming], found, duration_minutes, violations)


def preview_series_move(series: SessionSeries, local_time: time, duration_minutes: int,
                        weekday: int | None = None, supervisor_agreement: bool = False,
                        now: datetime | None = None, daylight_saving_confirmed: bool = False) -> SeriesMove:
    """What :func:`reschedule_series` would do, without changing anything."""
    return _series_move(series, local_time, duration_minutes, weekday, supervisor_agreement,
                        daylight_saving_confirmed, now or now_utc())


def reschedule_series(series: SessionSeries, local_time: time, duration_minutes: int, actor: Actor,
                      weekday: int | None = None, supervisor_agreement: bool = False,
                      now: datetime | None = None, daylight_saving_confirmed: bool = False,
                      previewed: str | None = None) -> SessionSeries:
    """Change the time (and weekday, length) of every occurrence still ahead; past ones stay as they were.

    ``previewed`` (a :attr:`SeriesMove.fingerprint`): move only if the series would move exactly as shown."""
    now = now or now_utc()
    move = _series_move(series, local_time, duration_minutes, weekday, supervisor_agreement,
                        daylight_saving_confirmed, now)
    if move.refusals:
        raise DomainError(move.refusals)
    if previewed is not None and previewed != move.fingerprint:
        raise refuse("series_changed", N_("Les dates ont changé depuis leur affichage (une rencontre annulée ou "
                                          "déplacée entre-temps, par exemple) : vérifiez-les ci-dessous. Rien n’a "
                                          "été déplacé."))
    moved = list(zip(move.sessions, (o.starts_at for o in move.occurrences)))
    for session, new_start in moved:
        session.starts_at = new_start
        session.original_starts_at = new_start
        session.duration_minutes = duration_minutes
        write_prompts(session, _chat_prompts_setting())
    first_upcoming_day = to_local(moved[0][1], series.timezone).date()
    series.first_date = first_upcoming_day
    if series.occurrence_count is not None:
        series.occurrence_count = len(moved)
    series.local_time = local_time
    series.weekday = series.weekday if weekday is None else weekday
    series.duration_minutes = duration_minutes
    if supervisor_agreement:
        series.supervisor_agreement_at = now
    invitations.series_changed(series)
    _meeting_needs_sync(series.zoom_meeting)
    record(actor, "series.rescheduled", "series", series.id, occurrences=len(moved), duration=duration_minutes)
    dispatch.schedule_prompts([s.id for s, _ in moved])
    db.session.commit()
    return series


def cancel_session(session: GroupSession, actor: Actor, now: datetime | None = None) -> GroupSession:
    now = now or now_utc()
    _check_changeable(session, now)
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    stop_pending_prompts(session, REASON_SESSION_CANCELLED)
    invitations.session_cancelled(session)
    _meeting_needs_sync(session.zoom_meeting)
    record(actor, "session.cancelled", "session", session.id)
    db.session.commit()
    return session


def cancel_series(series: SessionSeries, actor: Actor, now: datetime | None = None) -> SessionSeries:
    """Cancel every occurrence still ahead, the calendar event and the Zoom meeting."""
    now = now or now_utc()
    if series.status is SeriesStatus.CANCELLED:
        return series
    series.status = SeriesStatus.CANCELLED
    cancelled = 0
    for session in series.sessions:
        if session.status is SessionStatus.SCHEDULED and session.starts_at > now and session.actual_started_at is None:
            session.status = SessionStatus.CANCELLED
            session.cancelled_at = now
            stop_pending_prompts(session, REASON_SESSION_CANCELLED)
            cancelled += 1
    invitations.series_cancelled(series)
    _meeting_needs_sync(series.zoom_meeting)
    record(actor, "series.cancelled", "series", series.id, occurrences=cancelled)
    db.session.commit()
    return series


def change_moderator(session: GroupSession, moderator: Member, actor: Actor, now: datetime | None = None) -> None:
    now = now or now_utc()
    _check_changeable(session, now)
    if moderator.group_id != session.group_id or moderator.status is not MemberStatus.ACTIVE:
        raise refuse("moderator_not_in_group", N_("Cette personne ne fait pas partie du groupe."), "moderator")
    previous = session.moderator
    if previous is not None and previous.id == moderator.id:
        return
    session.moderator = moderator
    session.revision += 1
    # Only the two moderators' copies change (the console link goes from one to the other).
    invitations.session_changed(session, only=[m for m in (previous, moderator) if m is not None])
    record(actor, "session.moderator_changed", "session", session.id)
    db.session.commit()


def upcoming_sessions(group: Group, now: datetime | None = None) -> Sequence[GroupSession]:
    now = now or now_utc()
    return (
        db.session.query(GroupSession)
        .filter(GroupSession.group_id == group.id, GroupSession.starts_at > now)
        .order_by(GroupSession.starts_at)
        .all()
    )
