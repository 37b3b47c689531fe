"""The Zoom meeting lifecycle: make Zoom match what the database plans for a :class:`ZoomMeeting`.

:func:`sync_meeting` is the one entry point (the worker's ``worker.jobs.meetings.sync_meeting`` calls it; the
scheduling services enqueue it after every change). It reads the sessions the meeting serves and:

- **creates** the meeting when it has none yet: a single session is one ``type 2`` meeting; a series is ONE
  ``type 8`` meeting whose rule comes from the series row, and whose occurrences are mapped onto
  ``GroupSession.zoom_occurrence_id`` by their start (``original_starts_at``). A host user is chosen from the
  pool first (``integrations.zoom.hosts``): no host exceeds its daily create/update calls, none gets two
  overlapping meetings;
- **updates** it otherwise: PATCHes only what differs (topic, agenda, times, passcode, settings, rule), then
  moves or cancels single occurrences whose session moved or was cancelled;
- **deletes** it once nothing it serves is still ahead (everything cancelled, or the group is being deleted).

The status says where it stands (``MeetingStatus``):

- ``READY`` — Zoom matches; ``invitations.meeting_ready`` lets the invitations that waited for the link go;
- ``WAITING`` — it cannot be done now for a reason that will pass; ``waiting_reason`` holds a code
  (:data:`WAITING_REASONS`, shown with :func:`waiting_message`) and ``next_attempt_at`` when to try again;
- ``FAILED`` — Zoom refused for good; ``last_error`` holds Zoom's message. A change to a session sets it back to
  ``PENDING``;
- ``DELETED`` — we deleted it; ``DELETED_IN_ZOOM`` — someone deleted it in Zoom (see ``zoom_notices``): the
  coordinator decides (:func:`recreate_meeting`).

**Retrying.** Transient trouble (Zoom unavailable, rate limited, a refused token, no host with room) never raises
out of :func:`sync_meeting`: the row becomes ``WAITING`` with ``next_attempt_at`` (backing off, or Zoom's
``Retry-After``, or the next 00:00 UTC for a daily quota) and the worker's periodic sweep re-enqueues the ids
:func:`meetings_needing_sync` returns. Only unexpected errors (database, bugs) propagate to RQ.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from integrations.zoom import (
    MeetingInfo,
    MeetingSpec,
    Recurrence,
    Zoom,
    ZoomAuthError,
    ZoomError,
    ZoomInvalidRequest,
    ZoomNotFound,
    ZoomRateLimited,
    zoom_from_settings,
)
from integrations.zoom.hosts import Interval, pick_host
from integrations.zoom.meetings import changes_between, new_passcode
from service.domain import invitations
from service.domain.audit import Actor, record
from service.domain.clock import local_start, now_utc, weekly_dates
from service.domain.prompts import chat_enabled_for
from service.domain.timelines import timeline_for
from service.domain.titles import event_title
from service.extensions import current_settings, db
from service.i18n import N_, gettext
from service.models import (
    GroupSession,
    GroupStatus,
    MeetingStatus,
    SeriesStatus,
    SessionSeries,
    SessionStatus,
    ZoomMeeting,
)
from service.protocol import render_zoom_agenda

log = logging.getLogger(__name__)

REASON_HOSTS_BUSY = "hosts_busy"
REASON_HOSTS_DAILY_LIMIT = "hosts_daily_limit"
REASON_NO_HOSTS = "no_hosts_configured"
REASON_ZOOM_UNAVAILABLE = "zoom_unavailable"
REASON_ZOOM_RATE_LIMITED = "zoom_rate_limited"
REASON_ZOOM_CREDENTIALS = "zoom_credentials"
REASON_MEETING_IN_PROGRESS = "meeting_in_progress"
WAITING_REASONS = {
    REASON_HOSTS_BUSY: N_("Tous les comptes Zoom d’animation ont déjà une rencontre à l’une de ces heures. La "
                          "rencontre Zoom sera créée dès qu’un compte se libère; vous pouvez aussi choisir une "
                          "autre heure."),
    REASON_HOSTS_DAILY_LIMIT: N_("Zoom limite le nombre de rencontres créées ou modifiées par jour. La rencontre "
                                 "Zoom sera créée après minuit (heure universelle)."),
    REASON_NO_HOSTS: N_("Aucun compte Zoom d’animation n’est configuré. La personne qui administre le service "
                        "doit en ajouter un."),
    REASON_ZOOM_UNAVAILABLE: N_("Zoom ne répond pas pour le moment. Nouvel essai automatique sous peu."),
    REASON_ZOOM_RATE_LIMITED: N_("Zoom demande de patienter. Nouvel essai automatique sous peu."),
    REASON_ZOOM_CREDENTIALS: N_("Zoom refuse la connexion du service. La personne qui administre le service doit "
                                "vérifier les identifiants Zoom; nouvel essai automatique ensuite."),
    REASON_MEETING_IN_PROGRESS: N_("La rencontre Zoom est en cours : elle sera supprimée une fois terminée."),
}
FAILED_MESSAGE = N_("Zoom a refusé de créer ou de modifier la rencontre : %(error)s")
DELETED_IN_ZOOM_MESSAGE = N_("Quelqu’un a supprimé cette rencontre directement dans Zoom. Recréez-la pour que les "
                             "personnes reçoivent un nouveau lien.")

# How often a meeting waiting for a free host is tried again (a cancellation elsewhere also wakes it).
HOSTS_BUSY_RETRY = timedelta(minutes=15)
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(minutes=30)
# Past its end, an occurrence is history: we neither move nor delete it.
ACTIVE_STATUSES = (MeetingStatus.PENDING, MeetingStatus.WAITING, MeetingStatus.READY)


class _Wait(Exception):
    """The meeting cannot be synced now: wait for ``reason`` until ``retry_at``."""

    def __init__(self, reason: str, retry_at: datetime):
        super().__init__(reason)
        self.reason, self.retry_at = reason, retry_at


def current_zoom() -> Zoom:
    return zoom_from_settings(current_settings(), current_app.extensions["redis"])


def waiting_message(meeting: ZoomMeeting, language: str) -> str | None:
    """What the coordinator reads about a meeting that is not ready (None when it is)."""
    if meeting.status is MeetingStatus.WAITING and meeting.waiting_reason in WAITING_REASONS:
        return gettext(language, WAITING_REASONS[meeting.waiting_reason])
    if meeting.status is MeetingStatus.FAILED:
        return gettext(language, FAILED_MESSAGE, error=meeting.last_error or "?")
    if meeting.status is MeetingStatus.DELETED_IN_ZOOM:
        return gettext(language, DELETED_IN_ZOOM_MESSAGE)
    return None


@dataclass
class _Plan:
    meeting: ZoomMeeting
    sessions: list[GroupSession]  # every session the meeting serves
    upcoming: list[GroupSession]  # scheduled and not over yet
    series: SessionSeries | None

    @property
    def group(self):
        return self.sessions[0].group if self.sessions else None


def _plan(meeting: ZoomMeeting, now: datetime) -> _Plan:
    sessions = list(db.session.execute(
        select(GroupSession).where(GroupSession.zoom_meeting_id == meeting.id).order_by(GroupSession.starts_at)
    ).scalars())
    series = db.session.execute(
        select(SessionSeries).where(SessionSeries.zoom_meeting_id == meeting.id)
    ).scalar_one_or_none()
    upcoming = [s for s in sessions if s.status is SessionStatus.SCHEDULED and s.ends_at > now]
    if series is not None and series.status is SeriesStatus.CANCELLED:
        upcoming = [s for s in upcoming if s.actual_started_at is not None]
    return _Plan(meeting, sessions, upcoming, series)


def _spec(plan: _Plan) -> MeetingSpec:
    first = plan.upcoming[0]
    group = first.group
    passcode = plan.meeting.passcode or new_passcode()
    common = dict(
        topic=event_title(group, first.kind, first.language),
        agenda=render_zoom_agenda(timeline_for(first)),
        passcode=passcode,
        chat_enabled=chat_enabled_for(first, current_settings().CHAT_PROMPTS_ENABLED),
    )
    if plan.series is None:
        return MeetingSpec(start_time=first.starts_at, duration_minutes=first.duration_minutes,
                           timezone=first.timezone, **common)
    series = plan.series
    rule_dates = weekly_dates(series.first_date, series.interval_weeks, series.occurrence_count, series.until_date)
    return MeetingSpec(start_time=local_start(series.first_date, series.local_time, series.timezone),
                       duration_minutes=series.duration_minutes, timezone=series.timezone,
                       recurrence=Recurrence(series.interval_weeks, len(rule_dates)), **common)


def _retry_after(meeting: ZoomMeeting, now: datetime) -> datetime:
    delay = min(MAX_RETRY, FIRST_RETRY * (2 ** min(meeting.attempts, 10)))
    return now + delay


def _wait_for(error: ZoomError, meeting: ZoomMeeting, now: datetime) -> _Wait:
    if isinstance(error, ZoomRateLimited):
        return _Wait(REASON_HOSTS_DAILY_LIMIT if error.daily else REASON_ZOOM_RATE_LIMITED,
                     now + timedelta(seconds=max(error.retry_after, 1.0)))
    if isinstance(error, ZoomAuthError):
        return _Wait(REASON_ZOOM_CREDENTIALS, _retry_after(meeting, now))
    return _Wait(REASON_ZOOM_UNAVAILABLE, _retry_after(meeting, now))


# -- Host choice ---------------------------------------------------------------------------------------------

def _bookings(exclude_meeting_id: int, since: datetime) -> dict[str, list[Interval]]:
    """Every host's booked time: the upcoming sessions of the other meetings it holds."""
    rows = db.session.execute(
        select(ZoomMeeting.host_user, GroupSession.starts_at, GroupSession.duration_minutes)
        .join(GroupSession, GroupSession.zoom_meeting_id == ZoomMeeting.id)
        .where(ZoomMeeting.id != exclude_meeting_id, ZoomMeeting.host_user.is_not(None),
               ZoomMeeting.status.in_(ACTIVE_STATUSES), GroupSession.status == SessionStatus.SCHEDULED,
               GroupSession.starts_at > since - timedelta(days=1))
    ).all()
    booked: dict[str, list[Interval]] = {}
    for host, starts_at, minutes in rows:
        booked.setdefault(host, []).append(Interval(starts_at, starts_at + timedelta(minutes=minutes)))
    return booked


