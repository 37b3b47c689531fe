"""Delivering invitation rows: claims, retries with backoff, permanent refusals, superseded rows, the sweep,
the transports (SMTP with STARTTLS and login, the development outbox) and what the coordinator sees.

Mail goes to a real SMTP server on 127.0.0.1 (aiosmtpd); nothing here is monkeypatched.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import replace
from datetime import datetime, time, timedelta

import icalendar
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select, update

from calendars import Envelope, Method, Person, build_message
from integrations.mail import PermanentMailError, SmtpTransport, TemporaryMailError, transport_from_settings
from service.app import create_app
from service.domain import delivery, groups, invitations, scheduling
from service.domain.clock import UTC, now_utc
from service.domain.delivery import MAX_ATTEMPTS, RETRY_DELAYS, Outcome
from service.domain.rules import MemberDraft
from service.extensions import db
from service.models import GroupSession, Invite, InviteMethod, InviteStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.fixtures.invites import calendar_of, make_ready, run_mail_jobs
from tests.fixtures.mailserver import MailServer
from tests.test_scheduling import next_weekday


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def evening(weekday: int = 2, weeks_ahead: int = 1) -> datetime:
    return datetime.combine(next_weekday(weekday, weeks_ahead), time(18, 30))


def invites(**filters) -> list[Invite]:
    query = select(Invite).order_by(Invite.id)
    for name, value in filters.items():
        query = query.where(getattr(Invite, name) == value)
    return list(db.session.execute(query).scalars())


def scheduled_kickoff(actor, members=4):
    group = make_group(actor, members=members, trained=1)
    session = scheduling.schedule_session(group, SessionKind.KICKOFF, evening(), 60, actor)
    return group, session


def test_nothing_leaves_without_the_join_link_and_everything_leaves_once_it_is_there(app, actor, smtp):
    group, session = scheduled_kickoff(actor)
    rows = invites()
    assert len(rows) == 4
    assert [delivery.deliver(i.id) for i in rows] == [Outcome.WAITING] * 4
    db.session.expire_all()
    assert all(i.status is InviteStatus.PENDING and i.next_attempt_at > now_utc() and i.attempts == 0 for i in rows)
    summary = invitations.delivery_summary(session)
    assert (summary.total, summary.pending, summary.sent) == (4, 4, 0)
    assert all(line.waiting_for_meeting for line in summary.lines)
    assert delivery.invites_to_retry() == []  # waiting, not due

    make_ready(session.zoom_meeting)  # makes them due and enqueues them
    assert delivery.invites_to_retry() == []  # their jobs are queued: the sweep leaves them alone...
    later = now_utc() + delivery.ENQUEUE_GRACE + timedelta(seconds=1)
    assert sorted(delivery.invites_to_retry(later)) == [i.id for i in rows]  # ...unless they stay unsent
    run_mail_jobs(app)
    db.session.expire_all()
    assert [i.status for i in rows] == [InviteStatus.SENT] * 4 and all(i.attempts == 1 and i.sent_at for i in rows)
    assert len(smtp.received) == 4
    summary = invitations.delivery_summary(session)
    assert (summary.total, summary.pending, summary.sent, summary.failed) == (4, 0, 4, ())


def test_a_row_is_sent_once_even_when_its_job_runs_twice(app, actor, smtp):
    _, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    row = invites()[0]
    assert delivery.deliver(row.id) is Outcome.SENT
    assert delivery.deliver(row.id) is Outcome.NOT_CLAIMED
    run_mail_jobs(app)  # the enqueued jobs run too: the other rows go, this one not again
    assert [r.rcpt_tos[0] for r in smtp.received].count(row.email) == 1
    message_ids = {r.message["Message-ID"] for r in smtp.received}
    assert delivery.message_id_for(row, app.extensions["settings"]) in message_ids


def test_a_job_keeps_what_its_rows_share_and_the_next_job_reads_the_database_again(app, actor, smtp):
    """A job reads what its rows share once (``delivery.one_reading_per_job``); what it read must not outlive
    it: a change another process commits between two jobs reaches the second job's message."""
    from worker.jobs.invites import send_invites

    _, session = scheduled_kickoff(actor, members=3)
    make_ready(session.zoom_meeting)
    rows = invites()
    session_id, moved = session.id, session.starts_at + timedelta(hours=1)
    assert send_invites([r.id for r in rows]) == {Outcome.SENT.value: 3}
    assert len({r.rcpt_tos[0] for r in smtp.received}) == 3
    with db.engine.begin() as connection:  # another process's commit, not through this session
        connection.execute(update(GroupSession).where(GroupSession.id == session_id).values(starts_at=moved))
        connection.execute(update(Invite).where(Invite.id == rows[0].id).values(status=InviteStatus.PENDING))
    assert send_invites([rows[0].id]) == {Outcome.SENT.value: 1}
    (event,) = icalendar.Calendar.from_ical(calendar_of(smtp.received[-1].message)).walk("VEVENT")
    assert event["DTSTART"].dt == moved


