"""The moderator console with the real worker: what the console shows is what the chat gets, when it gets it.

Everything real on 127.0.0.1: the app on an ephemeral port (Zoom's signed webhooks reach it), the Zoom sandbox, one
``python -m worker --queues prompts,sweep`` and one ``python -m worker.scheduler``, and the machine's Chromium.
The meeting starts in Zoom 2 min 40 s ago (the welcome has 20 s left, the first question is due in 20 s); the
worker posts the welcome at once; "+2 minutes" on the console moves the first question on the page and in the
chat (it does not arrive at its old time); "next step now" sends it at once.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from service import links
from service.domain import scheduling
from service.domain.clock import now_utc
from service.domain.meetings import sync_meeting
from service.extensions import db
from service.models import PromptStatus
from service.protocol import SessionKind
from tests.browser import LAPTOP, chromium, live_server, screenshot, watch_errors
from tests.factories import make_group
from tests.fixtures.worker_fleet import Fleet, fleet_environment, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# Exactly this label: has_text matches substrings regardless of case, and « Sera publiée dans la conversation »
# (still to come) contains it.
POSTED_LABEL = re.compile(r"^\s*Publiée dans la conversation\s*$")


@pytest.fixture
def app_settings(zoom_settings):
    return replace(zoom_settings, CONSOLE_POLL_SECONDS=1.0)


def prompt_rows(session):
    db.session.expire_all()
    db.session.commit()
    return {p.step_key: p for p in session.prompts}


def test_console_follows_the_worker_and_its_controls_move_the_chat(app, actor, zoom_sandbox, app_settings,
                                                                     test_environment, tmp_path):
    group = make_group(actor, members=5)
    planned = (now_utc() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, planned, 30, actor, supervisor_agreement=True)
    sync_meeting(session.zoom_meeting_id)
    db.session.expire_all()
    meeting = session.zoom_meeting
    welcome_seconds = prompt_rows(session)["welcome"].duration_seconds

    fleet = Fleet(fleet_environment(test_environment, ZOOM_API_URL=zoom_sandbox.api_url,
                                    ZOOM_OAUTH_URL=zoom_sandbox.oauth_url), tmp_path)
    fleet.start_worker("prompt-worker", queues="prompts,sweep")
    fleet.start_scheduler("scheduler")
    try:
        with live_server(app_settings) as server, chromium() as browser:
            zoom_sandbox.configure(webhook_url=f"{server}/webhooks/zoom")
            page = browser.new_context(viewport=LAPTOP).new_page()
            errors = watch_errors(page)
            page.goto(f"{server}/m/{links.console_token(app_settings, session.moderator, session)}")
            assert page.locator('[data-show-phase="before"]').is_visible()

            # Zoom says the meeting started 20 s short of the welcome's end: the console jumps there by itself,
            # and the worker posts the welcome at once (its step is still running).
            started = now_utc() - timedelta(seconds=welcome_seconds - 20)
            zoom_sandbox.start(meeting.zoom_id, at=started.isoformat().replace("+00:00", "Z"))
            page.locator('[data-step-panel="welcome"]').wait_for(state="visible", timeout=10_000)
            page.locator('.timeline [data-chat-label="welcome"]', has_text=POSTED_LABEL).wait_for(
                timeout=10_000)
            chat = zoom_sandbox.chat(meeting.zoom_id)
            assert len(chat) == 1 and chat[0]["message"].startswith("Bienvenue")
            assert chat[0]["id"] == prompt_rows(session)["welcome"].provider_message_id
            screenshot(page, "console-worker-welcome-posted")

            # "+2 minutes": the first question moves on the console, and the chat does not get it at its old time.
            q1_label = page.locator('.timeline [data-due-label="q1"]')
            q1_shown_before, q1_due_before = q1_label.inner_text(), prompt_rows(session)["q1"].due_at
            page.get_by_role("button", name="+2 minutes").click()
            page.locator("[data-control-message]", has_text="2 minutes de plus").wait_for()
            assert wait_until(lambda: q1_label.inner_text() != q1_shown_before, timeout=5, interval=0.2)
            assert prompt_rows(session)["q1"].due_at - q1_due_before == timedelta(minutes=2)
            time.sleep(max(0.0, (q1_due_before - now_utc()).total_seconds()) + 3)  # its old time has passed
            assert len(zoom_sandbox.chat(meeting.zoom_id)) == 1
            assert prompt_rows(session)["q1"].status is PromptStatus.PENDING
            screenshot(page, "console-worker-extra-time")

            # "Next step now": the first question goes to the chat within moments, and the console says so.
            asked = time.time()
            page.get_by_role("button", name="Étape suivante maintenant").click()
            page.locator('[data-step-panel="q1"]').wait_for(state="visible")
            assert wait_until(lambda: len(zoom_sandbox.chat(meeting.zoom_id)) == 2, timeout=10, interval=0.05)
            q1_message = zoom_sandbox.chat(meeting.zoom_id)[1]
            assert q1_message["received_wall"] - asked < 5.0  # at once, not at its planned time minutes away
            assert "Question 1" in q1_message["message"] or "question" in q1_message["message"].lower()
            page.locator('.timeline [data-chat-label="q1"]', has_text=POSTED_LABEL).wait_for(
                timeout=10_000)
            screenshot(page, "console-worker-q1-posted")
            assert errors == []
    finally:
        fleet.stop()