def _choose_host(plan: _Plan, zoom: Zoom, now: datetime, refused: set[str]) -> str:
    """Pick a host with quota and room (not in ``refused``: hosts Zoom does not know), and record it (committed)
    while holding the pool's lock."""
    settings = current_settings()
    if not settings.ZOOM_HOSTS:
        raise _Wait(REASON_NO_HOSTS, now + HOSTS_BUSY_RETRY)
    with zoom.hosts.assignment_lock():
        with_quota = zoom.hosts.with_quota()
        if not with_quota:
            raise _Wait(REASON_HOSTS_DAILY_LIMIT, zoom.hosts.quota_resets_at(now) + timedelta(minutes=1))
        usable = [h for h in with_quota if h not in refused]
        if not usable:
            raise _Wait(REASON_NO_HOSTS, now + HOSTS_BUSY_RETRY)  # Zoom knows none of the remaining hosts
        wanted = [Interval(s.starts_at, s.ends_at) for s in plan.upcoming]
        host = pick_host(settings.ZOOM_HOSTS, wanted, _bookings(plan.meeting.id, now),
                         settings.ZOOM_HOST_CONCURRENCY, timedelta(minutes=settings.ZOOM_HOST_BUFFER_MINUTES),
                         usable)
        if host is None:
            raise _Wait(REASON_HOSTS_BUSY, now + HOSTS_BUSY_RETRY)
        plan.meeting.host_user = host
        db.session.commit()  # other workers see the booking before the lock goes
    return host