def test_a_row_being_sent_is_not_claimed_again_and_a_dead_workers_row_comes_back(app, actor, smtp):
    _, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    row = invites()[0]
    row.status, row.claimed_at = InviteStatus.SENDING, now_utc() - timedelta(minutes=20)
    db.session.commit()
    assert delivery.deliver(row.id) is Outcome.NOT_CLAIMED
    assert delivery.release_stale(now_utc() - timedelta(minutes=10)) == []  # not stale yet then
    assert delivery.release_stale() == [row.id]
    db.session.expire_all()
    assert row.status is InviteStatus.PENDING and row.attempts == 1 and "worker stopped" in row.last_error
    assert row.id in delivery.invites_to_retry()
    assert delivery.deliver(row.id) is Outcome.SENT
    assert len(smtp.received) == 1


def test_temporary_refusals_are_retried_with_backoff_then_the_message_goes(app, actor, smtp):
    _, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    row = invites()[0]
    smtp.recorder.refuse_all = "451 4.3.0 Mailbox busy, try later"
    now = now_utc()
    assert delivery.deliver(row.id, now=now) is Outcome.RETRY
    db.session.expire_all()
    assert row.status is InviteStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == now + RETRY_DELAYS[0] and "451 4.3.0 Mailbox busy" in row.last_error
    assert row.id not in delivery.invites_to_retry(now)
    assert delivery.deliver(row.id, now=now) is Outcome.NOT_CLAIMED  # not due yet
    later = now + RETRY_DELAYS[0]
    assert row.id in delivery.invites_to_retry(later)
    assert delivery.deliver(row.id, now=later) is Outcome.RETRY
    db.session.expire_all()
    assert row.next_attempt_at == later + RETRY_DELAYS[1]
    smtp.recorder.refuse_all = None
    assert delivery.deliver(row.id, now=row.next_attempt_at) is Outcome.SENT
    db.session.expire_all()
    assert row.status is InviteStatus.SENT and row.attempts == 3 and row.last_error is None
    assert len(smtp.received) == 1


