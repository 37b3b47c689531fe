"""A participant leaves their group in the machine's Chromium, and their calendar's events are really cancelled.

Everything real: the web application on an ephemeral port (CSRF on), the invitations and then the cancellations
delivered by the delivery code through an RQ worker to a local SMTP server (aiosmtpd), the calendar file
downloaded by the browser. Screenshots go to tests/artifacts/ so a person can judge them.
"""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path

import pytest

from service import links
from service.domain import scheduling
from service.extensions import db
from service.models import Invite, InviteMethod, InviteStatus, MemberStatus
from service.protocol import SessionKind
from tests.browser import CHROMIUM, LAPTOP, PHONE, chromium, live_server, screenshot, watch_errors
from tests.factories import make_group
from tests.fixtures.calendar_checks import parse_everywhere
from tests.fixtures.invites import calendar_of, every_text, make_ready, run_mail_jobs
from tests.test_scheduling import next_weekday

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium package")]


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def invited_group(app, actor, language="fr"):
    """A kick-off and a weekly series, their Zoom meetings ready, every invitation delivered."""
    group = make_group(actor, members=5, language=language)
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(0), time(18)),
                                          60, actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2, 2), time(18, 30),
                                                                     occurrence_count=4), actor)
    make_ready(kickoff.zoom_meeting)
    make_ready(series.zoom_meeting)
    run_mail_jobs(app)
    return group, kickoff, series


def calendars_to(smtp, address: str) -> list[tuple[object, bytes]]:
    return [(r.message, calendar_of(r.message)) for r in smtp.received if r.rcpt_tos == [address]]


def method_of(message) -> str:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part.get_param("method")


def test_a_participant_leaves_and_their_calendar_gets_the_cancellations(app, actor, app_settings, smtp, browser):
    group, kickoff, series = invited_group(app, actor)
    member = next(m for m in group.active_members if m.id != kickoff.moderator_id)
    requests = calendars_to(smtp, member.email)
    assert {method_of(message) for message, _ in requests} == {"REQUEST"} and len(requests) == 2
    sent = {}  # UID -> SEQUENCE of the invitation this person holds
    for _, data in requests:
        (event,) = [e for e in parse_everywhere(data).walk("VEVENT") if e.get("RECURRENCE-ID") is None]
        sent[str(event["UID"])] = int(event["SEQUENCE"])
    assert set(sent) == {kickoff.calendar_uid, series.calendar_uid}
    before = len(smtp.received)

    with live_server(app_settings) as server:
        context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(f"{server}/p/{links.participant_token(app_settings, member)}")
        assert page.get_by_role("heading", name="Votre prochaine rencontre").is_visible()
        screenshot(page, "participant-calendar-button-laptop")
        page.set_viewport_size(PHONE)
        screenshot(page, "participant-calendar-button-phone")
        page.set_viewport_size(LAPTOP)

        # The calendar file, as the browser downloads it: the invitations' events, nothing to answer.
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Ajouter à mon agenda (.ics)").click()
        download = download_info.value
        assert download.suggested_filename == "rencontre-d-equipe.ics"
        published = parse_everywhere(Path(download.path()).read_bytes())
        assert str(published["METHOD"]) == "PUBLISH"
        assert {str(e["UID"]): int(e["SEQUENCE"]) for e in published.walk("VEVENT")} == sent

        page.get_by_role("link", name="Quitter le groupe").click()
        confirm = page.get_by_role("button", name="Oui, quitter le groupe")
        confirm.wait_for()
        assert page.get_by_role("heading", name="Quitter le groupe?").is_visible()
        screenshot(page, "participant-leave-confirm")
        confirm.click()
        page.get_by_role("heading", name="Vous avez quitté le groupe").wait_for()
        assert "9-8-8" in page.inner_text("main")
        screenshot(page, "participant-left")
        assert errors == []
        context.close()

    db.session.expire_all()
    assert member.status is MemberStatus.LEFT
    cancels = db.session.query(Invite).filter_by(member_id=member.id, method=InviteMethod.CANCEL).all()
    assert len(cancels) == 2 and {c.status for c in cancels} == {InviteStatus.PENDING}

    # The worker's delivery code sends them to the SMTP server (the jobs the web enqueued after its commit).
    run_mail_jobs(app)
    db.session.expire_all()
    assert {c.status for c in cancels} == {InviteStatus.SENT}
    arrived = smtp.received[before:]
    assert len(arrived) == 2 and all(r.rcpt_tos == [member.email] for r in arrived)
    others = [m for m in group.members if m.id != member.id]
    for received in arrived:
        message = received.message
        assert method_of(message) == "CANCEL"
        assert str(message["Subject"]).startswith("Retrait de votre agenda")
        assert [a.addr_spec for a in message["To"].addresses] == [member.email]
        calendar = parse_everywhere(calendar_of(message))
        assert str(calendar["METHOD"]) == "CANCEL"
        (event,) = calendar.walk("VEVENT")
        uid = str(event["UID"])
        assert uid in sent and int(event["SEQUENCE"]) > sent.pop(uid)
        assert str(event["STATUS"]) == "CANCELLED" and event.get("RECURRENCE-ID") is None
        assert str(event["ATTENDEE"]).lower() == f"mailto:{member.email}".lower()
        assert not event.walk("VALARM")
        text = every_text(received)
        assert not any(m.email.lower() in text for m in others)
        assert "/p/" not in text  # their personal link stopped working: the message does not offer it
    assert sent == {}  # both the kick-off and the series


def test_an_english_speaker_leaves_in_english(app, actor, app_settings, smtp, browser):
    group, kickoff, _ = invited_group(app, actor, language="en")
    member = next(m for m in group.active_members if m.id != kickoff.moderator_id)
    before = len(smtp.received)
    with live_server(app_settings) as server:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(f"{server}/p/{links.participant_token(app_settings, member)}")
        assert page.get_by_role("link", name="Add to my calendar (.ics)").is_visible()
        screenshot(page, "participant-calendar-button-en-phone", full_page=False)
        page.get_by_role("link", name="Leave the group").click()
        page.get_by_role("button", name="Yes, leave the group").wait_for()
        assert re.search(r"cancelled", page.inner_text("main"))
        screenshot(page, "participant-leave-confirm-en-phone")
        page.get_by_role("button", name="Yes, leave the group").click()
        page.get_by_role("heading", name="You have left the group").wait_for()
        assert page.locator("html").get_attribute("lang") == "en"
        screenshot(page, "participant-left-en-phone")
        assert errors == []
        context.close()
    run_mail_jobs(app)
    arrived = smtp.received[before:]
    assert len(arrived) == 2
    for received in arrived:
        assert method_of(received.message) == "CANCEL" and received.message["Content-Language"] == "en-CA"
        assert str(received.message["Subject"]).startswith("Removed from your calendar")
