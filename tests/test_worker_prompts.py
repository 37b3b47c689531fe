"""Prompt posting, in the job's own code, against the Zoom sandbox, the real database and the real Redis.

Each test runs the job functions in this process (they are what the worker runs); the real processes, killed
mid-post, are in ``test_worker_processes``.
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from service.domain import live, posting, prompts, scheduling
from service.domain.audit import Actor
from service.domain.clock import now_utc
from service.domain.meetings import sync_meeting
from service.extensions import db
from service.models import ActorKind, Prompt, PromptStatus, SessionStatus
from service.protocol import SessionKind
from tests.factories import make_group
from worker.claims import Heartbeat
from worker.jobs.prompts import post_due_prompts
from worker.jobs.sweep import sweep
from worker.scheduler import Scheduler
from worker.timetable import KEY, Timetable, job_id, to_ms

SYSTEM = Actor(ActorKind.SYSTEM)


@pytest.fixture
def app_settings(zoom_settings):
    # Many groups meeting at the same time: each sandbox host may run several meetings at once.
    return replace(zoom_settings, ZOOM_HOST_CONCURRENCY=10)


def ready_session(actor, starts_in=timedelta(minutes=10), **group_options):
    group = make_group(actor, members=5, **group_options)
    start = (now_utc() + starts_in).replace(microsecond=0)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, start, 30, actor, supervisor_agreement=True)
    sync_meeting(session.zoom_meeting_id)
    db.session.expire_all()
    return session


def start_now(session):
    """The meeting starts now (as Zoom's ``meeting.started`` would say): the welcome is due now."""
    live.started(session, now_utc(), SYSTEM)
    db.session.expire_all()
    return next(p for p in session.prompts if p.step_key == "welcome")


def ms(moment) -> int:
    return to_ms(moment)


def chat_texts(zoom_sandbox, session):
    return [m["message"] for m in zoom_sandbox.chat(session.zoom_meeting.zoom_id)]


def test_scheduling_puts_each_distinct_due_instant_on_the_timetable(app, actor, redis_client):
    session = ready_session(actor)
    chat_prompts = [p for p in session.prompts if p.status is PromptStatus.PENDING]
    assert len(chat_prompts) == 7  # welcome, 3 round-table questions, 2 closing questions, key message
    on_timetable = {member.decode() for member in redis_client.zrange(KEY, 0, -1)}
    assert on_timetable == {job_id(p.due_at) for p in chat_prompts}
    # cues for the moderator only are never posted
    assert all(p.reason == prompts.REASON_CONSOLE_ONLY for p in session.prompts if p.status is PromptStatus.SKIPPED)


def test_a_due_prompt_is_posted_once_with_zoom_s_message_id(app, actor, zoom_sandbox):
    session = ready_session(actor)
    welcome = start_now(session)
    counts = post_due_prompts(ms(welcome.due_at))
    assert counts["posted"] == 1
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED and welcome.provider_message_id and welcome.posted_at
    assert welcome.attempts == 1 and welcome.claimed_by
    messages = zoom_sandbox.chat(session.zoom_meeting.zoom_id)
    assert [m["id"] for m in messages] == [welcome.provider_message_id]
    assert messages[0]["message"].startswith("Bienvenue")
    assert messages[0]["sender"] == session.zoom_meeting.host_user

    assert post_due_prompts(ms(welcome.due_at)) == {"posted": 0}  # the job again (RQ retried it): nothing more
    assert len(zoom_sandbox.chat(session.zoom_meeting.zoom_id)) == 1
    later = [p for p in session.prompts if p.status is PromptStatus.PENDING]
    assert later and all(p.due_at > now_utc() for p in later)  # nothing posted ahead of its time


def test_the_job_waits_for_its_exact_instant(app, actor, zoom_sandbox):
    session = ready_session(actor)
    welcome = start_now(session)
    due = now_utc() + timedelta(seconds=0.4)
    db.session.execute(update(Prompt).where(Prompt.id == welcome.id).values(due_at=due))
    db.session.commit()
    post_due_prompts(ms(due))
    received = zoom_sandbox.chat(session.zoom_meeting.zoom_id)[0]["received_wall"]
    assert received >= due.timestamp()  # never early (how late, under load, is for bench/prompt_punctuality)
    assert received - due.timestamp() < 2


def test_english_group_gets_english_prompts(app, actor, zoom_sandbox):
    session = ready_session(actor, language="en")
    welcome = start_now(session)
    post_due_prompts(ms(welcome.due_at))
    assert chat_texts(zoom_sandbox, session)[0].startswith("Welcome")


def test_prompts_of_a_cancelled_session_are_never_posted(app, actor, zoom_sandbox):
    session = ready_session(actor)
    welcome = start_now(session)
    # the cancellation races a job that is already queued: the job re-checks the database
    db.session.execute(update(Prompt).where(Prompt.session_id == session.id, Prompt.status == PromptStatus.PENDING)
                       .values(due_at=now_utc() - timedelta(seconds=1)))
    session.status = SessionStatus.CANCELLED
    db.session.commit()
    post_due_prompts(ms(now_utc()))
    db.session.expire_all()
    assert welcome.status is PromptStatus.SKIPPED and welcome.reason == prompts.REASON_SESSION_CANCELLED
    assert chat_texts(zoom_sandbox, session) == []


def test_a_prompt_past_its_step_is_skipped_not_posted_late(app, actor, zoom_sandbox):
    session = ready_session(actor)
    welcome = start_now(session)
    db.session.execute(update(Prompt).where(Prompt.id == welcome.id).values(
        due_at=now_utc() - timedelta(minutes=3), expires_at=now_utc() - timedelta(seconds=1)))
    db.session.commit()
    post_due_prompts(ms(now_utc()))
    db.session.expire_all()
    assert welcome.status is PromptStatus.SKIPPED and welcome.reason == posting.REASON_TOO_LATE
    assert chat_texts(zoom_sandbox, session) == []


def test_a_short_zoom_outage_is_retried_within_the_job_and_checked_first(app, actor, zoom_sandbox):
    session = ready_session(actor)
    welcome = start_now(session)
    zoom_sandbox.inject("5xx", count=2, path="/chat/", method="POST", status=502)
    counts = post_due_prompts(ms(welcome.due_at))
    assert counts["posted"] == 1
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED and welcome.attempts == 3 and welcome.reason is None
    received = zoom_sandbox.chat(session.zoom_meeting.zoom_id)
    assert len(received) == 1 and received[0]["id"] == welcome.provider_message_id
    # A 502 leaves unknown whether Zoom kept the message: the channel is looked at before each new post.
    assert zoom_sandbox.stats()["call:list_chat_messages"] == 2
    # 0.1 s then 0.2 s of backoff, waited for in the job
    assert received[0]["received_wall"] - welcome.due_at.timestamp() > 0.3  # it did wait 0.1 s, then 0.2 s


def test_a_post_refused_with_503_is_sent_again_without_looking_first(app, actor, zoom_sandbox):
    """A 503 says Zoom did not handle the request: looking in the channel would only spend the account's rate
    budget (and, at rush hour, delay every other prompt)."""
    session = ready_session(actor)
    welcome = start_now(session)
    zoom_sandbox.inject("5xx", count=2, path="/chat/", method="POST", status=503)
    assert post_due_prompts(ms(welcome.due_at))["posted"] == 1
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED and welcome.attempts == 3
    assert len(zoom_sandbox.chat(session.zoom_meeting.zoom_id)) == 1
    stats = zoom_sandbox.stats()
    assert stats["call:send_chat_message"] == 3 and stats.get("call:list_chat_messages", 0) == 0


def test_a_job_claims_only_what_its_threads_can_start(app, actor, zoom_sandbox):
    """A job holds only the rows it is posting: the others stay pending for whichever job has a thread free
    (oldest first), and a job that dies holds no more than it was posting."""
    import threading

    from sqlalchemy import func, select

    app.extensions["settings"] = replace(app.extensions["settings"], PROMPT_POST_THREADS=2)
    welcomes = [start_now(ready_session(actor)) for _ in range(5)]
    instant = max(w.due_at for w in welcomes)
    zoom_sandbox.configure(latency=0.3)
    counts: dict = {}

    def job():
        with app.app_context():
            counts.update(post_due_prompts(ms(instant)))

    worker = threading.Thread(target=job)
    worker.start()
    most_held = 0
    with db.engine.connect() as connection:
        while worker.is_alive():
            held = connection.execute(select(func.count()).select_from(Prompt)
                                      .where(Prompt.status == PromptStatus.CLAIMED)).scalar_one()
            connection.commit()
            most_held = max(most_held, held)
            time.sleep(0.02)
    worker.join()
    assert counts["posted"] == 5
    assert 1 <= most_held <= 2


def test_a_job_still_running_posts_the_prompts_that_fall_due_meanwhile_never_before(app, actor, zoom_sandbox):
    """A job held by its retries posts a later instant's prompts as they fall due (their own job may be waiting
    for a worker): once each, never before their time."""
    first, later = ready_session(actor), ready_session(actor)
    welcome = start_now(first)
    other = start_now(later)
    soon = now_utc() + timedelta(seconds=0.5)
    db.session.execute(update(Prompt).where(Prompt.id == other.id).values(due_at=soon))
    db.session.commit()
    # The welcome is refused three times (0.1, 0.2 and 0.4 s of backoff): the job outlives the later instant.
    zoom_sandbox.inject("5xx", count=3, path="/chat/", method="POST", status=503)
    counts = post_due_prompts(ms(welcome.due_at))
    assert counts["posted"] == 2
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED and other.status is PromptStatus.POSTED
    (received,) = zoom_sandbox.chat(later.zoom_meeting.zoom_id)
    assert received["id"] == other.provider_message_id and received["received_wall"] >= soon.timestamp()
    assert post_due_prompts(ms(soon))["posted"] == 0  # the later instant's own job finds nothing left
    assert len(zoom_sandbox.chat(later.zoom_meeting.zoom_id)) == 1


def test_a_longer_outage_goes_back_to_the_timetable(app, actor, zoom_sandbox, redis_client):
    session = ready_session(actor)
    welcome = start_now(session)
    zoom_sandbox.inject("5xx", count=6, path="/chat/", method="POST", status=503)
    counts = post_due_prompts(ms(welcome.due_at))
    assert counts["retry"] == 1
    db.session.expire_all()
    assert welcome.status is PromptStatus.PENDING and welcome.reason == "zoom_unavailable"
    assert welcome.attempts == 6 and welcome.next_attempt_at > now_utc() + timedelta(seconds=2)
    assert job_id(welcome.next_attempt_at) in {m.decode() for m in redis_client.zrange(KEY, 0, -1)}
    with Heartbeat(redis_client) as claimer:  # not claimed again before its next attempt
        assert posting.claim_due(welcome.due_at, claimer) == []
    post_due_prompts(ms(welcome.next_attempt_at))
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED and welcome.attempts == 7
    assert len(chat_texts(zoom_sandbox, session)) == 1


def test_a_post_zoom_kept_but_never_confirmed_is_not_posted_twice(app, actor, zoom_sandbox):
    session = ready_session(actor)
    welcome = start_now(session)
    zoom_sandbox.inject("lost-answer", count=1, path="/chat/")
    post_due_prompts(ms(welcome.due_at))
    db.session.expire_all()
    messages = zoom_sandbox.chat(session.zoom_meeting.zoom_id)
    assert len(messages) == 1  # found in the channel on the retry, not sent again
    assert welcome.status is PromptStatus.POSTED and welcome.provider_message_id == messages[0]["id"]
    assert welcome.attempts == 2


def test_a_rate_limited_post_waits_for_zoom_s_retry_after(app, actor, zoom_sandbox):
    session = ready_session(actor)
    welcome = start_now(session)
    zoom_sandbox.inject("429", count=1, path="/chat/", retry_after="3")
    post_due_prompts(ms(welcome.due_at))
    db.session.expire_all()
    assert welcome.status is PromptStatus.PENDING and welcome.reason == "zoom_rate_limited"
    assert (welcome.next_attempt_at - now_utc()).total_seconds() > 1.5


def test_prompts_keep_failing_until_their_step_ends_then_fail_with_the_reason(app, actor, zoom_sandbox):
    session = ready_session(actor)
    welcome = start_now(session)
    db.session.execute(update(Prompt).where(Prompt.id == welcome.id).values(
        expires_at=now_utc() + timedelta(seconds=7)))
    db.session.commit()
    zoom_sandbox.inject("5xx", count=100, path="/chat/", method="POST", status=500)
    instant = welcome.due_at
    for _ in range(8):
        post_due_prompts(ms(instant))  # the job sleeps until its instant, as the scheduler would start it
        db.session.expire_all()
        if welcome.status is not PromptStatus.PENDING:
            break
        instant = welcome.next_attempt_at
    assert welcome.status is PromptStatus.FAILED and welcome.reason == "zoom_unavailable"
    assert 3 <= welcome.attempts <= 5  # 0.5 s, 1 s, 2 s... while at least 5 s of the step would remain
    assert chat_texts(zoom_sandbox, session) == []


def test_a_meeting_not_created_yet_is_waited_for(app, actor, zoom_sandbox):
    group = make_group(actor, members=5)
    start = (now_utc() + timedelta(minutes=10)).replace(microsecond=0)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, start, 30, actor, supervisor_agreement=True)
    welcome = start_now(session)  # no sync_meeting: Zoom has no meeting yet
    post_due_prompts(ms(welcome.due_at))
    db.session.expire_all()
    assert welcome.status is PromptStatus.PENDING and welcome.reason == posting.REASON_MEETING_NOT_READY
    sync_meeting(session.zoom_meeting_id)
    post_due_prompts(ms(welcome.next_attempt_at))
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED


