"""The console and the participant page in the machine's Chromium, against the real app on an ephemeral port.

Screenshots go to tests/artifacts/ (laptop and phone widths) so a person can judge them.
"""

from __future__ import annotations

import re
import time as clock
from datetime import datetime, time, timedelta

import pytest

from service import links
from service.dates import clock_label
from service.domain import scheduling
from service.domain.clock import now_utc
from service.domain.prompts import write_prompts
from service.extensions import db
from service.models import Invite, InviteMethod, MemberStatus, PromptStatus, SessionStatus
from service.protocol import SessionKind
from tests.browser import LAPTOP, PHONE, chromium, live_server, screenshot, watch_errors
from tests.factories import make_group
from tests.test_scheduling import next_weekday

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def session(app, actor):
    group = make_group(actor, members=5)
    return scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)), 30,
                                       actor)


@pytest.fixture
def server(settings, session):
    with live_server(settings, CONSOLE_POLL_SECONDS=1.0) as base_url:
        yield base_url


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def rows(session):
    db.session.expire_all()
    return {p.step_key: p for p in session.prompts}


def seconds(countdown: str) -> int:
    """'2:58' -> 178, '1:02:03' -> 3723."""
    total = 0
    for part in countdown.strip().split(" ")[-1].split(":"):
        total = total * 60 + int(part)
    return total


def test_console_counts_down_and_its_controls_move_the_prompt_rows(server, browser, session, settings):
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{server}/m/{links.console_token(settings, session.moderator, session)}")
    assert page.locator('[data-show-phase="before"]').is_visible()
    screenshot(page, "console-before-laptop")

    # "The meeting started now": the welcome runs, its countdown goes down in the browser.
    page.get_by_role("button", name="La rencontre commence maintenant").click()
    panel = page.locator('[data-step-panel="welcome"]')
    panel.wait_for(state="visible")
    first = seconds(panel.locator('[data-countdown="next"]').inner_text())
    assert 170 <= first <= 180
    page.wait_for_timeout(2100)
    later = seconds(panel.locator('[data-countdown="next"]').inner_text())
    assert first - 3 <= later <= first - 1
    assert abs((rows(session)["welcome"].due_at - now_utc()).total_seconds()) < 10

    # A prompt the worker posts shows on the console within a poll.
    welcome = rows(session)["welcome"]
    welcome.status, welcome.posted_at = PromptStatus.POSTED, now_utc()
    db.session.commit()
    page.locator('.timeline [data-chat-label="welcome"]',
                 has_text=re.compile(r"^\s*Publiée dans la conversation\s*$")).wait_for(timeout=5000)

    # "+2 minutes" (clicked twice in a row: applied once) moves the next prompt on the page and in the rows.
    q1_label = page.locator('.timeline [data-due-label="q1"]')
    q1_before, q1_due_before = q1_label.inner_text(), rows(session)["q1"].due_at
    page.get_by_role("button", name="+2 minutes").dblclick()
    page.locator("[data-control-message]", has_text="2 minutes de plus").wait_for()
    page.wait_for_timeout(300)
    assert rows(session)["q1"].due_at - q1_due_before == timedelta(minutes=2)
    assert q1_label.inner_text() != q1_before
    assert seconds(panel.locator('[data-countdown="next"]').inner_text()) > 280
    screenshot(page, "console-welcome-laptop")

    # Next step now: Q1 with its speaking order and per-person timer, run in the browser.
    page.get_by_role("button", name="Étape suivante maintenant").click()
    panel = page.locator('[data-step-panel="q1"]')
    panel.wait_for(state="visible")
    assert panel.locator("[data-step-title]").inner_text() == "Tour de table — Question 1"
    assert "on reconnaît, on nomme, on valide et on normalise" in panel.inner_text()
    speakers = panel.locator("[data-speaker-index]")
    names = [speakers.nth(i).inner_text() for i in range(speakers.count())]
    assert sorted(names) == sorted(m.first_name for m in session.group.active_members)
    assert panel.locator("[data-speaker-turn]").inner_text().endswith(names[0])
    page.keyboard.press("n")
    assert panel.locator("[data-speaker-turn]").inner_text().endswith(names[1])
    assert speakers.nth(1).get_attribute("aria-current") == "true"
    assert rows(session)["q1"].due_at <= now_utc()
    screenshot(page, "console-q1-laptop")

    page.set_viewport_size(PHONE)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "console-q1-phone", full_page=False)
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "help"
    screenshot(page, "console-help-phone", full_page=False)
    page.set_viewport_size(LAPTOP)

    # End, then the optional follow-up flag (no content).
    page.get_by_text("Terminer la rencontre", exact=True).click()
    page.get_by_role("button", name="Terminer sans le message clé").click()
    page.locator('[data-show-phase="over"]').wait_for()
    db.session.expire_all()
    assert session.status is SessionStatus.ENDED
    page.get_by_role("button", name="Demander un suivi").click()
    page.locator("text=Suivi demandé.").wait_for()
    db.session.expire_all()
    assert session.follow_up_needed
    screenshot(page, "console-ended-laptop")
    assert errors == []
    context.close()