def test_an_unreachable_server_is_a_temporary_failure_until_the_attempts_run_out(app, actor, settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = create_app(replace(settings, SMTP_HOST="127.0.0.1", SMTP_PORT=closed_port, SMTP_STARTTLS=False,
                              SMTP_TIMEOUT_SECONDS=2))
    with down.app_context():
        _, session = scheduled_kickoff(actor, members=4)
        make_ready(session.zoom_meeting)
        row = invites()[0]
        moment = now_utc()
        outcomes = []
        for _ in range(MAX_ATTEMPTS):
            outcomes.append(delivery.deliver(row.id, now=moment))
            db.session.expire_all()
            moment = row.next_attempt_at or moment
        assert outcomes == [Outcome.RETRY] * (MAX_ATTEMPTS - 1) + [Outcome.FAILED]
        assert row.status is InviteStatus.FAILED and row.attempts == MAX_ATTEMPTS
        assert "unreachable" in row.last_error and "gave up after" in row.last_error
        db.session.remove()
        db.engine.dispose()
    down.extensions["redis"].close()


def test_a_permanent_refusal_is_recorded_with_its_reason_and_can_be_sent_again(app, actor, smtp):
    group, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    refused = group.active_members[1]
    smtp.recorder.refuse_recipients[refused.email] = "550 5.1.1 No such user here"
    run_mail_jobs(app)
    (row,) = invites(member_id=refused.id)
    assert row.status is InviteStatus.FAILED and row.attempts == 1 and row.next_attempt_at is None
    assert row.last_error == "recipient refused: 550 5.1.1 No such user here"
    summary = invitations.delivery_summary(session)
    assert (summary.sent, summary.pending, len(summary.failed)) == (3, 0, 1)
    (problem,) = summary.failed
    assert (problem.member_id, problem.reason) == (refused.id, row.last_error)
    assert refused.email not in problem.reason

    smtp.recorder.refuse_recipients.clear()
    invitations.resend_invite(row, actor)
    assert row.status is InviteStatus.PENDING and row.attempts == 0
    run_mail_jobs(app)
    db.session.expire_all()
    assert row.status is InviteStatus.SENT
    assert invitations.delivery_summary(session).sent == 4


def test_only_the_newest_change_goes_out_and_the_status_stays_truthful(app, actor, smtp):
    group, session = scheduled_kickoff(actor)
    scheduling.reschedule_session(session, evening(3), 60, actor)
    scheduling.reschedule_session(session, evening(4), 45, actor)
    rows = invites()
    assert len(rows) == 12
    newest = [r for r in rows if r.sequence == 2]
    assert {r.status for r in rows if r.sequence < 2} == {InviteStatus.SUPERSEDED}
    assert {invitations.carrier(r).id for r in rows if r.member_id == newest[0].member_id} == {newest[0].id}
    summary = invitations.delivery_summary(session)
    assert (summary.total, summary.pending) == (4, 4)  # one line per person, not three

    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    assert len(smtp.received) == 4
    for received in smtp.received:
        (event,) = icalendar.Calendar.from_ical(calendar_of(received.message)).walk("VEVENT")
        assert event["SEQUENCE"] == 2 and event["DTSTART"].dt == session.starts_at
        assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=45)
    summary = invitations.delivery_summary(session)
    assert (summary.total, summary.sent, summary.pending) == (4, 4, 0)


def test_a_whole_series_waiting_to_go_carries_the_changes_made_meanwhile(app, actor, smtp):
    group = make_group(actor, members=4, trained=1)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(18, 30),
                                                                     occurrence_count=4), actor)
    third = series.sessions[2]
    scheduling.reschedule_session(third, datetime.combine(third.starts_at.date() + timedelta(days=1), time(19, 0)),
                                  None, actor)
    scheduling.cancel_session(series.sessions[1], actor)
    make_ready(series.zoom_meeting)
    run_mail_jobs(app)
    # One message each: the series with the moved occurrence inside and the cancelled one excluded.
    assert len(smtp.received) == 4
    for received in smtp.received:
        data = calendar_of(received.message)
        assert b"METHOD:REQUEST" in data and b"RECURRENCE-ID" in data and b"EXDATE" in data
    rows = invites()
    assert {r.status for r in rows if r.recurrence_key} == {InviteStatus.SUPERSEDED}
    whole = {r.id for r in rows if not r.recurrence_key}
    assert {r.superseded_by_id for r in rows if r.method is InviteMethod.REQUEST and r.recurrence_key} <= whole
    assert invitations.delivery_summary(third).sent == 4


def test_someone_who_leaves_before_anything_went_out_gets_nothing(app, actor, smtp):
    group, session = scheduled_kickoff(actor)
    newcomer = groups.add_member(group, MemberDraft("Nora Nouvelle", "nora@exemple.ca", consent_already_given=True),
                                 actor)
    groups.member_leaves(newcomer, actor)
    rows = invites(member_id=newcomer.id)
    assert [(r.method, r.status) for r in rows] == [(InviteMethod.REQUEST, InviteStatus.SUPERSEDED),
                                                    (InviteMethod.CANCEL, InviteStatus.PENDING)]
    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    db.session.expire_all()
    assert rows[1].status is InviteStatus.SUPERSEDED  # nothing had been delivered to cancel
    assert "nora@exemple.ca" not in [r.rcpt_tos[0] for r in smtp.received]
    assert len(smtp.received) == 4


def test_an_address_change_cancels_at_the_old_address_and_invites_the_new_one(app, actor, smtp):
    group, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    member = group.active_members[2]
    old = member.email
    groups.update_member(member, MemberDraft(member.display_name, "nouvelle.adresse@exemple.ca",
                                             reports_to_email=member.reports_to_email), actor)
    run_mail_jobs(app)
    last_two = smtp.received[-2:]
    assert [(r.rcpt_tos[0], "METHOD:CANCEL" in calendar_of(r.message).decode()) for r in last_two] == [
        (old, True), ("nouvelle.adresse@exemple.ca", False)]
    assert str(last_two[0].message["Subject"]).startswith("Retrait")