def _spend(zoom: Zoom, host: str | None, now: datetime) -> None:
    """Count one create/update call against the host's day; wait until 00:00 UTC when none is left."""
    if host is not None and not zoom.hosts.spend(host):
        raise _Wait(REASON_HOSTS_DAILY_LIMIT, zoom.hosts.quota_resets_at(now) + timedelta(minutes=1))


# -- Create, update, delete ----------------------------------------------------------------------------------

def _store(meeting: ZoomMeeting, info: MeetingInfo) -> None:
    meeting.zoom_id = str(info.id)
    meeting.join_url = info.join_url
    meeting.passcode = info.password or meeting.passcode
    meeting.chat_channel_id = info.chat_channel_id


def _create(plan: _Plan, zoom: Zoom, now: datetime) -> MeetingInfo:
    meeting = plan.meeting
    refused: set[str] = set()
    while True:
        host = meeting.host_user
        if host is None or host not in current_settings().ZOOM_HOSTS or not zoom.hosts.has_quota(host):
            host = _choose_host(plan, zoom, now, refused)
        spec = _spec(plan)
        meeting.passcode = spec.passcode  # the same passcode if this attempt has to be repeated
        _spend(zoom, host, now)
        try:
            info = zoom.meetings.create(host, spec)
        except ZoomRateLimited as error:
            if not error.daily:
                raise
            zoom.hosts.exhaust(host)  # Zoom counted more than we did: this host is done for today
            meeting.host_user = None
            continue
        except ZoomNotFound:
            log.error("Zoom does not know host user of meeting %s: check ZOOM_HOSTS", meeting.id)
            refused.add(host)
            meeting.host_user = None
            continue
        _store(meeting, info)
        for session in plan.sessions:
            session.zoom_occurrence_id = None
        db.session.commit()  # never lose the id of a meeting that exists in Zoom
        record(Actor.system(), "meeting.created", "meeting", meeting.id, organisation_id=plan.group.organisation_id,
               recurring=meeting.recurring)
        return info


