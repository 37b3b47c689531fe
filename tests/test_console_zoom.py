"""The console and the participant page with the Zoom sandbox: the join link, and the meeting's real start.

The sandbox runs as its own process and sends its signed ``meeting.started`` notice over HTTP to the app served on
an ephemeral port; the open console, which only polls, must show the re-anchored timeline by itself.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from service import links
from service.domain import scheduling
from service.domain.clock import now_utc
from service.domain.meetings import sync_meeting
from service.extensions import db
from service.models import MeetingStatus
from service.protocol import SessionKind
from tests.browser import LAPTOP, chromium, live_server, screenshot, watch_errors
from tests.factories import make_group

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def app_settings(zoom_settings):
    return zoom_settings


def test_console_follows_the_meeting_started_in_zoom(app, actor, zoom_sandbox, zoom_settings):
    group = make_group(actor, members=4)
    soon = (now_utc() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, soon, 30, actor, supervisor_agreement=True)
    sync_meeting(session.zoom_meeting_id)
    db.session.expire_all()
    meeting = session.zoom_meeting
    assert meeting.status is MeetingStatus.READY and meeting.join_url

    with live_server(zoom_settings, CONSOLE_POLL_SECONDS=1.0) as server, chromium() as browser:
        zoom_sandbox.configure(webhook_url=f"{server}/webhooks/zoom")
        page = browser.new_context(viewport=LAPTOP).new_page()
        errors = watch_errors(page)

        member = next(m for m in group.active_members if m.id != session.moderator_id)
        page.goto(f"{server}/p/{links.participant_token(zoom_settings, member)}")
        assert page.get_by_role("link", name="Rejoindre la rencontre sur Zoom").get_attribute("href") == meeting.join_url

        page.goto(f"{server}/m/{links.console_token(zoom_settings, session.moderator, session)}")
        assert page.get_by_role("link", name="Ouvrir Zoom").get_attribute("href") == meeting.join_url
        assert page.locator('[data-show-phase="before"]').is_visible()

        zoom_sandbox.start(meeting.zoom_id)  # the host starts the meeting in Zoom, ten minutes early
        page.locator('[data-step-panel="welcome"]').wait_for(state="visible", timeout=8000)
        db.session.expire_all()
        assert session.actual_started_at is not None
        welcome = next(p for p in session.prompts if p.step_key == "welcome")
        assert abs((welcome.due_at - now_utc()).total_seconds()) < 30
        screenshot(page, "console-zoom-started")
        assert errors == []