def test_a_replaced_external_moderator_gets_the_cancellation_of_their_own_event(app, actor, smtp):
    from service.domain.groups import GroupDraft
    from tests.factories import member_drafts

    group = groups.create_group(GroupDraft(
        name="Urgence", language="fr", timezone="America/Toronto", members=member_drafts(5, trained=2),
        external_moderator=MemberDraft("Martine Externe", "martine@acsm.exemple", consent_already_given=True), external_moderator_sessions=1,
    ), actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(18, 30),
                                                                     occurrence_count=3), actor)
    make_ready(series.zoom_meeting)
    run_mail_jobs(app)
    first = series.sessions[0]
    external = group.external_moderator
    assert first.moderator_id == external.id
    internal = [m for m in group.active_members if m.is_trained_moderator][0]
    scheduling.change_moderator(first, internal, actor)
    run_mail_jobs(app)
    to_external = [r for r in smtp.received if r.rcpt_tos[0] == external.email]
    assert [("CANCEL" if b"METHOD:CANCEL" in calendar_of(r.message) else "REQUEST") for r in to_external] == [
        "REQUEST", "CANCEL"]
    assert first.calendar_uid.encode() in calendar_of(to_external[-1].message)
    # ... and taking it back gives them a new request for the same event, above the cancellation.
    scheduling.change_moderator(first, external, actor)
    make_ready(series.zoom_meeting)
    run_mail_jobs(app)
    last = [r for r in smtp.received if r.rcpt_tos[0] == external.email][-1]
    data = calendar_of(last.message)
    assert b"METHOD:REQUEST" in data and first.calendar_uid.encode() in data


def test_the_sweep_job_releases_and_enqueues_what_is_due(app, actor, smtp, redis_client):
    from rq import Queue

    from worker.jobs.invites import retry_due_invites

    _, session = scheduled_kickoff(actor)
    redis_client.flushdb()  # as if Redis had lost the jobs enqueued at commit
    make_ready(session.zoom_meeting)
    redis_client.flushdb()
    assert retry_due_invites() == 0  # a sweep right away would most likely find the jobs still queued
    db.session.execute(update(Invite).values(updated_at=now_utc() - delivery.ENQUEUE_GRACE))
    db.session.commit()
    assert retry_due_invites() == 4
    assert len(Queue("mail", connection=redis_client).job_ids) == 1  # the four rows in one job
    assert retry_due_invites() == 0  # marked as queued: not enqueued again
    run_mail_jobs(app)
    assert len(smtp.received) == 4
    assert retry_due_invites() == 0


def test_invitations_whose_queue_entry_was_lost_go_out_within_two_minutes_once(app, actor, smtp, redis_client):
    from service.domain.clock import now_utc as clock
    from worker.jobs.invites import retry_due_invites
    from worker.jobs.sweep import sweep

    _, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)  # their job is queued...
    redis_client.flushdb()  # ...and Redis loses it
    assert sweep()["invites"] == 0  # too young: their job may still be on its way
    # Found by the first sweep once they are ENQUEUE_GRACE old: the sweep runs every SWEEP_INTERVAL_SECONDS.
    recovery = delivery.ENQUEUE_GRACE + timedelta(seconds=app.extensions["settings"].SWEEP_INTERVAL_SECONDS)
    assert recovery < timedelta(minutes=2)
    db.session.execute(update(Invite).values(updated_at=clock() - delivery.ENQUEUE_GRACE))
    db.session.commit()
    assert sweep()["invites"] == 4
    run_mail_jobs(app)
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(i.email for i in invites())
    assert retry_due_invites() == 0 and {i.status for i in invites()} == {InviteStatus.SENT}


