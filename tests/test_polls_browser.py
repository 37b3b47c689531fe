"""A member answers the availability poll in the machine's Chromium, in French, from the link in their e-mail.

Everything real: the web application on an ephemeral port (CSRF on), the invitation to answer delivered by an RQ
worker to a local SMTP server, the link taken from that e-mail.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import pytest

from service.domain import polls
from service.domain.clock import now_utc
from service.domain.poll_choice import Slot
from tests.browser import (CHROMIUM, LAPTOP, PHONE, chromium, coordinator_pages_at_both_widths, live_server, screenshot,
                           watch_errors)
from tests.factories import make_group
from tests.fixtures.invites import run_mail_jobs

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium package")]


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def test_a_member_answers_in_french_from_the_link_in_their_email(app, actor, app_settings, smtp):
    group = make_group(actor, members=4)
    slots = [Slot(2, time(12), 30), Slot(3, time(19, 30), 30), Slot(5, time(8, 0), 30)]
    poll = polls.open_poll(group, polls.PollDraft(slots, 2, 8, now_utc() + timedelta(days=4)), actor)
    run_mail_jobs(app)
    member = group.active_members[2]
    (letter,) = [r for r in smtp.received if r.rcpt_tos == [member.email]]
    text = letter.message.get_body(("plain",)).get_content()
    link = re.search(r"(http://\S+/sondage)", text).group(1)

    with live_server(app_settings) as server, chromium() as browser:
        context = browser.new_context(viewport=LAPTOP, locale="fr-CA")
        page = context.new_page()
        errors = watch_errors(page)
        page.goto(link.replace(app_settings.BASE_URL, server))
        assert page.get_by_role("heading", name="Quand nous rencontrer?", level=1).is_visible()
        assert page.get_by_role("heading", name="Qui voit quoi").is_visible()
        # One radio group per slot, labelled by the slot; reached by keyboard-friendly labels.
        page.get_by_role("group", name="mardi à 12 h 00, 30 min").get_by_label("Oui").check()
        page.get_by_role("group", name="mercredi à 19 h 30, 30 min").get_by_label("Si nécessaire").check()
        page.get_by_role("button", name="Enregistrer mes réponses").click()
        # The third slot was forgotten: a message next to it, the two choices kept.
        page.get_by_role("heading", name="Quelques réponses sont à revoir").wait_for()
        assert page.get_by_role("group", name="mardi à 12 h 00, 30 min").get_by_label("Oui").is_checked()
        screenshot(page, "poll-answer-error-fr")
        page.get_by_role("group", name="vendredi à 8 h 00, 30 min").get_by_label("Non").check()
        page.get_by_role("button", name="Enregistrer mes réponses").click()
        page.get_by_text("Merci! Vos réponses sont enregistrées.").wait_for()
        assert page.get_by_role("group", name="mercredi à 19 h 30, 30 min").get_by_label("Si nécessaire").is_checked()
        page.set_viewport_size(PHONE)
        screenshot(page, "poll-answer-fr-phone")
        assert [e for e in errors if "status of 422" not in e] == []  # the form answered 422 on purpose
        context.close()

    counts = polls.counts(poll)
    assert [(t.yes, t.if_need_be, t.no) for t in counts.tallies] == [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    assert (counts.answered, counts.not_answered) == (1, 3)


def test_the_kickoff_console_keeps_the_poll_counts_live(app, actor, app_settings):
    from datetime import datetime

    from service import links
    from service.domain import live, scheduling
    from service.domain.timelines import timeline_for
    from service.protocol import SessionKind
    from tests.test_scheduling import next_weekday

    group = make_group(actor, members=4)
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF,
                                          datetime.combine(next_weekday(3, 0) + timedelta(days=1), time(18)), 60, actor)
    poll = polls.open_poll(group, polls.PollDraft([Slot(2, time(19)), Slot(4, time(19))], 1, 6,
                                                  now_utc() + timedelta(days=4)), actor)
    polls.answer(poll, group.active_members[0], ["no", "yes"])
    # The kick-off is under way, in the step where the group agrees on its rhythm.
    agreements = next(step for step in timeline_for(kickoff).steps if step.key == "agreements")
    live.started(kickoff, now_utc() - timedelta(seconds=agreements.offset_seconds + 30), actor)

    with live_server(app_settings) as server, chromium() as browser:
        page = browser.new_page(viewport=LAPTOP)
        errors = watch_errors(page)
        page.goto(f"{server}/m/{links.console_token(app_settings, kickoff.moderator, kickoff)}")
        poll_section = page.locator("article:not([hidden]) .console-poll")
        assert poll_section.get_by_role("heading", name="Le sondage de disponibilités").is_visible()
        rows = poll_section.locator("tbody tr")
        assert rows.first.locator("th").inner_text() == "jeudi à 19\u00a0h\u00a000, 30 min"  # the leading slot first
        # Two more answers arrive while the console is open: the table follows without a reload.
        polls.answer(poll, group.active_members[1], ["yes", "no"])
        polls.answer(poll, group.active_members[2], ["yes", "if_need_be"])
        page.wait_for_function(
            "() => document.querySelector('article:not([hidden]) [data-poll-rows] th').textContent"
            ".startsWith('mardi')", timeout=25000)
        assert "3 ont répondu, 1 pas encore." in poll_section.inner_text()
        assert rows.first.locator("td").all_inner_texts() == ["2", "0", "1"]
        assert errors == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_slot_across_the_clock_change_is_refused_in_the_coordinators_words(app, actor, app_settings, language):
    """« À 2 h 30, le 14 mars 2027 » — not « 02:30 » and « 2027-03-14 »; and nothing is sent."""
    group = make_group(actor, members=4)
    expected = (r"À 2\u00a0h\u00a030, le \d+ mars 20\d\d, cette heure n’existe pas" if language == "fr"
                else r"On March \d+, 20\d\d, 2:30\u00a0a\.m\. does not exist")
    with live_server(app_settings) as server, chromium() as browser:
        for width, page, errors in coordinator_pages_at_both_widths(browser, server, language):
            page.goto(f"{server}/coordination/groupes/{group.id}/sondages/nouveau")
            page.select_option("#slot_0-weekday", "7")
            page.fill("#slot_0-local_time", "02:30")
            page.select_option("#slot_1-weekday", "3")
            page.fill("#slot_1-local_time", "12:00")
            page.fill("#occurrence_count", "60")
            page.locator("form [type=submit]").last.click()
            page.locator("[data-error-summary]").wait_for()
            message = page.get_by_text(re.compile(expected)).first
            assert message.is_visible()
            assert "02:30" not in message.inner_text()
            screenshot(page, f"poll-new-dst-{language}-{width}")
            assert [e for e in errors if "status of 422" not in e] == []
    assert polls.polls_of(group) == []  # refused: no poll, no letter