def test_extra_time_moves_the_next_prompt_on_the_timetable(app, actor, zoom_sandbox, redis_client):
    session = ready_session(actor)
    welcome = start_now(session)
    post_due_prompts(ms(welcome.due_at))
    nxt = live.next_prompt(session, now_utc())
    before = nxt.due_at
    live.add_time(session, Actor(ActorKind.MODERATOR, session.moderator_id))
    db.session.expire_all()
    assert nxt.due_at == before + timedelta(minutes=2)
    assert job_id(nxt.due_at) in {m.decode() for m in redis_client.zrange(KEY, 0, -1)}
    # the job of the old instant (still on the timetable) finds nothing due then
    with Heartbeat(redis_client) as claimer:
        assert posting.claim_due(before, claimer) == []
    db.session.expire_all()
    assert nxt.status is PromptStatus.PENDING


def test_rush_hour_posts_every_prompt_in_due_order(app, actor, zoom_sandbox):
    sessions = [ready_session(actor) for _ in range(6)]
    due = now_utc()
    for session in sessions:
        welcome = start_now(session)
        db.session.execute(update(Prompt).where(Prompt.id == welcome.id).values(due_at=due))
    db.session.commit()
    # A slow Zoom (1 s round trip, half of it before the message arrives): one after another, the sixth would
    # arrive 5.5 s late; side by side, they all arrive after about half a second.
    zoom_sandbox.configure(latency=1.0)
    counts = post_due_prompts(ms(due))
    assert counts["posted"] == 6
    received = []
    for session in sessions:
        messages = zoom_sandbox.chat(session.zoom_meeting.zoom_id)
        assert len(messages) == 1
        received.append(messages[0]["received_wall"])
    assert max(received) - due.timestamp() < 2.5  # posted side by side, not one after another