def test_console_without_javascript_still_shows_the_timeline_and_works(server, browser, session, settings):
    context = browser.new_context(viewport=LAPTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/m/{links.console_token(settings, session.moderator, session)}")
    assert page.locator(".timeline-step").count() == len(session.prompts)
    assert "19\u00a0h\u00a003" in page.locator('.timeline [data-due-label="q1"]').inner_text()
    assert not page.get_by_role("button", name="+2 minutes").is_visible()  # days ahead: only "starts now"
    page.get_by_role("button", name="La rencontre commence maintenant").click()
    page.locator(".flash--success", has_text="le déroulement repart de maintenant").wait_for()
    assert page.locator('[data-step-panel="welcome"]').is_visible()
    q1_due = rows(session)["q1"].due_at
    page.get_by_role("button", name="+2 minutes").click()
    page.locator(".flash--success", has_text="2 minutes de plus").wait_for()
    assert rows(session)["q1"].due_at - q1_due == timedelta(minutes=2)
    assert page.locator('.timeline [data-due-label="q1"]').inner_text() == clock_label(
        rows(session)["q1"].due_at, session.timezone, "fr")
    screenshot(page, "console-nojs-laptop")
    context.close()


def test_participant_page_and_leaving(server, browser, session, settings):
    member = next(m for m in session.group.active_members if m.id != session.moderator_id)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{server}/p/{links.participant_token(settings, member)}")
    assert page.get_by_role("heading", name="Votre prochaine rencontre").is_visible()
    text = page.inner_text("main")
    assert "19\u00a0h\u00a000" in text and "Que trouvez-vous le plus difficile?" in text and "9-8-8" in text
    others = [m for m in session.group.members if m.id != member.id]
    assert not any(re.search(re.escape(m.first_name), text) for m in others)
    screenshot(page, "participant-phone")
    page.set_viewport_size(LAPTOP)
    screenshot(page, "participant-laptop")

    page.get_by_role("link", name="Quitter le groupe").click()
    page.get_by_role("button", name="Oui, quitter le groupe").wait_for()
    screenshot(page, "participant-leave-confirm")
    page.get_by_role("button", name="Oui, quitter le groupe").click()
    page.get_by_role("heading", name="Vous avez quitté le groupe").wait_for()
    db.session.expire_all()
    assert member.status is MemberStatus.LEFT
    assert db.session.query(Invite).filter_by(member_id=member.id, method=InviteMethod.CANCEL).count() == 1
    page.go_back()
    page.go_back()
    page.reload()
    assert page.get_by_role("heading", name="Ce lien n’est plus valide").is_visible()
    screenshot(page, "link-invalid")
    assert errors == [] or all("410" in error for error in errors)
    context.close()


def test_countdown_corrects_a_skewed_computer_clock(server, browser, session, settings):
    """The computer's clock is 7 minutes fast: the countdowns still follow the server's clock."""
    session.starts_at = now_utc() + timedelta(minutes=10)
    write_prompts(session)
    db.session.commit()
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.add_init_script("(() => { const skew = 7 * 60 * 1000; const real = Date.now;"
                         " Date.now = () => real() + skew; })();")
    page.goto(f"{server}/m/{links.console_token(settings, session.moderator, session)}")
    clock.sleep(0.2)
    remaining = seconds(page.locator('[data-countdown="start"]').inner_text())
    assert 590 <= remaining <= 600
    context.close()
