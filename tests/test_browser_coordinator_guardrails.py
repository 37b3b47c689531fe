"""The coordinator's pages changed for issue 17 (items 7 to 10, 20) in the machine's Chromium, in French and in
English, at laptop and phone widths: the statuses, a form's marked errors, the series' dates with a daylight-saving
warning, the kick-off already planned. Screenshots of every page go to tests/artifacts/ for a person to judge."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import update

from service.domain import scheduling
from service.domain.clock import now_utc
from service.extensions import db
from service.models import Invite, InviteStatus, MeetingStatus, Prompt, PromptStatus, SessionStatus
from service.protocol import SessionKind
from tests.browser import PHONE, chromium, live_server, log_in_as_coordinator, screenshot, watch_errors
from tests.factories import make_group
from tests.test_scheduling import next_weekday

pytestmark = [pytest.mark.slow, pytest.mark.browser]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": PHONE}


@pytest.fixture
def groups(app, actor):
    """A group whose kick-off took place (follow-up asked), with a series across the spring clock change, one
    occurrence moved after the invitations went out; and a second group with nothing planned yet."""
    group = make_group(actor, members=6, name="Soins intensifs — soir")
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(1), time(18, 30)),
                                          60, actor)
    kickoff.starts_at = now_utc() - timedelta(days=2)
    kickoff.actual_started_at, kickoff.actual_ended_at = kickoff.starts_at, kickoff.ends_at
    kickoff.status, kickoff.follow_up_needed = SessionStatus.ENDED, True
    db.session.execute(update(Prompt).where(Prompt.session_id == kickoff.id)
                       .values(status=PromptStatus.POSTED, posted_at=now_utc()))
    db.session.commit()
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=5),
                                        actor, supervisor_agreement=True)
    for meeting in (kickoff.zoom_meeting, series.zoom_meeting):
        meeting.status, meeting.join_url = MeetingStatus.READY, "https://zoom.example/j/1"
    db.session.execute(update(Invite).values(status=InviteStatus.SENT, sent_at=now_utc()))
    db.session.commit()
    scheduling.reschedule_session(series.sessions[2], datetime.combine(next_weekday(4, 3), time(18)), 30, actor,
                                  supervisor_agreement=True)
    series.zoom_meeting.status = MeetingStatus.READY
    db.session.commit()
    other = make_group(actor, members=5, name="Urgence — nuit")
    return group, kickoff, other, series.sessions[2]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_changed_pages_at_both_widths(settings, groups, language):
    group, kickoff, other, moved = groups
    fr = language == "fr"
    with live_server(settings) as base, chromium() as browser:
        for width, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            errors = watch_errors(page)
            name = f"{language}-{width}"

            page.goto(f"{base}/language/{language}?next=/")
            entry = page.locator("[data-coordinator-entry]")
            assert entry.is_visible()
            screenshot(page, f"w17b-home-{name}")
            log_in_as_coordinator(page, base, language)
            screenshot(page, f"w17b-groups-{name}")

            # The group page: the kick-off over (with its follow-up), the series' statuses once, the moved
            # occurrence's update on its way.
            page.goto(f"{base}/coordination/groupes/{group.id}?all=1")
            assert page.locator("[data-series-status]").count() == 1
            table = page.locator(".sessions-table").inner_text()
            assert ("Rencontre terminée" if fr else "Session over") in table
            assert ("Suivi demandé" if fr else "Follow-up requested") in table
            assert ("la mise à jour est en cours d’envoi" if fr else "the update is being sent") in table
            # Only the moved occurrence repeats the meeting's status, beside its own invitations' update.
            assert table.count("Réunion Zoom prête" if fr else "Zoom meeting ready") == 1
            screenshot(page, f"w17b-group-{name}")
            page.goto(f"{base}/coordination/groupes/{group.id}/rencontres/{kickoff.id}")
            screenshot(page, f"w17b-session-ended-{name}")
            page.goto(f"{base}/coordination/groupes/{group.id}/rencontres/{moved.id}")
            details = page.locator(".status-details").inner_text()
            assert ("à venir" if fr else "to come") in details and ("sur" if fr else "of") in details
            assert page.locator("#starts_on").get_attribute("type") == "text"
            screenshot(page, f"w17b-session-upcoming-{name}")

            # The schedule page: the kick-off already planned is offered to be moved; a series across the spring
            # change is previewed, its DST change marked and 02:30 flagged, and saved only once confirmed.
            page.goto(f"{base}/coordination/groupes/{other.id}/planifier")
            series = page.locator("#series-form")
            series.locator("#series-weekday").select_option("6")
            series.locator("#series-starts_on").fill("2027-02-28")
            assert series.locator("#series-starts_on").get_attribute("type") == "text"
            series.locator("#series-at").fill("02:30" if width == "desktop" else "2 h 30")
            series.locator("#series-occurrence_count").fill("4")
            series.locator("[name='series-preview']").click()
            preview = page.locator("[data-series-preview]")
            preview.wait_for()
            assert preview.evaluate("element => element === document.activeElement")
            assert page.locator("[data-occurrence]").count() == 4
            assert page.locator("[data-dst-change]").count() == 1
            assert page.locator("[data-local-time-issue=nonexistent]").is_visible()
            confirm = page.locator("#series-daylight_saving_confirmed")
            assert confirm.is_visible() and not confirm.is_checked()
            screenshot(page, f"w17b-schedule-preview-dst-{name}")
            if width == "desktop":
                page.locator("[name='series-submit']").click()
                summary = page.locator("[data-error-summary]")
                summary.wait_for()
                assert summary.evaluate("element => element === document.activeElement")
                summary.get_by_role("link").first.click()
                assert confirm.evaluate("element => element === document.activeElement")
                confirm.check()
                page.locator("[name='series-submit']").click()
                page.locator(".flash--success").wait_for()
                page.goto(f"{base}/coordination/groupes/{other.id}/planifier")
                assert page.locator("[data-kickoff-scheduled]").count() == 0  # a series is not a kick-off

            page.goto(f"{base}/coordination/groupes/{group.id}/planifier")
            assert page.locator("[data-kickoff-scheduled]").is_visible()
            assert page.locator("details.second-kickoff").get_attribute("open") is None
            screenshot(page, f"w17b-schedule-kickoff-planned-{name}")

            # The new-group form with errors: the summary names the row, the field carries a visible mark.
            page.goto(f"{base}/coordination/groupes/nouveau")
            page.fill("#name", "Groupe d’essai")
            for row in range(4):
                if row != 2:
                    page.fill(f"#members-{row}-display_name", f"Personne {row}")
                page.fill(f"#members-{row}-email", f"p{row}@exemple.ca")
            page.locator("#members-0-is_trained_moderator").check()
            page.locator("#submit").click()
            summary = page.locator("[data-error-summary]")
            summary.wait_for()
            assert ("Personne 3 : Indiquez le nom" if fr else "Person 3: Enter this person") in summary.inner_text()
            field = page.locator("#members-2-display_name")
            assert field.get_attribute("aria-invalid") == "true"
            wrapper = page.locator(".field--error", has=field)
            assert wrapper.evaluate("e => getComputedStyle(e).borderLeftWidth") == "4px"
            assert field.evaluate("e => getComputedStyle(e).borderTopWidth") == "2px"
            icon = page.locator("#members-2-display_name-error")
            assert icon.evaluate("e => getComputedStyle(e, '::before').content") not in ("none", "normal", "")
            timezone = page.locator("#timezone optgroup")
            assert timezone.nth(1).get_attribute("label") == ("Autres fuseaux" if fr else "Other time zones")
            screenshot(page, f"w17b-new-group-errors-{name}")
            # A page refused with 422 is logged by the browser as a failed load: anything else is a real error.
            assert [e for e in errors if "status of 422" not in e] == []
            context.close()