def test_sweep_releases_claims_of_a_dead_worker_and_rebuilds_a_lost_timetable(app, actor, zoom_sandbox,
                                                                                  redis_client):
    session = ready_session(actor)
    welcome = start_now(session)
    # a worker claimed the welcome, posted it, and died before recording it
    with Heartbeat(redis_client) as claimer:
        claimed = posting.claim_due(welcome.due_at, claimer)
        assert [p.prompt_id for p in claimed] == [welcome.id]
        from integrations.zoom import zoom_from_settings
        zoom_from_settings(app.extensions["settings"], redis_client).post_chat_message(
            claimed[0].host_user, claimed[0].channel_id, claimed[0].text)
    db.session.execute(update(Prompt).where(Prompt.id == welcome.id).values(
        claimed_at=now_utc() - timedelta(seconds=20)))
    db.session.commit()
    redis_client.flushdb()  # and Redis lost everything

    summary = sweep()
    assert summary["released"] == 1
    db.session.expire_all()
    assert welcome.status is PromptStatus.PENDING and welcome.reason == posting.REASON_WORKER_LOST
    assert job_id(welcome.due_at) in {m.decode() for m in redis_client.zrange(KEY, 0, -1)}
    post_due_prompts(ms(welcome.due_at))
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED
    assert len(chat_texts(zoom_sandbox, session)) == 1  # checked in the channel first: not twice