def _update(plan: _Plan, zoom: Zoom, now: datetime) -> MeetingInfo:
    meeting = plan.meeting
    info = zoom.meetings.get(meeting.zoom_id)
    spec = _spec(plan)
    changes = changes_between(spec, info)
    if changes:
        _spend(zoom, meeting.host_user, now)
        info = zoom.meetings.update(meeting.zoom_id, spec, info)
        if "recurrence" in changes:
            for session in plan.sessions:  # Zoom made new occurrences
                session.zoom_occurrence_id = None
        record(Actor.system(), "meeting.updated", "meeting", meeting.id, organisation_id=plan.group.organisation_id,
               fields=len(changes))
    _store(meeting, info)
    return info


def _reconcile_occurrences(plan: _Plan, info: MeetingInfo, zoom: Zoom, now: datetime) -> bool:
    """Map sessions onto occurrences, then move or cancel single occurrences. False if one vanished in Zoom."""
    meeting = plan.meeting
    by_id = {o.occurrence_id: o for o in info.occurrences}
    mapped = {s.zoom_occurrence_id for s in plan.sessions if s.zoom_occurrence_id in by_id}
    free = [o for o in info.occurrences if o.occurrence_id not in mapped]
    for session in plan.sessions:
        occurrence = by_id.get(session.zoom_occurrence_id or "")
        if occurrence is None and session.original_starts_at is not None:
            occurrence = next((o for o in free if o.start_time == session.original_starts_at), None)
            if occurrence is not None:
                free.remove(occurrence)
                session.zoom_occurrence_id = occurrence.occurrence_id
        if (occurrence is None or session.ends_at <= now or session.actual_started_at is not None
                or session.status is SessionStatus.ENDED):
            continue  # history, or running now: left as it is
        if session.status is SessionStatus.CANCELLED or session not in plan.upcoming:
            if not occurrence.deleted:
                zoom.meetings.delete(meeting.zoom_id, occurrence.occurrence_id)
        elif occurrence.deleted:
            return False
        elif occurrence.start_time != session.starts_at or occurrence.duration_minutes != session.duration_minutes:
            _spend(zoom, meeting.host_user, now)
            zoom.meetings.update_occurrence(meeting.zoom_id, occurrence.occurrence_id, session.starts_at,
                                            session.duration_minutes)
    return True


def _delete(plan: _Plan, zoom: Zoom) -> None:
    meeting = plan.meeting
    if meeting.zoom_id is not None:
        meeting.status = MeetingStatus.DELETED  # committed first: the meeting.deleted notice is then ours
        db.session.commit()
        try:
            zoom.meetings.delete(meeting.zoom_id)
        except ZoomInvalidRequest as error:
            if error.code == 3002:
                raise _Wait(REASON_MEETING_IN_PROGRESS, now_utc() + timedelta(minutes=10)) from None
            raise
    meeting.status = MeetingStatus.DELETED
    meeting.join_url = meeting.passcode = meeting.chat_channel_id = meeting.host_user = None
    meeting.waiting_reason = meeting.next_attempt_at = None
    group = plan.group
    record(Actor.system(), "meeting.deleted", "meeting", meeting.id,
           organisation_id=group.organisation_id if group is not None else None)


def _wake_meetings_waiting_for_a_host() -> None:
    from service import dispatch

    waiting = db.session.execute(
        select(ZoomMeeting).where(ZoomMeeting.status == MeetingStatus.WAITING,
                                  ZoomMeeting.waiting_reason == REASON_HOSTS_BUSY).limit(50)
    ).scalars()
    for other in waiting:
        other.next_attempt_at = None
        dispatch.sync_meeting(other.id)