def test_a_dead_job_s_rows_come_back_at_the_next_sweep_and_a_live_one_s_stay(app, actor, smtp, redis_client):
    from worker import queues
    from worker.claims import Heartbeat
    from worker.jobs.invites import retry_due_invites

    _, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    redis_client.flushdb()
    dead_row, live_row, untouched, *_ = invites()
    # A job took its rows off the queue, claimed one, and died (its heartbeat stops with it)...
    with Heartbeat(redis_client) as dead:
        queues.unmark_queued([dead_row.id], redis_client)
        assert delivery._claim(dead_row.id, now_utc(), dead)
    # ...while another job is alive, busy sending its row.
    with Heartbeat(redis_client) as alive:
        assert delivery._claim(live_row.id, now_utc(), alive)
        db.session.execute(update(Invite).where(Invite.id.in_([dead_row.id, live_row.id]))
                           .values(claimed_at=now_utc() - delivery.CLAIM_GRACE - timedelta(seconds=1)))
        db.session.execute(update(Invite).values(updated_at=now_utc() - delivery.ENQUEUE_GRACE))
        db.session.commit()
        assert delivery.sending_claimers() == {dead, alive}
        assert retry_due_invites() == 3  # the dead job's row and the two nobody held; not the live one's
        db.session.expire_all()
        assert dead_row.status is InviteStatus.PENDING and dead_row.attempts == 1 and dead_row.claimed_by is None
        assert live_row.status is InviteStatus.SENDING and live_row.claimed_by == alive
        run_mail_jobs(app)
    db.session.expire_all()
    assert live_row.status is InviteStatus.SENDING and untouched.status is InviteStatus.SENT
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(i.email for i in invites() if i.id != live_row.id)


def test_a_mark_older_than_its_lifetime_no_longer_protects_its_row(app, actor, smtp, redis_client):
    import time as clock

    from worker import queues
    from worker.jobs.invites import retry_due_invites

    _, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    redis_client.delete("rq:queue:mail")  # the jobs are gone, the marks stay (nobody saw the job go)
    db.session.execute(update(Invite).values(updated_at=now_utc() - delivery.ENQUEUE_GRACE))
    db.session.commit()
    assert retry_due_invites() == 0
    old = clock.time() - queues.QUEUED_MARK_TTL_SECONDS - 1
    redis_client.zadd(queues.QUEUED_INVITES_KEY, {str(i.id): old for i in invites()})
    assert retry_due_invites() == 4
    run_mail_jobs(app)
    assert len(smtp.received) == 4


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def _message() -> object:
    envelope = Envelope("Entre pairs <entre-pairs@exemple.ca>", Person("Alice", "alice@exemple.ca"), "Test",
                        "<invite-1-x@exemple.ca>", datetime.now(UTC))
    return build_message(envelope, Method.REQUEST, "texte", "<p>html</p>", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


def test_smtp_with_starttls_and_login(tmp_path, monkeypatch):
    cert_path, key_path = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))  # the client trusts this test certificate authority
    with MailServer(tls_context=server_context, credentials=("service", "s3cret")) as server:
        with SmtpTransport("127.0.0.1", server.port, "service", "s3cret", starttls=True, timeout=5) as transport:
            transport.send(_message())
            transport.send(_message())  # the same connection, still logged in
        assert [r.rcpt_tos for r in server.received] == [["alice@exemple.ca"]] * 2
        assert len({r.peer for r in server.received}) == 1
        with pytest.raises(TemporaryMailError) as refused_login, \
                SmtpTransport("127.0.0.1", server.port, "service", "wrong", starttls=True, timeout=5) as transport:
            transport.send(_message())
        assert "SMTP_PASSWORD" in refused_login.value.reason and "wrong" not in refused_login.value.reason
        with pytest.raises(TemporaryMailError) as no_tls, \
                SmtpTransport("127.0.0.1", server.port, "", "", starttls=False, timeout=5) as transport:
            transport.send(_message())  # the server requires STARTTLS before anything
        assert no_tls.value.code == 530
    with MailServer() as plain, pytest.raises(TemporaryMailError) as unsupported, \
            SmtpTransport("127.0.0.1", plain.port, starttls=True, timeout=5) as transport:
        transport.send(_message())
    assert "STARTTLS" in unsupported.value.reason


def test_a_recipient_refused_for_good_raises_a_permanent_error(smtp):
    smtp.recorder.refuse_recipients["alice@exemple.ca"] = "550 5.7.1 Delivery not authorized"
    with SmtpTransport("127.0.0.1", smtp.port, starttls=False, timeout=5) as transport:
        with pytest.raises(PermanentMailError) as refused:
            transport.send(_message())
        assert refused.value.code == 550 and "5.7.1" in refused.value.reason
        smtp.recorder.refuse_recipients.clear()
        transport.send(_message())  # the session was reset after the refusal, and goes on
    assert len(smtp.received) == 1