def test_a_job_takes_over_at_once_the_rows_of_a_job_that_died(app, actor, zoom_sandbox, redis_client):
    session = ready_session(actor)
    welcome = start_now(session)
    # The other job of this instant claimed the welcome, posted it (saying first that it would, as its poster
    # does), and its worker was killed before it recorded it: its heartbeat stops with it.
    with Heartbeat(redis_client) as claimer:
        (claimed,) = posting.claim_due(welcome.due_at, claimer)
        from integrations.zoom import zoom_from_settings
        from worker.claims import note_attempt
        note_attempt(redis_client, claimer, claimed.prompt_id)
        zoom_from_settings(app.extensions["settings"], redis_client).post_chat_message(
            claimed.host_user, claimed.channel_id, claimed.text)
    counts = post_due_prompts(ms(welcome.due_at))  # this instant's second job: nothing to claim, so it watches
    assert counts["posted"] == 1
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED and welcome.attempts == 2  # released, claimed again
    assert len(chat_texts(zoom_sandbox, session)) == 1  # checked in the channel first: not twice
    # At once, not at the next sweep (every SWEEP_INTERVAL_SECONDS, 10 s): a wide margin.
    assert (welcome.posted_at - welcome.due_at).total_seconds() < 5


def test_rows_a_dead_job_never_tried_are_posted_without_a_check(app, actor, zoom_sandbox, redis_client):
    session = ready_session(actor)
    welcome = start_now(session)
    with Heartbeat(redis_client) as claimer:  # claimed, then killed before trying anything
        posting.claim_due(welcome.due_at, claimer)
    zoom_sandbox.inject("5xx", count=1, path="/chat/", method="GET", status=503)  # a check would meet this
    assert post_due_prompts(ms(welcome.due_at))["posted"] == 1
    db.session.expire_all()
    assert welcome.status is PromptStatus.POSTED and welcome.attempts == 1  # a claim never acted on is no attempt
    assert len(chat_texts(zoom_sandbox, session)) == 1


