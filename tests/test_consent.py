"""Consent before contact: no session invitation reaches anyone who has not said yes; on saying yes they receive
the sessions ahead, as a member who joins does."""

from __future__ import annotations

import re
from datetime import datetime, time

import pytest
from sqlalchemy import select

from service.domain import groups, scheduling
from service.domain.rules import MemberDraft
from service.extensions import db
from service.models import AuditEvent, ConsentSource, Invite, Member
from service.protocol import SessionKind
from tests.factories import make_group
from tests.fixtures.invites import calendar_of, make_ready, run_mail_jobs
from tests.test_scheduling import next_weekday


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def is_invitation(received) -> bool:
    return any(part.get_content_type() == "text/calendar" for part in received.message.walk())


def test_an_unconsented_member_receives_no_invitation_until_they_confirm(app, client, actor, smtp):
    group = make_group(actor, members=4)
    newcomer = groups.add_member(group, MemberDraft("Nora Nouvelle", "nora@exemple.ca"), actor)
    assert newcomer.consent_at is None
    scheduling.schedule_session(group, SessionKind.KICKOFF,
                                          datetime.combine(next_weekday(1), time(18, 30)), 60, actor)
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2, 2), time(18, 30), occurrence_count=3),
                               actor)
    for meeting in {s.zoom_meeting for s in group_sessions(group)}:  # the kick-off's and the series' meetings
        make_ready(meeting)
    run_mail_jobs(app)
    to_nora = [r for r in smtp.received if r.rcpt_tos == ["nora@exemple.ca"]]
    assert len(to_nora) == 1 and not is_invitation(to_nora[0])  # only the welcome-and-consent e-mail
    assert db.session.execute(select(Invite).where(Invite.member_id == newcomer.id)).first() is None
    assert sum(1 for r in smtp.received if is_invitation(r)) == 8  # 4 members × (kick-off + series)

    text = to_nora[0].message.get_body(("plain",)).get_content()
    assert "aucune invitation tant que vous n’aurez pas confirmé" in text
    link = re.search(r"http://127\.0\.0\.1:5000(/v/\S+)", text).group(1)
    assert client.get(link).status_code == 200  # opening the link is not confirming
    run_mail_jobs(app)
    assert len([r for r in smtp.received if r.rcpt_tos == ["nora@exemple.ca"]]) == 1

    confirmed = client.post(f"{link}/confirm")
    assert confirmed.status_code == 303 and "/p/" in confirmed.headers["Location"]  # on to their participant page
    run_mail_jobs(app)
    invitations_to_nora = [r for r in smtp.received if r.rcpt_tos == ["nora@exemple.ca"] and is_invitation(r)]
    assert len(invitations_to_nora) == 2  # the kick-off and the series, like a member who joins
    assert all(b"METHOD:REQUEST" in calendar_of(r.message) for r in invitations_to_nora)
    db.session.expire_all()
    member = db.session.get(Member, newcomer.id)
    assert member.consent_source is ConsentSource.EMAIL_CONFIRMATION


def group_sessions(group):
    from service.models import GroupSession

    return db.session.execute(select(GroupSession).where(GroupSession.group_id == group.id)).scalars().all()


def test_a_member_who_declines_from_the_consent_page_leaves_and_gets_nothing(app, client, actor, smtp):
    group = make_group(actor, members=4)
    groups.add_member(group, MemberDraft("Nora Nouvelle", "nora@exemple.ca"), actor)
    run_mail_jobs(app)
    text = smtp.received[0].message.get_body(("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:5000(/v/\S+)", text).group(1)
    assert "Je ne souhaite pas participer" in client.get(link).get_data(as_text=True)
    assert client.post(f"{link}/withdraw").status_code == 303
    assert len(group.active_members) == 4
    assert client.get(link).status_code == 410


def test_a_declared_consent_is_recorded_with_who_said_so(app, actor, coordinator, smtp):
    group = make_group(actor, members=4, consented=False)
    run_mail_jobs(app)
    assert len(smtp.received) == 4  # everyone is asked
    member = group.active_members[0]
    groups.update_member(member, MemberDraft(member.display_name, member.email, consent_already_given=True), actor)
    assert member.consent_source is ConsentSource.COORDINATOR_DECLARED
    assert member.consent_declared_by == coordinator.id
    line = db.session.execute(select(AuditEvent).where(AuditEvent.action == "member.consent_declared")).scalar_one()
    assert (line.actor_id, line.target_id) == (coordinator.id, member.id)
    assert line.at is not None and "exemple" not in repr(line.details)


def test_a_welcome_email_whose_job_redis_lost_is_sent_by_the_sweep_once(app, actor, smtp, redis_client):
    """Consent before contact must not become "never contacted": after Redis lost the queue, the sweep enqueues the
    welcome-and-consent e-mail again — and a letter that did go out is not sent twice."""
    from datetime import timedelta

    from sqlalchemy import update

    from service.domain.clock import now_utc
    from worker.jobs.sweep import sweep

    group = make_group(actor, members=4)
    lost = groups.add_member(group, MemberDraft("Nora Nouvelle", "nora@exemple.ca"), actor)
    redis_client.flushdb()  # the queued job is gone, as after a Redis restart without persistence
    sent = groups.add_member(group, MemberDraft("Théo Reçu", "theo@exemple.ca"), actor)
    run_mail_jobs(app)
    assert [r.rcpt_tos for r in smtp.received] == [["theo@exemple.ca"]]

    # Too recent to call lost: the sweep leaves it alone.
    sweep()
    run_mail_jobs(app)
    assert len(smtp.received) == 1
    # Some minutes later it is: sent once, and only the lost one.
    db.session.execute(update(Member).where(Member.id.in_([lost.id, sent.id]))
                       .values(consent_mailed_at=now_utc() - timedelta(minutes=5)))
    db.session.commit()
    sweep()
    sweep()
    run_mail_jobs(app)
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == ["nora@exemple.ca", "theo@exemple.ca"]


def test_the_organisations_name_is_elided_and_escaped_once_in_the_letter_and_on_the_page(app, client, actor, smtp):
    from service.models import Organisation

    db.session.get(Organisation, actor.organisation_id).name = "Agence Santé & Mieux-être"
    db.session.commit()
    group = make_group(actor, members=4)
    groups.add_member(group, MemberDraft("Nora Nouvelle", "nora@exemple.ca"), actor)
    run_mail_jobs(app)
    letter = next(r for r in smtp.received if r.rcpt_tos == ["nora@exemple.ca"]).message
    text = letter.get_body(("plain",)).get_content()
    html = letter.get_body(("html",)).get_content()
    assert "entre pairs d’Agence Santé & Mieux-être vous propose" in text
    assert "entre pairs d’Agence Santé &amp; Mieux-être vous propose" in html and "&amp;amp;" not in html
    link = re.search(r"http://127\.0\.0\.1:5000(/v/\S+)", text).group(1)
    page = client.get(link).get_data(as_text=True)
    assert "entre pairs d’Agence Santé &amp; Mieux-être vous propose" in page and "&amp;amp;" not in page
