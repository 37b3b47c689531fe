"""The community of practice end to end: its series reaches exactly the moderators and the supervisors through a
real SMTP server as ONE recurring Zoom meeting (the sandbox); a debrief's « J'aimerais en parler » e-mails the
supervisors with the moderator's name and address only."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from service.domain import debriefs, live, practice, scheduling, supervisors, talk_notices
from service.domain.audit import Actor
from service.domain.clock import now_utc
from service.extensions import db
from service.models import DebriefAnswer, Debrief, TalkRequest, ZoomMeeting
from service.protocol import SessionKind
from tests.factories import make_group
from tests.fixtures.invites import MAIL_FROM, calendar_of, every_text, run_mail_jobs
from tests.fixtures.calendar_checks import parse_everywhere
from tests.test_scheduling import next_weekday
from worker.jobs import meetings as meeting_jobs

pytestmark = pytest.mark.slow  # the Zoom sandbox runs as a process


@pytest.fixture
def app_settings(zoom_settings, smtp, tmp_path):
    return dataclasses.replace(zoom_settings, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False,
                               MAIL_FROM=MAIL_FROM, MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))


def test_the_series_reaches_exactly_the_moderators_and_supervisors_as_one_recurring_meeting(app, actor, smtp,
                                                                                           zoom_sandbox):
    group = make_group(actor, members=5, trained=2, name="Urgence de nuit")
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=3), actor)
    supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr", actor)
    supervisors.add_supervisor(actor.organisation_id, "Marc Roy", "marc@acsm.example", "en", actor)
    run_mail_jobs(app)  # the two welcome e-mails, with each supervisor's personal link
    welcomes = {r.rcpt_tos[0]: r for r in smtp.received}
    assert set(welcomes) == {"sophie@acsm.example", "marc@acsm.example"}
    assert "/s/" in every_text(welcomes["marc@acsm.example"]) and "supervisor" in str(
        welcomes["marc@acsm.example"].message["Subject"]).lower()
    smtp.received.clear()

    series = practice.schedule_practice_series(
        actor.organisation_id, scheduling.SeriesPlan(next_weekday(3), time(12), occurrence_count=6), "fr",
        "America/Toronto", actor, supervisor_agreement=True)
    meeting = series.zoom_meeting
    assert meeting_jobs.sync_meeting(meeting.id) == "ready"
    run_mail_jobs(app)

    practice_mail = [r for r in smtp.received if series.calendar_uid.encode() in calendar_of(r.message)]
    assert sorted(r.rcpt_tos[0] for r in practice_mail) == [
        "marc@acsm.example", "personne0@exemple.ca", "personne1@exemple.ca", "sophie@acsm.example"]
    for received in practice_mail:
        events = parse_everywhere(calendar_of(received.message)).walk("VEVENT")
        (master,) = [event for event in events if "RRULE" in event]  # a leader's copy adds their sessions' overrides
        assert str(master["URL"]) == meeting.join_url
        text = every_text(received)
        assert "urgence de nuit" not in text  # the group a moderator leads is nobody else's business
        others = {"personne0@exemple.ca", "personne1@exemple.ca", "sophie@acsm.example", "marc@acsm.example"}
        assert all(address not in text for address in others - {received.rcpt_tos[0]})
    # Marc is English-speaking: his copy is in English, the practice protocol's agenda included.
    marc = next(r for r in practice_mail if r.rcpt_tos[0] == "marc@acsm.example")
    assert "What went well in my moderating?" in calendar_of(marc.message).decode().replace("’", "'").replace(
        "\r\n ", "")
    # ONE recurring meeting in Zoom for the whole community series, with its six occurrences.
    practice_meetings = db.session.execute(select(ZoomMeeting).where(ZoomMeeting.group_id == series.group_id)
                                           ).scalars().all()
    assert len(practice_meetings) == 1
    remote = zoom_sandbox.meeting(meeting.zoom_id)
    assert remote["type"] == 8 and len(remote["occurrences"]) == 6


def test_i_would_like_to_talk_emails_the_supervisors_once_with_no_group_and_no_member(app, actor, smtp, zoom_sandbox):
    group = make_group(actor, members=5, trained=1, name="Soins intensifs B")
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(1), time(19)), 30,
                                          actor)
    supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr", actor)
    supervisors.add_supervisor(actor.organisation_id, "Marc Roy", "marc@acsm.example", "en", actor)
    run_mail_jobs(app)
    smtp.received.clear()
    moderator = session.moderator
    assert moderator is not None and moderator.email == "personne0@exemple.ca"

    # Not before the session is over.
    moderator_actor = Actor(actor.kind.__class__("moderator"), moderator.id, actor.organisation_id)
    with pytest.raises(Exception):
        debriefs.record_debrief(session, moderator, DebriefAnswer.TALK, moderator_actor)
    live.ended(session, now_utc(), moderator_actor)
    db.session.commit()

    debriefs.record_debrief(session, moderator, DebriefAnswer.TALK, moderator_actor)
    debriefs.record_debrief(session, moderator, DebriefAnswer.TALK, moderator_actor)  # sent twice: counted once
    assert db.session.execute(select(Debrief)).scalars().all()[0].answer is DebriefAnswer.TALK
    assert len(db.session.execute(select(Debrief)).scalars().all()) == 1
    assert len(db.session.execute(select(TalkRequest)).scalars().all()) == 1

    run_mail_jobs(app)  # the job enqueued after the commit
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["marc@acsm.example", "sophie@acsm.example"]
    member_names = {m.display_name.lower() for m in group.active_members if m.id != moderator.id}
    member_addresses = {m.email for m in group.active_members if m.id != moderator.id}
    for received in smtp.received:
        text = every_text(received)
        assert moderator.display_name.lower() in text and moderator.email in text  # who, and how to reach them
        assert "soins intensifs" not in text  # never the group
        assert not any(name in text for name in member_names)  # never its members
        assert not any(address in text for address in member_addresses)
        assert "/s/" in text  # the supervisor's own page
    english = next(r for r in smtp.received if r.rcpt_tos[0] == "marc@acsm.example")
    assert "would like to talk" in str(english.message["Subject"]).lower()
    # Once sent, never again (a second job, a sweep).
    request = db.session.execute(select(TalkRequest)).scalar_one()
    assert talk_notices.notify_supervisors(request.id) == "nothing"
    assert talk_notices.notices_due(now_utc() + timedelta(hours=1)) == []


def test_a_temporary_failure_is_retried_by_the_sweep(app, actor, smtp, zoom_sandbox):
    group = make_group(actor, members=4, trained=1, name="Bloc opératoire")
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(1), time(19)), 30,
                                          actor)
    supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr", actor)
    run_mail_jobs(app)
    smtp.received.clear()
    moderator = session.moderator
    moderator_actor = Actor(actor.kind.__class__("moderator"), moderator.id, actor.organisation_id)
    live.ended(session, now_utc(), moderator_actor)
    db.session.commit()
    smtp.recorder.refuse_recipients["sophie@acsm.example"] = "451 4.3.0 Try again later"
    request = debriefs.record_debrief(session, moderator, DebriefAnswer.TALK, moderator_actor)
    run_mail_jobs(app)
    assert smtp.received == []
    db.session.expire_all()
    request = db.session.get(TalkRequest, request.id)
    assert request.notified_at is None and request.notify_attempts == 1
    assert talk_notices.notices_due(now_utc()) == []  # not before its next attempt
    due_later = now_utc() + timedelta(minutes=1)
    assert talk_notices.notices_due(due_later) == [request.id]
    smtp.recorder.refuse_recipients.clear()
    assert talk_notices.notify_supervisors(request.id, now=due_later) == "sent"
    assert [r.rcpt_tos[0] for r in smtp.received] == ["sophie@acsm.example"]
