"""What a first real walkthrough of the console and the participant page found (issue 17, items 1 to 5), in the
machine's Chromium against the real app: the group's name kept from participants and moderators, times that follow
the plan, help that is whole and reachable, controls kept at hand on a phone, members leaving seen at the next poll.

Screenshots go to tests/artifacts/ (``walkthrough-*``): console before, running, after « +2 minutes » and ended,
and the participant page, in French and English, at laptop and phone widths.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from service import links
from service.dates import clock_label
from service.domain import groups, live, scheduling
from service.domain.audit import Actor
from service.domain.clock import now_utc
from service.elision import elide
from service.extensions import db
from service.models import ActorKind, PromptStatus, SessionStatus
from service.protocol import SessionKind
from tests.browser import LAPTOP, PHONE, chromium, live_server, screenshot, watch_errors
from tests.factories import make_group
from tests.test_scheduling import next_weekday

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# A name that says more than its members would want known: coordinators only may see it.
SECRET_NAME = "Deuil — urgence"


def schedule(actor, language="fr"):
    group = make_group(actor, members=5, name=SECRET_NAME, language=language)
    return scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)), 30,
                                       actor)


@pytest.fixture
def server(settings, app):
    with live_server(settings, CONSOLE_POLL_SECONDS=1.0) as base_url:
        yield base_url


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def console_url(server, settings, session):
    return f"{server}/m/{links.console_token(settings, session.moderator, session)}"


def rows(session):
    db.session.expire_all()
    return {p.step_key: p for p in live.ordered_prompts(session)}


def accessibility_problems(page) -> list[str]:
    """axe-core's verdict on the page as it is now (WCAG 2.1 A and AA, plus its best practices on regions)."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                                 "wcag21aa", "best-practice"]}})
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in results.response["violations"]]


def end_label(page) -> str:
    return page.locator("[data-end-label]").inner_text().strip()


def test_console_keeps_its_promises_in_french(server, browser, actor, settings):
    session = schedule(actor)
    planned_end = session.ends_at
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(console_url(server, settings, session))

    # 1. The group's name is nowhere on the moderator's screen; « Votre groupe » says which group it is.
    assert SECRET_NAME not in page.content()
    assert "Votre groupe" in page.locator(".console-head").inner_text()
    # 3. One h1; the distress guidance whole (no scroll box), before the list of resources; axe finds nothing.
    assert page.locator("h1").count() == 1
    help_panel = page.locator("#help")
    assert help_panel.evaluate("e => getComputedStyle(e).overflowY") == "visible"  # not a box of its own to scroll
    guidance = page.locator(".help-guidance")
    assert "sans aucun détail" in guidance.inner_text()
    assert guidance.evaluate("e => e.getBoundingClientRect().top") < page.locator("#help .resources").evaluate(
        "e => e.getBoundingClientRect().top")
    assert accessibility_problems(page) == []
    screenshot(page, "walkthrough-console-before-fr-laptop")
    page.set_viewport_size(PHONE)
    screenshot(page, "walkthrough-console-before-fr-phone", full_page=False)
    page.set_viewport_size(LAPTOP)

    # 2. Before the start « La rencontre commence maintenant » is the main button; once started it is not.
    page.get_by_role("button", name="La rencontre commence maintenant").click()
    page.locator('[data-step-panel="welcome"]').wait_for(state="visible")
    assert not page.get_by_role("button", name="La rencontre commence maintenant").is_visible()
    restart = page.get_by_text("Recommencer à partir de maintenant…")
    assert restart.is_visible()
    restart.click()
    assert page.get_by_role("button", name="Oui, tout reprendre à partir de maintenant").is_visible()
    restart.click()  # closed again: nothing restarted
    planned_end = live.planned_end(rows(session)["welcome"].session)
    zone = session.timezone

    # « +2 minutes »: the header says the new end at once.
    page.get_by_role("button", name="+2 minutes").click()
    page.locator("[data-control-message]", has_text="2 minutes de plus").wait_for()
    page.locator("[data-end]").wait_for(state="visible")
    assert end_label(page) == clock_label(planned_end + timedelta(minutes=2), zone, "fr")
    assert "au lieu de " + clock_label(planned_end, zone, "fr") in page.locator("[data-end]").inner_text()
    screenshot(page, "walkthrough-console-extra-time-fr-laptop")

    # Two « Étape suivante maintenant »: the moderator is told the earlier end, and can keep the planned one.
    for step in ("q1", "q2"):
        page.get_by_role("button", name="Étape suivante maintenant").click()
        page.locator(f'[data-step-panel="{step}"]').wait_for(state="visible")
    message = page.locator("[data-control-message]")
    message.filter(has_text="Fin maintenant prévue à").wait_for()
    early_end = live.live_end(rows(session)["q2"].session)
    assert early_end < planned_end
    assert clock_label(early_end, zone, "fr") in message.inner_text()
    keep = page.get_by_role("button", name=re.compile("Finir à l’heure prévue"))
    screenshot(page, "walkthrough-console-skipped-fr-laptop", full_page=False)
    page.set_viewport_size(PHONE)
    screenshot(page, "walkthrough-console-skipped-fr-phone", full_page=False)
    page.set_viewport_size(LAPTOP)
    keep.click()
    page.locator("[data-control-message]", has_text="jusqu’à l’heure prévue").wait_for()
    page.locator("[data-end]").wait_for(state="hidden")
    kept = rows(session)
    assert abs((kept["key_message"].expires_at - planned_end).total_seconds()) < 1
    assert kept["q3"].expires_at - kept["q3"].due_at > timedelta(seconds=kept["q3"].duration_seconds)
    assert not keep.is_visible()
    assert accessibility_problems(page) == []  # running, with the speaking order
    screenshot(page, "walkthrough-console-running-fr-laptop")
    page.set_viewport_size(PHONE)
    screenshot(page, "walkthrough-console-running-fr-phone", full_page=False)
    page.set_viewport_size(LAPTOP)

    # Ending early: the key message is posted first, in one click.
    page.get_by_text("Terminer la rencontre", exact=True).click()
    page.get_by_role("button", name="Publier le message clé et terminer").click()
    page.locator('[data-step-panel="key_message"]').wait_for(state="visible")
    closing = rows(session)
    assert abs((closing["key_message"].due_at - now_utc()).total_seconds()) < 10
    assert closing["key_message"].status is PromptStatus.PENDING  # the worker posts it now
    assert closing["q4"].status is PromptStatus.SKIPPED and closing["q5"].status is PromptStatus.SKIPPED
    assert page.locator(".key-message").first.is_visible()
    assert not page.get_by_role("button", name=re.compile("Finir à l’heure prévue")).is_visible()  # it ends now
    screenshot(page, "walkthrough-console-closing-fr-laptop")
    assert errors == []
    context.close()