def test_a_post_whose_claim_lapsed_while_it_waited_for_its_slot_does_not_leave(app, actor, zoom_sandbox,
                                                                                  redis_client):
    """The claim is checked again once the rate limit's slot has come (it may have been a second away): a
    lapsed claim may already be in another job's hands, so the post stays home and nothing is noted as sent."""
    from integrations.zoom import zoom_from_settings
    from worker.claims import attempted_by
    from worker.poster import REASON_CLAIM_LOST, PromptPoster

    session = ready_session(actor)
    welcome = start_now(session)
    answers = iter([True])  # alive when the attempt starts, lapsed when the post is about to leave
    sent = []
    with Heartbeat(redis_client) as claimer:
        (claimed,) = posting.claim_due(welcome.due_at, claimer)
        poster = PromptPoster(zoom_from_settings(app.extensions["settings"], redis_client), 1,
                              still_ours=lambda: next(answers, False), before_send=sent.append)
        result = poster.post_one(claimed)
    assert result.outcome is posting.Outcome.RETRY and result.reason == REASON_CLAIM_LOST
    assert sent == [] and chat_texts(zoom_sandbox, session) == []
    assert attempted_by(redis_client, [claimer]) == set()


def test_a_live_claim_is_left_alone_by_the_sweep(app, actor, zoom_sandbox, redis_client):
    session = ready_session(actor)
    welcome = start_now(session)
    with Heartbeat(redis_client) as claimer:
        posting.claim_due(welcome.due_at, claimer)
        db.session.execute(update(Prompt).where(Prompt.id == welcome.id).values(
            claimed_at=now_utc() - timedelta(seconds=60)))
        db.session.commit()
        assert sweep()["released"] == 0


def test_scheduler_releases_jobs_just_ahead_of_their_instant(app, redis_client):
    settings = app.extensions["settings"]
    timetable = Timetable(redis_client)
    soon, later = now_utc() + timedelta(seconds=0.1), now_utc() + timedelta(seconds=30)
    timetable.add([soon, later, soon])
    assert len(timetable) == 2
    scheduler = Scheduler(redis_client, settings)
    assert scheduler.release_due() == 1
    from rq import Queue
    queued = Queue("prompts", connection=redis_client).job_ids
    assert queued == [job_id(soon), f"{job_id(soon)}-2"]  # two jobs: one for each prompts worker
    assert len(timetable) == 1


def test_a_standby_scheduler_takes_over_when_the_leader_stops_renewing(app, redis_client):
    from worker.lease import Lease

    first, second = Lease(redis_client, "test", ttl=0.5), Lease(redis_client, "test", ttl=0.5)
    assert first.hold() and not second.hold()
    assert first.hold()  # renewing
    time.sleep(0.6)  # the leader died: no renewal
    assert second.hold() and not first.hold()
    second.release()
    assert first.hold()


def test_a_heartbeat_declared_dead_stops_acting_and_never_comes_back(redis_client):
    import time as clock

    from worker.claims import HEARTBEAT_TTL_SECONDS

    heartbeat = Heartbeat(redis_client)
    with heartbeat as claimer:
        assert heartbeat.alive()
        key = f"entre_pairs:claimer:{claimer}"
        redis_client.delete(key)  # what its expiry looks like to the others: they may take its rows over now
        deadline = clock.monotonic() + 3 * HEARTBEAT_TTL_SECONDS  # a wide margin: the next beat notices it
        while heartbeat.alive() and clock.monotonic() < deadline:
            clock.sleep(0.05)
        assert not heartbeat.alive()
        clock.sleep(HEARTBEAT_TTL_SECONDS / 2)
        assert not redis_client.exists(key)  # not renewed: dead for good
