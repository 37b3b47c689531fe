"""Chat posting and the shared rate limiter, against the sandbox over HTTP."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from integrations.zoom import (
    MeetingSpec,
    ZoomAuthError,
    ZoomInvalidRequest,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomUnavailable,
    zoom_from_settings,
)
from integrations.zoom.ratelimit import RateLimiter

pytestmark = pytest.mark.slow

HOST = "host1@sandbox.entrepairs.test"
OTHER_HOST = "host2@sandbox.entrepairs.test"


@pytest.fixture
def meeting(zoom):
    return zoom.meetings.create(HOST, MeetingSpec(
        topic="Rencontre d’équipe", agenda="", start_time=datetime(2031, 5, 5, 23, tzinfo=timezone.utc),
        duration_minutes=30, timezone="America/Toronto", passcode="Ab3dEf7hJk", chat_enabled=True))


def test_a_message_reaches_the_meeting_chat_as_the_host(zoom, zoom_sandbox, meeting):
    text = "Bienvenue!\nPrenons un moment pour arriver."
    message_id = zoom.post_chat_message(HOST, meeting.chat_channel_id, text)
    [received] = zoom_sandbox.chat(meeting.id)
    assert received["id"] == message_id and received["message"] == text and received["sender"] == HOST
    assert received["received_wall"] > 0 and received["received_monotonic"] > 0


def test_chat_errors_are_typed(zoom, meeting):
    with pytest.raises(ZoomNotFound):
        zoom.post_chat_message(HOST, "web_sch_00000000000000000000000000000000", "Bonjour")
    with pytest.raises(ZoomInvalidRequest):
        zoom.post_chat_message(OTHER_HOST, meeting.chat_channel_id, "Bonjour")  # not a member of the channel
    with pytest.raises(ZoomInvalidRequest):
        zoom.post_chat_message(HOST, meeting.chat_channel_id, "x" * 4097)


def test_the_chat_post_keeps_the_transport_contract(zoom, zoom_settings, redis_client, zoom_sandbox, meeting):
    # The chat POST skips requests (ZoomTransport.post_json): the same token handling and typed errors as send().
    zoom.post_chat_message(HOST, meeting.chat_channel_id, "un")
    zoom_sandbox.revoke_tokens()
    zoom.post_chat_message(HOST, meeting.chat_channel_id, "deux")  # 401, a new token, the post again
    assert zoom_sandbox.stats()["oauth_token"] == 2
    zoom_sandbox.inject("401", count=2, path="/chat")
    with pytest.raises(ZoomAuthError):
        zoom.post_chat_message(HOST, meeting.chat_channel_id, "trois")
    zoom_sandbox.inject("5xx", status=503, path="/chat")
    with pytest.raises(ZoomUnavailable) as error:
        zoom.post_chat_message(HOST, meeting.chat_channel_id, "trois")
    assert error.value.status == 503
    impatient = zoom_from_settings(dataclasses.replace(zoom_settings, ZOOM_TIMEOUT_SECONDS=0.3), redis_client)
    zoom_sandbox.inject("timeout", seconds=2, path="/chat")
    with pytest.raises(ZoomUnavailable, match="did not answer"):
        impatient.post_chat_message(HOST, meeting.chat_channel_id, "trois")
    nowhere = dataclasses.replace(zoom_settings, ZOOM_API_URL="http://127.0.0.1:9/v2")
    with pytest.raises(ZoomUnavailable, match="cannot reach"):
        zoom_from_settings(nowhere, redis_client).post_chat_message(HOST, meeting.chat_channel_id, "trois")
    assert [m["message"] for m in zoom_sandbox.chat(meeting.id)] == ["un", "deux"]


def test_a_forked_child_posts_on_its_own_connections(zoom, zoom_sandbox, meeting):
    import os

    zoom.post_chat_message(HOST, meeting.chat_channel_id, "parent")
    parent_pool = zoom.transport._lean_pool()
    pid = os.fork()
    if pid == 0:  # the child: a fresh pool, then the post (exit code 0 only if both hold)
        ok = False
        try:
            ok = zoom.transport._lean_pool() is not parent_pool
            zoom.post_chat_message(HOST, meeting.chat_channel_id, "enfant")
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    zoom.post_chat_message(HOST, meeting.chat_channel_id, "parent encore")
    assert [m["message"] for m in zoom_sandbox.chat(meeting.id)] == ["parent", "enfant", "parent encore"]


def test_a_429_is_honoured_then_retried(zoom, zoom_sandbox, meeting):
    zoom_sandbox.inject("429", retry_after="0.3", path="/chat")
    zoom.post_chat_message(HOST, meeting.chat_channel_id, "Question 1")
    assert len(zoom_sandbox.chat(meeting.id)) == 1
    zoom_sandbox.inject("429", retry_after="5", path="/chat")
    with pytest.raises(ZoomRateLimited) as error:  # longer than ZOOM_CHAT_MAX_WAIT_SECONDS: not retried
        zoom.post_chat_message(HOST, meeting.chat_channel_id, "Question 2")
    assert error.value.retry_after == 5.0
    with pytest.raises(ZoomRateLimited):  # every process now holds back until the Retry-After
        zoom.post_chat_message(HOST, meeting.chat_channel_id, "Question 2")


def test_the_limit_is_shared_by_every_process(zoom_settings, redis_client, zoom_sandbox, meeting):
    settings = dataclasses.replace(zoom_settings, ZOOM_CHAT_RATE_PER_SECOND=20.0, ZOOM_CHAT_MAX_WAIT_SECONDS=2.0)
    processes = [type(zoom_from_settings(settings, redis_client))(settings, redis_client) for _ in range(3)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda i: processes[i % 3].post_chat_message(HOST, meeting.chat_channel_id, f"m{i}"),
                      range(21)))
    times = sorted(m["received_monotonic"] for m in zoom_sandbox.chat(meeting.id))
    assert len(times) == 21
    assert times[18] - times[0] < 0.5  # a quiet account's budget goes at once (the meeting's creation, a Medium
    assert times[20] - times[0] >= 0.9  # call too, took one slot), and the rest waits for the window to move on
    assert max(sum(1 for u in times if t <= u < t + 1) for t in times) <= 20  # as Zoom counts: per second
    assert zoom_sandbox.stats().get("429_qps", 0) <= 1  # (one, if this machine stalled a call past its window)


def test_meeting_creations_share_the_medium_budget_with_the_chat(zoom_settings, redis_client, zoom_sandbox, meeting):
    settings = dataclasses.replace(zoom_settings, ZOOM_CHAT_RATE_PER_SECOND=2.0, ZOOM_CHAT_MAX_WAIT_SECONDS=0.2)
    redis_client.flushdb()  # the fixture's own creation is forgotten
    zoom = zoom_from_settings(settings, redis_client)
    zoom.post_chat_message(HOST, meeting.chat_channel_id, "Question 1")
    zoom.post_chat_message(HOST, meeting.chat_channel_id, "Question 2")
    creates = zoom_sandbox.stats().get("call:create_meeting", 0)
    with pytest.raises(ZoomRateLimited) as error:  # Zoom counts both as Medium: this second's two are spent
        zoom.meetings.create(HOST, MeetingSpec(
            topic="Rencontre", agenda="", start_time=datetime(2031, 5, 12, 23, tzinfo=timezone.utc),
            duration_minutes=30, timezone="America/Toronto", passcode="Ab3dEf7hJk", chat_enabled=True))
    assert 0.5 < error.value.retry_after <= 1 / 0.95
    assert zoom_sandbox.stats().get("call:create_meeting", 0) == creates  # refused here, never sent


def test_at_most_rate_slots_in_any_window(redis_client):
    limiter = RateLimiter(redis_client, "test", rate=3.0, max_wait=0.2)
    assert [limiter.reserve() for _ in range(3)] == [0, 0, 0]
    with pytest.raises(ZoomRateLimited) as error:
        limiter.reserve()  # the first slot leaves the window 1 / 0.95 s after it was taken
    assert 0.9 < error.value.retry_after <= 1 / 0.95
    limiter.pause(3)
    with pytest.raises(ZoomRateLimited) as error:
        limiter.reserve(max_wait=1)
    assert error.value.retry_after > 2.5


def test_slots_stay_in_order_and_within_the_window(redis_client):
    limiter = RateLimiter(redis_client, "order", rate=5.0, max_wait=4.0)
    slots = []  # each slot as the limiter stored it (microseconds, Redis's clock)
    for _ in range(16):
        limiter.reserve()
        slots.append(int(redis_client.lindex("zoom:rate:order:slots", 0)))
    assert slots == sorted(slots)
    window = round(1_000_000 / 0.95)
    assert all(slots[i + 5] - slots[i] >= window - 1 for i in range(len(slots) - 5))  # never 6 in one window
    assert slots[-1] - slots[0] < 3 * window + 50_000  # 16 slots at 5 a window: the fourth window, no later


def test_the_meeting_page_shows_the_chat_as_a_participant_sees_it(zoom, zoom_sandbox, meeting):
    import requests

    zoom.post_chat_message(HOST, meeting.chat_channel_id, "Q1 <Que trouvez-vous le plus difficile?>")
    page = requests.get(meeting.join_url, timeout=5)
    assert page.status_code == 200 and 'http-equiv="refresh"' in page.text and "<script" not in page.text
    assert "Q1 &lt;Que trouvez-vous le plus difficile?&gt;" in page.text
    index = requests.get(zoom_sandbox.url + "/", timeout=5).text
    assert str(meeting.id) in index and "1 message" in index
