"""Zoom's webhook: checked at the door (signature, staleness, replays), then started/ended/deleted handled."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from datetime import datetime, time as clock_time, timedelta, timezone

import pytest
from werkzeug.serving import make_server

from config.settings import SANDBOX_WEBHOOK_SECRET
from integrations.zoom.webhooks import signature, signed_headers, url_validation_answer
from service.domain import scheduling
from service.domain.meetings import sync_meeting
from service.domain.scheduling import SeriesPlan
from service.extensions import db
from service.models import AuditEvent, MeetingStatus, PromptStatus, SessionStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday

pytestmark = pytest.mark.slow

URL = "/webhooks/zoom"


@pytest.fixture
def app_settings(zoom_settings):
    return zoom_settings


def post(client, body: dict, secret: str = SANDBOX_WEBHOOK_SECRET, timestamp: int | None = None, headers=None):
    raw = json.dumps(body).encode()
    sent = signed_headers(secret, raw, timestamp) if headers is None else headers
    return client.post(URL, data=raw, headers=sent)


def zoom_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def notice(event: str, zoom_id: str, **fields) -> dict:
    return {"event": event, "event_ts": int(time.time() * 1000),
            "payload": {"account_id": "sandbox-account", "object": {"id": zoom_id, **fields}}}


@pytest.fixture
def session(app, actor, zoom_sandbox):
    group = make_group(actor)
    session = scheduling.schedule_session(group, SessionKind.REGULAR,
                                          datetime.combine(next_weekday(2), clock_time(19, 0)), 30, actor)
    sync_meeting(session.zoom_meeting_id)
    return session


def test_url_validation_is_answered(client, app):
    response = post(client, {"event": "endpoint.url_validation", "payload": {"plainToken": "abc123"}})
    assert response.status_code == 200
    assert response.get_json() == url_validation_answer(SANDBOX_WEBHOOK_SECRET, "abc123")


@pytest.mark.parametrize("case", ["forged", "missing", "stale", "future"])
def test_unproven_notices_are_refused(client, app, case):
    body = {"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}
    if case == "forged":
        response = post(client, body, secret="not-the-secret")
    elif case == "missing":
        response = post(client, body, headers={"Content-Type": "application/json"})
    else:
        shift = -301 if case == "stale" else 301
        response = post(client, body, timestamp=int(time.time()) + shift)
    assert response.status_code == 401
    assert "plainToken" not in response.get_data(as_text=True)


@pytest.mark.parametrize("stamp", ["nan", "NaN", "inf", "-inf", "1e99", "1733400000.5", "-1733400000", " 1733400000",
                                   "١٧٣٣٤٠٠٠٠٠", ""])
def test_a_signed_notice_with_a_timestamp_that_is_not_a_whole_number_is_refused(client, app, stamp):
    """Correctly signed, but "nan" compared as never stale: only digits are a timestamp."""
    raw = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}).encode()
    headers = {"Content-Type": "application/json", "x-zm-request-timestamp": stamp,
               "x-zm-signature": signature(SANDBOX_WEBHOOK_SECRET, stamp, raw)}
    response = client.post(URL, data=raw, headers=headers)
    assert response.status_code == 401
    assert "plainToken" not in response.get_data(as_text=True)


def test_a_timestamp_in_milliseconds_is_accepted(client, app):
    response = post(client, {"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}},
                    timestamp=int(time.time() * 1000))
    assert response.status_code == 200


def test_a_body_changed_after_signing_is_refused(client, app):
    raw = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}).encode()
    headers = signed_headers(SANDBOX_WEBHOOK_SECRET, raw)
    response = client.post(URL, data=raw.replace(b"abc", b"abd"), headers=headers)
    assert response.status_code == 401


def test_no_secret_configured_is_503(app_settings, _schema, redis_client):
    from service.app import create_app

    bare = create_app(dataclasses.replace(app_settings, ZOOM_WEBHOOK_SECRET=""))
    response = post(bare.test_client(), {"event": "endpoint.url_validation", "payload": {"plainToken": "x"}})
    assert response.status_code == 503
    bare.extensions["redis"].close()


def test_unknown_meetings_are_ignored(client, app):
    response = post(client, notice("meeting.started", "98765432109", start_time=zoom_time(datetime.now(timezone.utc))))
    assert response.status_code == 200 and response.get_json()["status"] == "unknown_meeting"


def test_meeting_started_reanchors_pending_prompts(client, session):
    late = session.starts_at + timedelta(minutes=4)
    before = {p.step_key: p.due_at for p in session.prompts}
    response = post(client, notice("meeting.started", session.zoom_meeting.zoom_id, start_time=zoom_time(late)))
    assert response.get_json()["status"] == "started"
    db.session.expire_all()
    assert session.actual_started_at == late
    assert all(p.due_at - before[p.step_key] == timedelta(minutes=4) for p in session.prompts)
    again = post(client, notice("meeting.started", session.zoom_meeting.zoom_id, start_time=zoom_time(late)))
    assert again.get_json()["status"] == "already_started"  # Zoom's retry (a new body) changes nothing


def test_a_replayed_notice_is_handled_once(client, session):
    body = notice("meeting.started", session.zoom_meeting.zoom_id, start_time=zoom_time(session.starts_at))
    raw = json.dumps(body).encode()
    headers = signed_headers(SANDBOX_WEBHOOK_SECRET, raw)
    assert client.post(URL, data=raw, headers=headers).get_json()["status"] == "started"
    assert client.post(URL, data=raw, headers=headers).get_json()["status"] == "duplicate"
    assert db.session.query(AuditEvent).filter_by(action="session.started").count() == 1


def test_meeting_ended_stops_pending_prompts(client, session):
    zoom_id = session.zoom_meeting.zoom_id
    start, end = session.starts_at, session.starts_at + timedelta(minutes=20)
    post(client, notice("meeting.started", zoom_id, start_time=zoom_time(start)))
    response = post(client, notice("meeting.ended", zoom_id, start_time=zoom_time(start), end_time=zoom_time(end)))
    assert response.get_json()["status"] == "ended"
    db.session.expire_all()
    assert session.status is SessionStatus.ENDED and session.actual_ended_at == end
    assert not [p for p in session.prompts if p.status is PromptStatus.PENDING]


@pytest.fixture
def series(app, actor, zoom_sandbox):
    group = make_group(actor)
    series = scheduling.schedule_series(group, SeriesPlan(first_date=next_weekday(0), local_time=clock_time(19, 0),
                                                          occurrence_count=3), actor)
    sync_meeting(series.zoom_meeting_id)
    return series


def test_a_recurring_meeting_notice_finds_its_occurrence(client, series):
    second = series.sessions[1]
    at = second.starts_at + timedelta(minutes=2)
    post(client, notice("meeting.started", series.zoom_meeting.zoom_id, start_time=zoom_time(at)))
    db.session.expire_all()
    assert [s.actual_started_at for s in series.sessions] == [None, at, None]


def test_meeting_deleted_in_zoom_is_flagged_but_ours_is_not(client, session, actor):
    meeting = session.zoom_meeting
    response = post(client, notice("meeting.deleted", int(meeting.zoom_id), topic="x"))
    assert response.get_json()["status"] == "deleted_in_zoom"
    db.session.expire_all()
    assert meeting.status is MeetingStatus.DELETED_IN_ZOOM
    meeting.status = MeetingStatus.DELETED  # as after our own deletion
    db.session.commit()
    response = post(client, notice("meeting.deleted", int(meeting.zoom_id), topic="y"))
    assert response.get_json()["status"] == "already_deleted"


def test_a_cancelled_occurrence_deleted_by_us_is_not_flagged(client, series, actor):
    third = series.sessions[2]
    scheduling.cancel_session(third, actor)
    ours = notice("meeting.deleted", int(series.zoom_meeting.zoom_id),
                  occurrences=[{"occurrence_id": third.zoom_occurrence_id}])
    assert post(client, ours).get_json()["status"] == "ours"
    theirs = notice("meeting.deleted", int(series.zoom_meeting.zoom_id),
                    occurrences=[{"occurrence_id": series.sessions[1].zoom_occurrence_id}])
    assert post(client, theirs).get_json()["status"] == "deleted_in_zoom"


@pytest.fixture
def live_service(app):
    """The app served over real HTTP on a free port, for the sandbox to call."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.daemon_threads, server.block_on_close = True, False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_the_sandbox_fires_signed_notices_at_the_service(live_service, session, zoom_sandbox):
    zoom_sandbox.configure(webhook_url=live_service + URL)
    assert zoom_sandbox.validate_webhook()["valid"]
    started = zoom_sandbox.start(session.zoom_meeting.zoom_id, at=zoom_time(session.starts_at))
    assert started["status"] == 200 and json.loads(started["response"])["status"] == "started"
    ended = zoom_sandbox.end(session.zoom_meeting.zoom_id)
    assert json.loads(ended["response"])["status"] == "ended"
    db.session.expire_all()
    assert session.status is SessionStatus.ENDED
