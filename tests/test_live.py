"""Live changes move the prompt rows: real start, +2 minutes, next step, end."""

from datetime import datetime, time, timedelta

import pytest

from service.domain import live, scheduling
from service.domain.audit import Actor
from service.domain.errors import DomainError
from service.models import ActorKind, PromptStatus, SessionStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday

ZOOM = Actor(ActorKind.SYSTEM)
MODERATOR = Actor(ActorKind.MODERATOR)


@pytest.fixture
def session(app, actor):
    group = make_group(actor)
    return scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19, 0)),
                                       30, actor)


def dues(session):
    return {p.step_key: p.due_at for p in live.ordered_prompts(session)}


def test_zoom_start_reanchors_once(session):
    before = dues(session)
    late = session.starts_at + timedelta(minutes=3)
    assert live.started(session, late, ZOOM)
    after = dues(session)
    assert all(after[key] - before[key] == timedelta(minutes=3) for key in before)
    assert session.actual_started_at == late
    assert not live.started(session, late + timedelta(minutes=1), ZOOM)  # a retried notice changes nothing
    assert dues(session) == after
    assert session.revision >= 2


def test_moderator_started_now_always_wins(session):
    live.started(session, session.starts_at + timedelta(minutes=3), ZOOM)
    live.started(session, session.starts_at + timedelta(minutes=5), MODERATOR)
    assert live.anchor(session) == session.starts_at + timedelta(minutes=5)


def test_extra_time_extends_the_current_step_and_moves_the_rest(session):
    before = {p.step_key: (p.due_at, p.expires_at) for p in session.prompts}
    during_q1 = before["q1"][0] + timedelta(minutes=1)
    live.add_time(session, MODERATOR, now=during_q1)
    after = {p.step_key: (p.due_at, p.expires_at) for p in session.prompts}
    assert after["welcome"] == before["welcome"]
    assert after["q1"] == (before["q1"][0], before["q1"][1] + timedelta(minutes=2))
    for key in ("q2", "q3", "cue_closing", "q4", "q5", "key_message"):
        assert after[key] == (before[key][0] + timedelta(minutes=2), before[key][1] + timedelta(minutes=2))
    # Steps stay contiguous.
    ordered = live.ordered_prompts(session)
    assert all(a.expires_at == b.due_at for a, b in zip(ordered, ordered[1:]))


def test_next_step_now_brings_the_rest_forward(session):
    q1 = dues(session)["q1"]
    now = q1 + timedelta(minutes=2)
    live.next_step_now(session, MODERATOR, now=now)
    assert dues(session)["q2"] == now
    assert live.current_prompt(session, now).step_key == "q2"
    ordered = live.ordered_prompts(session)
    assert all(a.expires_at == b.due_at for a, b in zip(ordered, ordered[1:]))


def test_end_stops_pending_prompts_idempotently(session):
    at = session.starts_at + timedelta(minutes=20)
    assert live.ended(session, at, ZOOM)
    assert session.status is SessionStatus.ENDED
    assert all(p.status is not PromptStatus.PENDING for p in session.prompts)
    assert not live.ended(session, at, ZOOM)
    with pytest.raises(DomainError):
        live.add_time(session, MODERATOR, now=at)


def contiguous(session):
    ordered = live.ordered_prompts(session)
    return all(a.expires_at == b.due_at for a, b in zip(ordered, ordered[1:]))


def test_extra_time_moves_the_live_end_not_the_planned_one(session):
    planned = live.planned_end(session)
    assert live.live_end(session) == planned == session.ends_at
    live.add_time(session, MODERATOR, now=dues(session)["q1"] + timedelta(minutes=1))
    assert live.live_end(session) == planned + timedelta(minutes=2)
    assert live.planned_end(session) == planned


def test_two_skipped_steps_end_early_until_the_moderator_keeps_the_planned_end(session):
    """Issue 17: two « Étape suivante maintenant » shortened a 30-minute session to 18 minutes, silently."""
    planned = live.planned_end(session)
    now = dues(session)["q1"] + timedelta(minutes=1)
    live.next_step_now(session, MODERATOR, now=now)
    now += timedelta(seconds=30)
    live.next_step_now(session, MODERATOR, now=now)
    assert live.live_end(session) < planned - timedelta(minutes=10)
    assert live.can_keep_planned_end(session, now)

    lengths_before = {p.step_key: p.expires_at - p.due_at for p in session.prompts}
    live.keep_planned_end(session, MODERATOR, now=now + timedelta(seconds=5))
    assert live.live_end(session) == planned
    assert contiguous(session)
    for prompt in live.ordered_prompts(session):
        if prompt.due_at > now:  # every step still ahead got longer, in proportion
            assert prompt.expires_at - prompt.due_at > lengths_before[prompt.step_key]
    assert not live.can_keep_planned_end(session, now + timedelta(seconds=6))
    with pytest.raises(DomainError):
        live.keep_planned_end(session, MODERATOR, now=now + timedelta(seconds=6))


def test_closing_early_posts_the_key_message_and_skips_what_is_left(session):
    now = dues(session)["q2"] + timedelta(minutes=1)
    assert live.key_message_ahead(session, now) is not None
    live.close_with_key_message(session, MODERATOR, now=now)
    rows = {p.step_key: p for p in session.prompts}
    assert rows["key_message"].due_at == now and rows["key_message"].status is PromptStatus.PENDING
    assert rows["key_message"].expires_at == now + timedelta(seconds=rows["key_message"].duration_seconds)
    for key in ("q3", "q4", "q5"):
        assert rows[key].status is PromptStatus.SKIPPED and rows[key].expires_at == now
    assert live.current_prompt(session, now).step_key == "key_message"
    assert live.key_message_ahead(session, now) is None
    assert not live.can_keep_planned_end(session, now)  # the key message is not drawn out to the planned end
    with pytest.raises(DomainError):
        live.close_with_key_message(session, MODERATOR, now=now)
    assert not live.is_over(session, now) and live.is_over(session, rows["key_message"].expires_at)