def sync_meeting(meeting_id: int, now: datetime | None = None) -> MeetingStatus | None:
    """Make Zoom match the plans for this meeting (see the module docstring). Returns the new status."""
    meeting = db.session.get(ZoomMeeting, meeting_id)
    if meeting is None or meeting.status in (MeetingStatus.DELETED, MeetingStatus.DELETED_IN_ZOOM):
        return meeting.status if meeting is not None else None
    now = now or now_utc()
    plan = _plan(meeting, now)
    zoom = current_zoom()
    group = plan.group
    try:
        if not plan.upcoming or group is None or group.status is GroupStatus.DELETING:
            previous_host = meeting.host_user
            _delete(plan, zoom)
            if previous_host is not None:
                _wake_meetings_waiting_for_a_host()
        else:
            info = _create(plan, zoom, now) if meeting.zoom_id is None else _update(plan, zoom, now)
            if plan.series is not None and not _reconcile_occurrences(plan, info, zoom, now):
                meeting.status = MeetingStatus.DELETED_IN_ZOOM
                record(Actor.system(), "meeting.deleted_in_zoom", "meeting", meeting.id,
                       organisation_id=group.organisation_id, occurrence=True)
            else:
                meeting.status = MeetingStatus.READY
                invitations.meeting_ready(meeting.id)
            meeting.waiting_reason = meeting.next_attempt_at = meeting.last_error = None
            meeting.attempts = 0
            meeting.synced_at = now
    except _Wait as wait:
        _mark_waiting(meeting, wait.reason, wait.retry_at)
    except ZoomNotFound:
        # Gone from Zoom without a notice reaching us: the coordinator decides, as for a meeting.deleted.
        meeting.status = MeetingStatus.DELETED_IN_ZOOM
        record(Actor.system(), "meeting.deleted_in_zoom", "meeting", meeting.id,
               organisation_id=group.organisation_id if group else None)
    except ZoomInvalidRequest as error:
        meeting.status = MeetingStatus.FAILED
        meeting.last_error = f"{error.code or error.status}: {error.message}"[:500]
        meeting.waiting_reason = meeting.next_attempt_at = None
        log.error("Zoom refused meeting %s for good: %r", meeting.id, error)
        record(Actor.system(), "meeting.failed", "meeting", meeting.id,
               organisation_id=group.organisation_id if group else None, code=error.code)
        if meeting.host_user is not None and meeting.zoom_id is None:
            meeting.host_user = None  # the booking goes: the host is free for others
            _wake_meetings_waiting_for_a_host()
    except ZoomError as error:  # transient: unavailable, rate limited, refused token
        wait = _wait_for(error, meeting, now)
        log.warning("Zoom sync of meeting %s postponed (%s): %r", meeting.id, wait.reason, error)
        _mark_waiting(meeting, wait.reason, wait.retry_at)
    db.session.commit()
    return meeting.status


def _mark_waiting(meeting: ZoomMeeting, reason: str, retry_at: datetime) -> None:
    # Also after a failed deletion (status DELETED was committed first): WAITING makes the sweep try again.
    meeting.status = MeetingStatus.WAITING
    changed = meeting.waiting_reason != reason
    meeting.waiting_reason = reason
    meeting.next_attempt_at = retry_at
    meeting.attempts += 1
    if changed:
        record(Actor.system(), "meeting.waiting", "meeting", meeting.id, reason=reason)


def meetings_needing_sync(now: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of meetings the sweep should enqueue: PENDING ones, and WAITING ones whose next attempt is due."""
    now = now or now_utc()
    due = or_(ZoomMeeting.next_attempt_at.is_(None), ZoomMeeting.next_attempt_at <= now)
    return list(db.session.execute(
        select(ZoomMeeting.id)
        .where(ZoomMeeting.status.in_([MeetingStatus.PENDING, MeetingStatus.WAITING]), due)
        .order_by(ZoomMeeting.next_attempt_at.is_not(None), ZoomMeeting.next_attempt_at, ZoomMeeting.id)
        .limit(limit)
    ).scalars())


def recreate_meeting(meeting: ZoomMeeting, actor: Actor) -> ZoomMeeting:
    """The coordinator's answer to DELETED_IN_ZOOM (or FAILED): a new Zoom meeting, so a new join link."""
    from service import dispatch

    if meeting.status not in (MeetingStatus.DELETED_IN_ZOOM, MeetingStatus.FAILED):
        return meeting
    meeting.status = MeetingStatus.PENDING
    meeting.zoom_id = meeting.join_url = meeting.chat_channel_id = meeting.last_error = None
    meeting.waiting_reason = meeting.next_attempt_at = None
    meeting.attempts = 0
    db.session.flush()
    dispatch.sync_meeting(meeting.id)
    record(actor, "meeting.recreate_requested", "meeting", meeting.id)
    db.session.commit()
    return meeting


def fresh_start_url(meeting: ZoomMeeting) -> str:
    """The host's start link, read from Zoom now (it expires). Give it to the moderator's browser only: it is
    neither stored nor logged. Raises the typed Zoom errors, ``ZoomNotFound`` when there is no meeting."""
    if meeting.zoom_id is None or meeting.status is not MeetingStatus.READY:
        raise ZoomNotFound("the meeting does not exist in Zoom (yet)")
    return current_zoom().meetings.start_url(meeting.zoom_id)
