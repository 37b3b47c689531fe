"""Invitations and the Zoom meeting lifecycle together: the local Zoom sandbox over HTTP, a real SMTP server.

The invitations wait for the meeting's join link; the lifecycle's READY releases them; a meeting created again
(deleted in Zoom) brings a new link, and every copy already sent is updated with it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time

import pytest

from service.domain import meetings, scheduling
from service.extensions import db
from service.models import MeetingStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.fixtures.calendar_checks import parse_everywhere
from tests.fixtures.invites import MAIL_FROM, calendar_of, run_mail_jobs
from tests.test_scheduling import next_weekday
from worker.jobs import meetings as meeting_jobs

pytestmark = pytest.mark.slow  # the Zoom sandbox runs as a process


@pytest.fixture
def app_settings(zoom_settings, smtp, tmp_path):
    return dataclasses.replace(zoom_settings, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False,
                               MAIL_FROM=MAIL_FROM, MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))


def event_of(received):
    (event,) = parse_everywhere(calendar_of(received.message)).walk("VEVENT")
    return event


def test_the_meeting_lifecycle_releases_the_invitations_and_a_new_link_updates_them(app, actor, smtp, zoom_sandbox):
    group = make_group(actor, members=4)
    session = scheduling.schedule_session(group, SessionKind.KICKOFF,
                                          datetime.combine(next_weekday(2), time(19, 0)), 60, actor)
    meeting = session.zoom_meeting
    run_mail_jobs(app)
    assert smtp.received == []  # no link yet

    assert meeting_jobs.sync_meeting(meeting.id) == "ready"
    run_mail_jobs(app)
    first_link = meeting.join_url
    assert first_link == zoom_sandbox.meeting(meeting.zoom_id)["join_url"]
    assert len(smtp.received) == 4
    assert {str(event_of(r)["URL"]) for r in smtp.received} == {first_link}

    # Synced again with nothing new: no message.
    assert meetings.sync_meeting(meeting.id) is MeetingStatus.READY
    db.session.commit()
    run_mail_jobs(app)
    assert len(smtp.received) == 4

    # Someone deletes the meeting in Zoom; the coordinator has it created again: a new link for everyone.
    zoom_sandbox.delete_in_zoom(meeting.zoom_id)
    assert meeting_jobs.sync_meeting(meeting.id) == "deleted_in_zoom"
    meetings.recreate_meeting(meeting, actor)
    assert meeting_jobs.sync_meeting(meeting.id) == "ready"
    db.session.expire_all()
    assert meeting.join_url and meeting.join_url != first_link
    run_mail_jobs(app)
    updates = smtp.received[4:]
    assert len(updates) == 4
    for received in updates:
        event = event_of(received)
        assert str(event["URL"]) == meeting.join_url and event["SEQUENCE"] == 1
        assert str(received.message["Subject"]).startswith("Mise à jour")