def test_console_in_english_at_both_widths(server, browser, actor, settings):
    session = schedule(actor, language="en")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(console_url(server, settings, session))
    assert SECRET_NAME not in page.content() and "Your group" in page.inner_text(".console-head")
    screenshot(page, "walkthrough-console-before-en-phone", full_page=False)
    page.set_viewport_size(LAPTOP)
    screenshot(page, "walkthrough-console-before-en-laptop")
    page.set_viewport_size(PHONE)

    # 4. On a phone the current step, its countdown and the main controls stay on screen together.
    page.get_by_role("button", name="The session starts now").click()
    page.locator('[data-step-panel="welcome"]').wait_for(state="visible")
    page.get_by_role("button", name="+2 minutes").click()
    page.locator("[data-end]").wait_for(state="visible")
    # The answer speaks the session's language (it was French whatever the session's language).
    page.locator("[data-control-message]", has_text="2 more minutes for the current step. Now ending at").wait_for()
    bar = page.locator("[data-controls]")
    for scroll_to in ('[data-step-panel="welcome"] .guidance', ".timeline"):
        page.locator(scroll_to).scroll_into_view_if_needed()
        box = bar.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"] + 1, scroll_to
        assert page.get_by_role("button", name="+2 minutes").is_visible()
        assert page.locator("[data-bar-title]").inner_text() == "Welcome and centring"
        assert re.fullmatch(r"\d+:\d\d", page.locator("[data-bar-countdown]").inner_text())
        if scroll_to.endswith("guidance"):
            break
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "walkthrough-console-extra-time-en-phone", full_page=False)
    assert bar.bounding_box()["height"] < PHONE["height"] * 0.35
    page.set_viewport_size(LAPTOP)
    screenshot(page, "walkthrough-console-extra-time-en-laptop")

    # Ended (without the key message, when the moderator says so): the follow-up question.
    page.get_by_text("End the session", exact=True).click()
    page.get_by_role("button", name="End without the key message").click()
    page.locator('[data-show-phase="over"]').wait_for()
    db.session.expire_all()
    assert session.status is SessionStatus.ENDED
    assert accessibility_problems(page) == []
    screenshot(page, "walkthrough-console-ended-en-laptop")
    page.set_viewport_size(PHONE)
    screenshot(page, "walkthrough-console-ended-en-phone", full_page=False)
    assert errors == []
    context.close()


