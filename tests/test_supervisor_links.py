"""The e-mail with a supervisor's link, through a real SMTP server: the coordinator sees where it stands (sent,
being sent, refused) and can have it sent again; a temporary failure is retried, a job lost is enqueued again by
the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import refresh
from rq import Queue
from rq.job import Job
from sqlalchemy import select

from service.domain import supervisor_links, supervisors
from service.domain.clock import now_utc
from service.domain.supervisor_links import LinkDelivery, link_delivery
from service.extensions import db
from service.models import AuditEvent, Supervisor
from tests.coordinator_helpers import log_in
from tests.fixtures.invites import run_mail_jobs, run_mail_retries_now
from worker import queues
from worker.jobs.practice import resend_lost_links

ADDRESS = "sophie@acsm.example"


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def _add(actor) -> Supervisor:
    return supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", ADDRESS, "fr", actor)


def _reload(supervisor: Supervisor) -> Supervisor:
    db.session.expire_all()
    return db.session.get(Supervisor, supervisor.id)


def _support_page(client) -> str:
    return client.get("/coordination/soutien").get_data(as_text=True)


def test_the_coordinator_sees_the_link_sent_and_can_send_it_again(app, client, actor, smtp):
    supervisor = _add(actor)
    assert link_delivery(supervisor) is LinkDelivery.SENDING
    log_in(client)
    assert 'data-link-delivery="sending"' in _support_page(client)
    run_mail_jobs(app)
    assert [r.rcpt_tos for r in smtp.received] == [[ADDRESS]]
    assert link_delivery(_reload(supervisor)) is LinkDelivery.SENT
    page = _support_page(client)
    assert 'data-link-delivery="sent"' in page and "Lien envoyé par courriel le " in page

    smtp.received.clear()
    again = client.post(f"/coordination/soutien/superviseures/{supervisor.id}/lien")
    assert again.status_code == 302
    assert link_delivery(_reload(supervisor)) is LinkDelivery.SENDING
    queues.enqueue_supervisor_welcome(supervisor.id)  # the same job twice (a double click): one e-mail
    run_mail_jobs(app)
    assert [r.rcpt_tos for r in smtp.received] == [[ADDRESS]]
    assert "/s/" in smtp.received[0].message.get_body(("plain",)).get_content()  # the same personal page
    assert link_delivery(_reload(supervisor)) is LinkDelivery.SENT
    assert "va recevoir de nouveau le lien de sa page" in _support_page(client)
    events = db.session.execute(select(AuditEvent.action).where(AuditEvent.target_id == supervisor.id)).scalars()
    assert "supervisor.link_sent_again" in list(events)


def test_an_address_refused_for_good_is_shown_and_never_retried(app, client, actor, smtp):
    smtp.recorder.refuse_recipients[ADDRESS] = "550 5.1.1 No such user"
    supervisor = _add(actor)
    run_mail_jobs(app)
    assert smtp.received == []
    assert link_delivery(_reload(supervisor)) is LinkDelivery.REFUSED
    log_in(client)
    page = _support_page(client)
    assert 'data-link-delivery="refused"' in page and "a refusé cette adresse" in page
    assert supervisor_links.links_to_check(now_utc() + timedelta(minutes=5)) == []  # the sweep leaves it
    client.get("/language/en")
    refresh()  # the test's application context keeps the language it computed first
    english = _support_page(client)
    assert "The mail server refused this address" in english and "Resend the link to Sophie Lavoie" in english


def test_the_sweep_sends_again_a_link_whose_job_was_lost(app, actor, smtp):
    redis = app.extensions["redis"]
    supervisor = _add(actor)
    job_id = queues.supervisor_welcome_job_id(supervisor.id)
    Queue("mail", connection=redis).remove(job_id)
    Job.fetch(job_id, connection=redis).delete()  # Redis lost it
    with app.app_context():
        assert resend_lost_links() == 0  # asked for a moment ago: its job may still be on its way
    _reload(supervisor).link_requested_at = now_utc() - timedelta(minutes=5)
    db.session.commit()
    assert resend_lost_links() == 1
    assert resend_lost_links() == 0  # enqueued once
    run_mail_jobs(app)
    assert [r.rcpt_tos for r in smtp.received] == [[ADDRESS]]
    assert resend_lost_links() == 0  # sent: nothing more


def test_a_link_the_mail_server_could_not_take_yet_is_sent_at_its_retry(app, actor, smtp):
    redis = app.extensions["redis"]
    smtp.recorder.refuse_all = "451 4.3.0 Try again later"
    supervisor = _add(actor)
    run_mail_jobs(app)
    job = Job.fetch(queues.supervisor_welcome_job_id(supervisor.id), connection=redis)
    assert smtp.received == [] and job.get_status() == "scheduled"  # to be tried again in a minute
    assert link_delivery(_reload(supervisor)) is LinkDelivery.SENDING
    _reload(supervisor).link_requested_at = now_utc() - timedelta(minutes=5)
    db.session.commit()
    assert resend_lost_links() == 0  # not lost: waiting for its retry
    smtp.recorder.refuse_all = None
    run_mail_retries_now(app)
    assert [r.rcpt_tos for r in smtp.received] == [[ADDRESS]]
    assert link_delivery(_reload(supervisor)) is LinkDelivery.SENT


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_support_page_shows_each_link_at_both_widths(app, actor, app_settings, smtp, language):
    from tests.browser import ARTIFACTS, chromium, coordinator_pages_at_both_widths, live_server, screenshot

    smtp.recorder.refuse_recipients["ancienne@acsm.example"] = "550 5.1.1 No such user"
    sent = _add(actor)
    refused = supervisors.add_supervisor(actor.organisation_id, "Louise Tremblay", "ancienne@acsm.example", "fr",
                                         actor)
    run_mail_jobs(app)
    sending = supervisors.add_supervisor(actor.organisation_id, "Marc Roy", "marc@acsm.example", "en", actor)
    states = {"Sophie Lavoie": "sent", "Louise Tremblay": "refused", "Marc Roy": "sending"}
    with live_server(app_settings) as server, chromium() as browser:
        for width, page, errors in coordinator_pages_at_both_widths(browser, server, language):
            page.goto(f"{server}/coordination/soutien#superviseures")
            for name, state in states.items():
                row = page.locator(".supervision-list > li", has_text=name)
                assert row.locator(f'[data-link-delivery="{state}"]').is_visible()
                again = "Renvoyer son lien à" if language == "fr" else "Resend the link to"
                assert row.get_by_role("button", name=f"{again} {name}").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.locator("#superviseures").scroll_into_view_if_needed()
            screenshot(page, f"support-supervisor-links-{language}-{width}")
            page.locator(".supervision-list").screenshot(
                path=str(ARTIFACTS / f"support-supervisor-links-list-{language}-{width}.png"))
            assert errors == []
    assert {s.id for s in (sent, refused, sending)} == set(db.session.execute(select(Supervisor.id)).scalars())
