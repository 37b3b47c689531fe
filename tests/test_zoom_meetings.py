"""The meeting lifecycle (service.domain.meetings) against the sandbox: create, update, occurrences, delete,
the host pool (daily limit, overlaps), waiting and failing."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

import pytest
from rq import Queue

from service.domain import meetings, scheduling
from service.domain.clock import now_utc
from service.domain.meetings import (
    REASON_HOSTS_BUSY,
    REASON_HOSTS_DAILY_LIMIT,
    REASON_ZOOM_UNAVAILABLE,
    meetings_needing_sync,
    sync_meeting,
    waiting_message,
)
from service.domain.scheduling import SeriesPlan
from service.extensions import db
from service.models import MeetingStatus, SessionStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday
from worker.jobs import meetings as meeting_jobs

pytestmark = pytest.mark.slow

HOST1, HOST2 = "host1@sandbox.entrepairs.test", "host2@sandbox.entrepairs.test"


@pytest.fixture
def zoom_options():
    return {}


@pytest.fixture
def app_settings(zoom_settings, zoom_options):
    return dataclasses.replace(zoom_settings, **zoom_options)


def evening(weekday: int, weeks_ahead: int = 1, hour: int = 19) -> datetime:
    return datetime.combine(next_weekday(weekday, weeks_ahead), time(hour, 0))


def single(actor, when: datetime | None = None, name: str = "Équipe de nuit", **group_options):
    group = make_group(actor, name=name, **group_options)
    return scheduling.schedule_session(group, SessionKind.REGULAR, when or evening(2), 30, actor)


def series(actor, count: int = 4, interval: int = 1, name: str = "Équipe de jour"):
    group = make_group(actor, name=name)
    plan = SeriesPlan(first_date=next_weekday(0), local_time=time(19, 0), interval_weeks=interval,
                      occurrence_count=count)
    return scheduling.schedule_series(group, plan, actor)


def test_a_single_session_gets_its_meeting_and_releases_its_invitations(app, actor, zoom_sandbox, redis_client):
    session = single(actor)
    meeting = session.zoom_meeting
    Queue("mail", connection=redis_client).empty()
    assert meeting_jobs.sync_meeting(meeting.id) == "ready"
    stored = zoom_sandbox.meeting(meeting.zoom_id)
    assert stored["type"] == 2 and stored["topic"] == "Rencontre d’équipe"  # neutral title by default
    assert stored["start_time"] == session.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stored["duration"] == 30 and stored["timezone"] == "America/Toronto"
    assert "Que trouvez-vous le plus difficile" in stored["agenda"]
    assert meeting.join_url == stored["join_url"] and meeting.passcode == stored["password"]
    assert meeting.chat_channel_id == stored["settings"]["continuous_meeting_chat"]["channel_id"]
    assert meeting.host_user == HOST1 and meeting.synced_at is not None
    assert Queue("mail", connection=redis_client).count > 0  # the invitations that waited for the link
    assert sync_meeting(meeting.id) is MeetingStatus.READY
    assert zoom_sandbox.stats().get("meeting_update", 0) == 0  # nothing changed: nothing sent


def test_a_named_group_without_chat_prompts(app, actor, zoom_sandbox):
    session = single(actor, neutral_invite_title=False, name="Urgence")
    session.group.chat_prompts_enabled = False
    db.session.commit()
    sync_meeting(session.zoom_meeting_id)
    stored = zoom_sandbox.meeting(session.zoom_meeting.zoom_id)
    assert stored["topic"] == "Groupe de soutien entre pairs — Urgence"
    assert not stored["settings"]["continuous_meeting_chat"]["enable"]
    assert session.zoom_meeting.chat_channel_id is None


def test_a_moved_session_is_patched(app, actor, zoom_sandbox):
    session = single(actor)
    sync_meeting(session.zoom_meeting_id)
    scheduling.reschedule_session(session, evening(3), 45, actor)
    assert session.zoom_meeting.status is MeetingStatus.PENDING
    assert sync_meeting(session.zoom_meeting_id) is MeetingStatus.READY
    stored = zoom_sandbox.meeting(session.zoom_meeting.zoom_id)
    assert stored["start_time"] == session.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ") and stored["duration"] == 45
    assert zoom_sandbox.stats()["meeting_update"] == 1


def test_a_cancelled_session_deletes_its_meeting(app, actor, zoom_sandbox):
    session = single(actor)
    sync_meeting(session.zoom_meeting_id)
    zoom_id = session.zoom_meeting.zoom_id
    scheduling.cancel_session(session, actor)
    assert sync_meeting(session.zoom_meeting_id) is MeetingStatus.DELETED
    assert int(zoom_id) not in {m["id"] for m in zoom_sandbox.meetings()}
    assert session.zoom_meeting.join_url is None and session.zoom_meeting.host_user is None


def test_a_series_is_one_recurring_meeting_mapped_onto_its_sessions(app, actor, zoom_sandbox):
    plan = series(actor, count=4, interval=2)
    meeting = plan.zoom_meeting
    assert sync_meeting(meeting.id) is MeetingStatus.READY
    [stored] = zoom_sandbox.meetings()
    assert stored["type"] == 8 and stored["recurrence"]["repeat_interval"] == 2
    occurrences = {o["occurrence_id"]: o["start_time"] for o in stored["occurrences"]}
    assert len(occurrences) == 4
    for session in plan.sessions:
        assert occurrences[session.zoom_occurrence_id] == session.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_occurrences_move_and_cancel_one_by_one(app, actor, zoom_sandbox):
    plan = series(actor, count=3)
    sync_meeting(plan.zoom_meeting_id)
    second, third = plan.sessions[1], plan.sessions[2]
    scheduling.reschedule_session(second, datetime.combine(second.starts_at.date(), time(20, 30)), 30, actor)
    scheduling.cancel_session(third, actor)
    assert sync_meeting(plan.zoom_meeting_id) is MeetingStatus.READY
    stored = {o["occurrence_id"]: o for o in zoom_sandbox.meeting(plan.zoom_meeting.zoom_id)["occurrences"]}
    assert stored[second.zoom_occurrence_id]["start_time"] == second.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert stored[third.zoom_occurrence_id]["status"] == "deleted"
    assert stored[plan.sessions[0].zoom_occurrence_id]["status"] == "available"


def test_a_new_series_time_makes_new_occurrences(app, actor, zoom_sandbox):
    plan = series(actor, count=3)
    sync_meeting(plan.zoom_meeting_id)
    scheduling.reschedule_series(plan, time(20, 0), 30, actor, weekday=1)
    assert sync_meeting(plan.zoom_meeting_id) is MeetingStatus.READY
    stored = zoom_sandbox.meeting(plan.zoom_meeting.zoom_id)
    starts = sorted(o["start_time"] for o in stored["occurrences"] if o["status"] == "available")
    assert starts == sorted(s.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ") for s in plan.sessions)
    assert all(s.zoom_occurrence_id for s in plan.sessions)


def test_a_cancelled_series_deletes_its_meeting(app, actor, zoom_sandbox):
    plan = series(actor, count=3)
    sync_meeting(plan.zoom_meeting_id)
    scheduling.cancel_series(plan, actor)
    assert sync_meeting(plan.zoom_meeting_id) is MeetingStatus.DELETED
    assert zoom_sandbox.meetings() == []


@pytest.mark.parametrize("zoom_options", [{"ZOOM_HOST_DAILY_LIMIT": 1}])
def test_the_daily_limit_spreads_meetings_over_hosts(app, actor, zoom_sandbox):
    first = single(actor, when=evening(1), name="A")
    second = single(actor, when=evening(3), name="B")
    third = single(actor, when=evening(4), name="C")
    for session in (first, second, third):
        sync_meeting(session.zoom_meeting_id)
    assert (first.zoom_meeting.host_user, second.zoom_meeting.host_user) == (HOST1, HOST2)
    waiting = third.zoom_meeting
    assert waiting.status is MeetingStatus.WAITING and waiting.waiting_reason == REASON_HOSTS_DAILY_LIMIT
    assert waiting.next_attempt_at.hour == 0 and waiting.next_attempt_at > now_utc()
    assert "minuit" in waiting_message(waiting, "fr") and "midnight" in waiting_message(waiting, "en")
    assert waiting.id not in meetings_needing_sync()
    assert waiting.id in meetings_needing_sync(waiting.next_attempt_at)


def test_zoom_daily_429_moves_the_meeting_to_another_host(app, actor, zoom_sandbox):
    zoom_sandbox.inject("429-daily", path="/users/host1")
    session = single(actor)
    assert sync_meeting(session.zoom_meeting_id) is MeetingStatus.READY
    assert session.zoom_meeting.host_user == HOST2


def test_no_host_gets_two_overlapping_meetings(app, actor, zoom_sandbox):
    same_time = evening(2)
    sessions = [single(actor, when=same_time, name=name) for name in ("A", "B", "C")]
    near = single(actor, when=same_time + timedelta(minutes=40), name="D")  # inside the 15-minute buffer
    for session in sessions + [near]:
        sync_meeting(session.zoom_meeting_id)
    assert {s.zoom_meeting.host_user for s in sessions[:2]} == {HOST1, HOST2}
    for waiting in (sessions[2], near):
        assert waiting.zoom_meeting.status is MeetingStatus.WAITING
        assert waiting.zoom_meeting.waiting_reason == REASON_HOSTS_BUSY
    # A cancellation frees a host, and wakes the meetings that waited for one.
    scheduling.cancel_session(sessions[0], actor)
    sync_meeting(sessions[0].zoom_meeting_id)
    assert sessions[2].zoom_meeting.next_attempt_at is None
    assert sync_meeting(sessions[2].zoom_meeting_id) is MeetingStatus.READY


def test_transient_trouble_waits_and_retries(app, actor, zoom_sandbox):
    session = single(actor)
    meeting = session.zoom_meeting
    zoom_sandbox.inject("5xx", path="/meetings")
    assert sync_meeting(meeting.id) is MeetingStatus.WAITING
    assert meeting.waiting_reason == REASON_ZOOM_UNAVAILABLE and meeting.attempts == 1
    assert meeting.id in meetings_needing_sync(meeting.next_attempt_at)
    assert sync_meeting(meeting.id) is MeetingStatus.READY
    assert meeting.waiting_reason is None and meeting.attempts == 0
    assert len(zoom_sandbox.meetings()) == 1


def test_a_refusal_for_good_fails_with_zooms_reason(app, actor, zoom_sandbox):
    session = single(actor)
    zoom_sandbox.inject("5xx", status=400, path="/meetings")
    assert sync_meeting(session.zoom_meeting_id) is MeetingStatus.FAILED
    assert session.zoom_meeting.last_error and session.zoom_meeting.host_user is None
    assert "Zoom" in waiting_message(session.zoom_meeting, "fr")
    scheduling.reschedule_session(session, evening(3), 30, actor)  # a change tries again
    assert sync_meeting(session.zoom_meeting_id) is MeetingStatus.READY


def test_a_meeting_gone_from_zoom_is_shown_to_the_coordinator(app, actor, zoom_sandbox):
    session = single(actor)
    sync_meeting(session.zoom_meeting_id)
    zoom_sandbox.delete_in_zoom(session.zoom_meeting.zoom_id)
    scheduling.reschedule_session(session, evening(3), 30, actor)
    assert sync_meeting(session.zoom_meeting_id) is MeetingStatus.DELETED_IN_ZOOM
    meetings.recreate_meeting(session.zoom_meeting, actor)
    assert sync_meeting(session.zoom_meeting_id) is MeetingStatus.READY
    assert len(zoom_sandbox.meetings()) == 1


def test_fresh_start_url_is_the_hosts_link(app, actor, zoom_sandbox):
    session = single(actor)
    sync_meeting(session.zoom_meeting_id)
    url = meetings.fresh_start_url(session.zoom_meeting)
    assert "zak=" in url and url.startswith(zoom_sandbox.url)


def test_an_ended_session_is_left_alone(app, actor, zoom_sandbox):
    plan = series(actor, count=2)
    sync_meeting(plan.zoom_meeting_id)
    first = plan.sessions[0]
    first.status = SessionStatus.ENDED
    db.session.commit()
    assert sync_meeting(plan.zoom_meeting_id) is MeetingStatus.READY
    stored = zoom_sandbox.meeting(plan.zoom_meeting.zoom_id)
    assert all(o["status"] == "available" for o in stored["occurrences"])