@pytest.mark.parametrize("session_language, viewer", [("fr", "en"), ("en", "fr")])
def test_a_console_read_in_the_other_language_guides_in_it_and_shows_the_chat_as_posted(
        server, browser, actor, settings, session_language, viewer):
    session = schedule(actor, language=session_language)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(console_url(server, settings, session) + f"?lang={viewer}")
    start = "The session starts now" if viewer == "en" else "La rencontre commence maintenant"
    page.get_by_role("button", name=start).click()
    panel = page.locator('[data-step-panel="welcome"]')
    panel.wait_for(state="visible")
    title, guidance = ("Welcome and centring", "Welcome each person.") if viewer == "en" else (
        "Accueil et centrage", "Accueillez chaque personne.")
    assert panel.locator("[data-step-title]").inner_text() == title
    assert guidance in panel.locator(".guidance").inner_text()
    chat = panel.locator(".chat-text blockquote")
    assert ("Bienvenue" in chat.inner_text()) == (session_language == "fr")  # as the members read it in the chat
    assert chat.get_attribute("lang") == session_language  # and read aloud in its own language
    screenshot(page, f"console-{session_language}-session-read-in-{viewer}-laptop")
    page.set_viewport_size(PHONE)
    assert page.locator("[data-bar-title]").inner_text() == title
    screenshot(page, f"console-{session_language}-session-read-in-{viewer}-phone", full_page=False)
    assert errors == []
    context.close()


def test_a_member_who_leaves_drops_out_of_an_open_console_at_the_next_poll(server, browser, actor, settings):
    session = schedule(actor)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(console_url(server, settings, session))
    page.get_by_role("button", name="La rencontre commence maintenant").click()
    page.locator('[data-step-panel="welcome"]').wait_for(state="visible")
    page.get_by_role("button", name="Étape suivante maintenant").click()
    panel = page.locator('[data-step-panel="q1"]')
    panel.wait_for(state="visible")
    names = panel.locator("[data-speaker-index]")
    before = [names.nth(i).inner_text() for i in range(names.count())]
    # The one who leaves is speaking (the second or third in order: never the moderator, never the last).
    by_name = {m.first_name: m for m in session.group.active_members}
    position = next(i for i in (1, 2) if by_name[before[i]].id != session.moderator_id)
    leaving = by_name[before[position]]
    for _ in range(position):
        page.keyboard.press("n")
    assert panel.locator("[data-speaker-turn]").inner_text() == elide(f"Au tour de {leaving.first_name}",
                                                                       [leaving.first_name])

    groups.member_leaves(leaving, Actor(ActorKind.MEMBER, leaving.id))
    page.wait_for_function("n => document.querySelectorAll('[data-step-panel=\"q1\"] [data-speaker-index]').length"
                           " === n", arg=len(before) - 1, timeout=5000)
    after = [names.nth(i).inner_text() for i in range(names.count())]
    assert after == [name for name in before if name != leaving.first_name]  # nobody else moved
    assert panel.locator("[data-speaker-turn]").inner_text().endswith(before[position + 1])  # the floor passes on
    assert errors == []
    context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_participant_page_names_no_group(server, browser, actor, settings, language):
    session = schedule(actor, language=language)
    member = next(m for m in session.group.active_members if m.id != session.moderator_id)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server}/p/{links.participant_token(settings, member)}")
    assert SECRET_NAME not in page.content()
    assert ("Votre groupe" if language == "fr" else "Your group") in page.inner_text("main")
    assert page.locator("h1").count() == 1
    assert accessibility_problems(page) == []
    screenshot(page, f"walkthrough-participant-{language}-phone", full_page=False)
    page.set_viewport_size(LAPTOP)
    screenshot(page, f"walkthrough-participant-{language}-laptop")
    context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_coordinators_header_stays_small_on_a_phone(server, browser, language):
    """It took 40 % of a phone's screen: now one compact band, every link still there and reachable."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server}/coordination/")
    page.fill("#email", "camille@exemple.ca")
    page.fill("#display_name", "Camille Tremblay-Desrosiers")
    page.get_by_role("button", name="Se connecter").click()
    page.locator("h1").wait_for()
    if language == "en":
        page.get_by_role("link", name="English").click()
        page.locator("h1", has_text="My groups").wait_for()
    screenshot(page, f"walkthrough-coordinator-header-{language}-phone", full_page=False)
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= PHONE["height"] * 0.15, header
    for link in ("Mes groupes", "Nouveau groupe") if language == "fr" else ("My groups", "New group"):
        assert page.locator(".site-nav").get_by_role("link", name=link, exact=True).is_visible()
    assert page.get_by_role("button", name="Se déconnecter" if language == "fr" else "Log out").is_visible()
    page.set_viewport_size(LAPTOP)
    screenshot(page, f"walkthrough-coordinator-header-{language}-laptop", full_page=False)
    context.close()
