"""A poll's decision, from the kick-off console and from the API, schedules the series through the same path as
any series: one recurring Zoom meeting (the sandbox, over HTTP) and one invitation per member (a real SMTP
server), preceded by one short e-mail per member telling what the group chose."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta

import pytest

from service import links
from service.domain import polls, scheduling
from service.domain.clock import now_utc
from service.domain.poll_choice import Slot
from service.extensions import db
from service.models import PollStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.fixtures.calendar_checks import parse_everywhere
from tests.fixtures.invites import MAIL_FROM, calendar_of, every_text, run_mail_jobs
from tests.test_api import api, token  # noqa: F401  (fixtures)
from tests.test_scheduling import next_weekday
from worker.jobs import meetings as meeting_jobs

pytestmark = pytest.mark.slow  # the Zoom sandbox runs as a process

# Tuesday 19:00 (outside working hours), Wednesday 12:00 (inside them: needs the supervisors' agreement).
SLOTS = [Slot(3, time(12, 0), 30), Slot(2, time(19, 0), 30)]


@pytest.fixture
def app_settings(zoom_settings, smtp, tmp_path):
    return dataclasses.replace(zoom_settings, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False,
                               MAIL_FROM=MAIL_FROM, MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))


def poll_with_answers(group, actor):
    poll = polls.open_poll(group, polls.PollDraft(SLOTS, 1, 6, now_utc() + timedelta(days=3)), actor)
    members = group.active_members
    for member, answers in zip(members, [["yes", "yes"], ["no", "yes"], ["if_need_be", "yes"], ["yes", "no"]]):
        polls.answer(poll, member, answers)
    return poll  # slot 1 leads: 3 « oui » against 2


def next_tuesday() -> date:
    return next_weekday(1, 1)


def recurring_meetings(zoom_sandbox):
    return [m for m in zoom_sandbox.meetings() if m.get("type") == 8]


def check_decision_then_invitations(app, group, series, smtp, zoom_sandbox, before: int):
    members = group.active_members
    # The decision e-mail leaves at once; the invitations wait for the Zoom link.
    run_mail_jobs(app)
    decisions = smtp.received[before:]
    assert sorted(r.rcpt_tos[0] for r in decisions) == sorted(m.email for m in members)
    for received in decisions:
        assert str(received.message["Subject"]) == "Le groupe a choisi son horaire"
        text = every_text(received)
        assert "mardi à 19\u00a0h\u00a000, 30 min" in text and "chaque semaine, 6 rencontres" in text
        assert [m.email for m in members if m.email in text] == received.rcpt_tos

    assert meeting_jobs.sync_meeting(series.zoom_meeting_id) == "ready"
    (meeting,) = recurring_meetings(zoom_sandbox)
    assert len(meeting["occurrences"]) == 6
    run_mail_jobs(app)
    invitations = smtp.received[before + len(members):]
    assert sorted(r.rcpt_tos[0] for r in invitations) == sorted(m.email for m in members)
    for received in invitations:
        events = parse_everywhere(calendar_of(received.message)).walk("VEVENT")
        (event,) = [e for e in events if "RECURRENCE-ID" not in e]  # the series (a moderator's overrides aside)
        assert "FREQ=WEEKLY" in event["RRULE"].to_ical().decode() and "COUNT=6" in event["RRULE"].to_ical().decode()
        assert str(event["URL"]) == meeting["join_url"]


def test_deciding_through_the_api_schedules_one_series(app, api, actor, smtp, zoom_sandbox):  # noqa: F811
    group = make_group(actor, members=5)
    poll = poll_with_answers(group, actor)
    run_mail_jobs(app)
    before = len(smtp.received)
    assert before == 5  # the invitations to answer

    response = api.post(f"/groups/{group.id}/polls/{poll.id}/decision",
                        json={"slot": 1, "first_date": next_tuesday().isoformat(), "supervisor_agreement": False})
    assert response.status_code == 201, response.get_json()
    series_id = response.get_json()["id"]
    body = api.get(f"/groups/{group.id}/polls/{poll.id}").get_json()
    assert body["status"] == "decided" and body["series_id"] == series_id and body["decided_slot"] == 1
    assert [s["yes"] for s in body["slots"]] == [2, 3]  # the counts stay readable
    series = db.session.get(scheduling.SessionSeries, series_id)
    assert series.weekday == 1 and series.local_time == time(19, 0) and len(series.sessions) == 6
    check_decision_then_invitations(app, group, series, smtp, zoom_sandbox, before)

    again = api.post(f"/groups/{group.id}/polls/{poll.id}/decision",
                     json={"slot": 0, "first_date": next_weekday(2, 1).isoformat(), "supervisor_agreement": True})
    assert again.status_code == 422
    assert again.get_json()["error"]["violations"][0]["code"] == "poll_already_decided"
    assert len(recurring_meetings(zoom_sandbox)) == 1


def test_deciding_from_the_kickoff_console(app, client, actor, settings, smtp, zoom_sandbox):
    group = make_group(actor, members=5)
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF,
                                          datetime.combine(next_weekday(3, 0) + timedelta(days=1), time(18, 0)),
                                          60, actor)
    poll = poll_with_answers(group, actor)
    token = links.console_token(settings, kickoff.moderator, kickoff)

    page = client.get(f"/m/{token}").get_data(as_text=True)
    section = page[page.index('id="poll"'):]
    section = section[:section.index("</section>")]
    assert section.index("mardi à 19\u00a0h\u00a000") < section.index("mercredi à 12\u00a0h\u00a000")  # the leading slot first
    assert "3 ont répondu" not in section and "4 ont répondu, 1 pas encore." in section
    assert not any(m.display_name in section or m.email in section for m in group.active_members)
    assert 'type="date"' not in section and "Format AAAA-MM-JJ" in section  # typed like every other date
    live = client.get(f"/m/{token}/poll").get_json()["poll"]
    assert live["leading"] == 1 and [r["slot"] for r in live["rows"]] == [1, 0]
    assert (live["rows"][0]["yes"], live["rows"][0]["no"]) == (3, 1)

    # Wednesday noon is in working hours: refused without the supervisors' agreement, nothing lost.
    refused = client.post(f"/m/{token}/poll/decision", data={"slot": "0",
                                                              "first_date": next_weekday(2, 1).isoformat()})
    assert refused.status_code == 422 and "heures de travail" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert poll.status is PollStatus.OPEN

    run_mail_jobs(app)
    before = len(smtp.received)
    response = client.post(f"/m/{token}/poll/decision", data={"slot": "1", "first_date": next_tuesday().isoformat()})
    assert response.status_code == 303
    db.session.expire_all()
    assert poll.status is PollStatus.DECIDED and poll.series is not None
    check_decision_then_invitations(app, group, poll.series, smtp, zoom_sandbox, before)
    assert "Le groupe a choisi : mardi à 19\u00a0h\u00a000, 30 min" in client.get(f"/m/{token}").get_data(as_text=True)