def test_one_connection_carries_many_messages_and_a_closed_one_is_replaced():
    first = MailServer().__enter__()
    port = first.port
    with SmtpTransport("127.0.0.1", port, starttls=False, timeout=5, idle_check_seconds=3600) as kept, \
            SmtpTransport("127.0.0.1", port, starttls=False, timeout=5, idle_check_seconds=0) as checked:
        try:
            for _ in range(3):
                kept.send(_message())
            checked.send(_message())
            assert len({r.peer for r in first.received}) == 2  # three messages on one connection; the other
        finally:
            first.__exit__(None, None, None)  # the server goes away, closing both connections, and comes back
        with MailServer(port=port) as second:
            kept.send(_message())  # the send fails on the closed connection: connects again, sends once
            checked.send(_message())  # NOOP finds the connection closed before sending
            kept.send(_message())
            assert len(second.received) == 3 and len({r.peer for r in second.received}) == 2


def test_the_development_outbox_and_its_page(app, actor, settings, tmp_path):
    outbox_settings = replace(settings, SMTP_HOST="", MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))
    assert transport_from_settings(outbox_settings).__class__.__name__ == "OutboxTransport"
    application = create_app(outbox_settings)
    with application.app_context():
        group, session = scheduled_kickoff(actor, members=4)
        make_ready(session.zoom_meeting)
        run_mail_jobs(application)
        files = sorted((tmp_path / "outbox").glob("*.eml"))
        assert len(files) == 4
        client = application.test_client()
        page = client.get("/dev/outbox/")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert text.count("Invitation : Rencontre d’équipe") == 4 and "personne0@exemple.ca" in text
        shown = client.get(f"/dev/outbox/{files[0].name}")
        assert shown.status_code == 200 and "METHOD:REQUEST" in shown.get_data(as_text=True)
        html = client.get(f"/dev/outbox/{files[0].name}/html")
        assert "sandbox" in html.headers["Content-Security-Policy"] and "<html" in html.get_data(as_text=True)
        ics = client.get(f"/dev/outbox/{files[0].name}/invite.ics")
        assert ics.mimetype == "text/calendar" and ics.data.startswith(b"BEGIN:VCALENDAR\r\n")
        raw = client.get(f"/dev/outbox/{files[0].name}/raw")
        assert raw.mimetype == "message/rfc822" and raw.data == files[0].read_bytes()
        assert client.get("/dev/outbox/..%2Fsecret_key").status_code == 404
        assert client.get("/dev/outbox/nothing.eml").status_code == 404
        db.session.remove()
        db.engine.dispose()
    application.extensions["redis"].close()
    production = create_app(replace(outbox_settings, APP_ENV="production"))
    assert not [rule for rule in production.url_map.iter_rules() if rule.endpoint.startswith("outbox.")]
    production.extensions["redis"].close()


def test_a_changed_join_link_reaches_everyone(app, actor, smtp):
    _, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    session.zoom_meeting.join_url = "https://zoom.exemple/j/81234567890?pwd=NEW"
    invitations.join_link_changed(session.zoom_meeting_id)
    db.session.commit()
    run_mail_jobs(app)
    assert len(smtp.received) == 8
    for received in smtp.received[4:]:
        data = calendar_of(received.message)
        assert b"pwd=NEW" in data and b"SEQUENCE:1" in data
        assert str(received.message["Subject"]).startswith("Mise à jour")


def test_a_message_that_cannot_be_prepared_is_not_left_sending(app, actor, smtp):
    from zoneinfo import ZoneInfoNotFoundError

    _, session = scheduled_kickoff(actor)
    make_ready(session.zoom_meeting)
    session.timezone = "Mars/Olympus_Mons"  # data no render can use (the forms refuse unknown zones)
    db.session.commit()
    row = invites()[0]
    with pytest.raises(ZoneInfoNotFoundError):  # propagates: RQ records the job as failed, with its traceback
        delivery.deliver(row.id)
    db.session.expire_all()
    assert row.status is InviteStatus.PENDING and row.attempts == 1 and row.next_attempt_at > now_utc()
    assert row.last_error == "the message could not be prepared (see the worker's log)"
    assert smtp.received == []
