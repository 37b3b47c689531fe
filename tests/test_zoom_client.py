"""The Zoom client against the sandbox over HTTP: token, typed errors, meetings, what the sandbox refuses."""

from __future__ import annotations

import dataclasses
import logging
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from integrations.zoom import (
    MeetingSpec,
    Recurrence,
    ZoomAuthError,
    ZoomInvalidRequest,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomUnavailable,
    zoom_from_settings,
)
from integrations.zoom.http import parse_retry_after, seconds_until_utc_midnight
from integrations.zoom.meetings import new_passcode

pytestmark = pytest.mark.slow

HOST = "host1@sandbox.entrepairs.test"
TORONTO = ZoneInfo("America/Toronto")


def spec(**changes) -> MeetingSpec:
    base = MeetingSpec(topic="Rencontre d’équipe", agenda="Accueil\nTour de table",
                       start_time=datetime(2031, 3, 3, 19, 0, tzinfo=TORONTO), duration_minutes=30,
                       timezone="America/Toronto", passcode=new_passcode(), chat_enabled=True)
    return dataclasses.replace(base, **changes)


def raw_create(zoom, **body):
    fields = {"topic": "t", "type": 2, "start_time": "2031-03-03T19:00:00Z", "duration": 30, **body}
    return zoom.transport.call("POST", f"/users/{HOST}/meetings", (201,), data=fields)


# -- Token --------------------------------------------------------------------------------------------------

def test_one_token_is_shared_by_every_process(zoom_settings, redis_client, zoom_sandbox):
    first = zoom_from_settings(zoom_settings, redis_client)
    first.meetings.create(HOST, spec())
    other_process = type(first)(zoom_settings, redis_client)  # a separate client, as in another process
    other_process.meetings.create(HOST, spec())
    assert zoom_sandbox.stats()["oauth_token"] == 1


def test_an_expired_token_is_replaced_before_use(zoom, zoom_sandbox):
    zoom_sandbox.configure(token_ttl=1)
    zoom.meetings.create(HOST, spec())
    time.sleep(1.1)  # the sandbox's token has really expired
    zoom.meetings.create(HOST, spec())
    assert zoom_sandbox.stats()["oauth_token"] == 2


def test_a_refused_token_is_fetched_again_once(zoom, zoom_sandbox):
    zoom.meetings.create(HOST, spec())
    zoom_sandbox.revoke_tokens()
    zoom.meetings.create(HOST, spec())  # 401, a new token, the call again
    assert zoom_sandbox.stats()["oauth_token"] == 2
    zoom_sandbox.inject("401", count=2)
    with pytest.raises(ZoomAuthError):
        zoom.meetings.create(HOST, spec())


def test_wrong_credentials_are_an_auth_error(zoom_settings, redis_client):
    wrong = dataclasses.replace(zoom_settings, ZOOM_CLIENT_SECRET="not-the-secret")
    with pytest.raises(ZoomAuthError):
        zoom_from_settings(wrong, redis_client).meetings.create(HOST, spec())


def test_token_endpoint_down_is_unavailable(zoom, zoom_sandbox):
    zoom_sandbox.inject("5xx", path="/oauth/token")
    with pytest.raises(ZoomUnavailable):
        zoom.meetings.create(HOST, spec())


# -- Typed errors -------------------------------------------------------------------------------------------

def test_unknown_meeting_and_user_are_not_found(zoom):
    with pytest.raises(ZoomNotFound) as error:
        zoom.meetings.get(12345678901)
    assert error.value.code == 3001
    with pytest.raises(ZoomNotFound) as error:
        zoom.meetings.create("nobody@example.org", spec())
    assert error.value.code == 1001


def test_per_second_429_carries_its_retry_time(zoom, zoom_sandbox):
    zoom_sandbox.inject("429", retry_after="2", path="/meetings")
    with pytest.raises(ZoomRateLimited) as error:
        zoom.meetings.create(HOST, spec())
    assert (error.value.retry_after, error.value.daily) == (2.0, False)


def test_the_sandbox_enforces_the_per_second_limit(zoom, zoom_sandbox):
    zoom_sandbox.configure(per_second={"light": 2})
    info = zoom.meetings.create(HOST, spec())
    with pytest.raises(ZoomRateLimited) as error:
        for _ in range(5):
            zoom.meetings.get(info.id)
    assert not error.value.daily and error.value.category == "Light"


def test_daily_429_waits_until_midnight_utc(zoom, zoom_sandbox):
    zoom_sandbox.configure(daily_meeting_calls=1)
    zoom.meetings.create(HOST, spec())
    with pytest.raises(ZoomRateLimited) as error:
        zoom.meetings.create(HOST, spec())
    assert error.value.daily
    assert abs(error.value.retry_after - seconds_until_utc_midnight()) < 5
    zoom.meetings.create("host2@sandbox.entrepairs.test", spec())  # another host still has room


def test_5xx_timeouts_and_refused_connections_are_unavailable(zoom, zoom_settings, redis_client, zoom_sandbox):
    zoom_sandbox.inject("5xx", status=502)
    with pytest.raises(ZoomUnavailable) as error:
        zoom.meetings.create(HOST, spec())
    assert error.value.status == 502
    impatient = zoom_from_settings(dataclasses.replace(zoom_settings, ZOOM_TIMEOUT_SECONDS=0.3), redis_client)
    zoom_sandbox.inject("timeout", seconds=2)
    with pytest.raises(ZoomUnavailable):
        impatient.meetings.create(HOST, spec())
    nowhere = dataclasses.replace(zoom_settings, ZOOM_API_URL="http://127.0.0.1:9/v2")
    with pytest.raises(ZoomUnavailable):
        zoom_from_settings(nowhere, redis_client).meetings.get(1)


@pytest.mark.parametrize("body, field", [
    ({"topic": "x" * 201}, "topic"),
    ({"agenda": "x" * 2001}, "agenda"),
    ({"password": "pass word"}, "password"),
    ({"password": "12345678901"}, "password"),
    ({"start_time": "2031-03-03 19:00"}, "start_time"),
    ({"settings": {"auto_recording": "sometimes"}}, "settings.auto_recording"),
    ({"settings": {"waiting_room": "yes"}}, "settings.waiting_room"),
    ({"type": 5}, "type"),
    ({"type": 8, "recurrence": {"type": 2, "weekly_days": "9", "end_times": 3}}, "recurrence.weekly_days"),
    ({"type": 8, "recurrence": {"type": 2, "weekly_days": "2", "end_times": 61}}, "recurrence.end_times"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"user_id": HOST}, "user_id"),
    ({"id": 123}, "id"),
    ({"settings": {"waiting_room": True, "record_everything": True}}, "settings.record_everything"),
    ({"settings": {"continuous_meeting_chat": {"enable": True, "invite_all": True}}},
     "settings.continuous_meeting_chat.invite_all"),
    ({"type": 8, "recurrence": {"type": 2, "weekly_days": "2", "end_times": 3, "every": 2}}, "recurrence.every"),
])
def test_the_sandbox_refuses_what_zoom_refuses(zoom, body, field):
    with pytest.raises(ZoomInvalidRequest) as error:
        raw_create(zoom, **body)
    assert error.value.status == 400 and error.value.code == 300
    assert error.value.message


def test_retry_after_forms():
    now = datetime(2031, 1, 1, 23, 0, tzinfo=timezone.utc)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after("2031-01-02T00:00:00Z", now) == 3600.0
    assert parse_retry_after("Thu, 02 Jan 2031 00:00:00 GMT", now) == 3600.0
    assert parse_retry_after("soon", now) is None


# -- Meetings -----------------------------------------------------------------------------------------------

def test_create_sends_utc_and_safe_defaults(zoom, zoom_sandbox):
    info = zoom.meetings.create(HOST, spec())
    stored = zoom_sandbox.meeting(info.id)
    assert stored["start_time"] == "2031-03-04T00:00:00Z"  # 19:00 in Toronto (EST) is midnight UTC
    assert info.id > 10**10 and str(info.id) in info.join_url and "pwd=" in info.join_url
    settings = stored["settings"]
    assert settings["waiting_room"] and not settings["join_before_host"] and settings["mute_upon_entry"]
    assert settings["auto_recording"] == "none"
    assert info.chat_channel_id.startswith("web_sch_")
    assert len(info.password) <= 10 and info.password == stored["password"]
    assert not hasattr(info, "start_url") and "zak" not in repr(info)


def test_without_chat_prompts_no_channel_is_created(zoom):
    assert zoom.meetings.create(HOST, spec(chat_enabled=False)).chat_channel_id is None


def test_an_update_body_with_an_undocumented_field_is_refused(zoom):
    info = zoom.meetings.create(HOST, spec())
    with pytest.raises(ZoomInvalidRequest) as error:
        zoom.transport.call("PATCH", f"/meetings/{info.id}", (204,), data={"id": info.id, "duration": 45})
    assert error.value.status == 400 and error.value.code == 300
    zoom.transport.call("PATCH", f"/meetings/{info.id}", (204,), data={"duration": 45})  # the same, documented


def test_update_patches_only_what_changed_and_reads_the_link_back(zoom, zoom_sandbox):
    original = spec()
    info = zoom.meetings.create(HOST, original)
    assert zoom.meetings.update(info.id, original) == info
    assert zoom_sandbox.stats().get("meeting_update", 0) == 0
    moved = zoom.meetings.update(info.id, dataclasses.replace(original, passcode=new_passcode(),
                                                             start_time=original.start_time + timedelta(hours=1)))
    assert zoom_sandbox.stats()["meeting_update"] == 1
    assert moved.join_url != info.join_url and moved.start_time == info.start_time + timedelta(hours=1)


def test_a_series_is_one_recurring_meeting_across_dst(zoom):
    info = zoom.meetings.create(HOST, spec(start_time=datetime(2031, 3, 3, 19, 0, tzinfo=TORONTO),
                                           recurrence=Recurrence(interval_weeks=1, count=3)))
    assert info.type == 8 and len(info.occurrences) == 3
    local = [o.start_time.astimezone(TORONTO) for o in info.occurrences]
    assert [(t.weekday(), t.hour) for t in local] == [(0, 19)] * 3  # same wall-clock time after 9 March
    assert info.occurrences[0].start_time.hour == 0 and info.occurrences[2].start_time.hour == 23


def test_one_occurrence_moves_or_is_cancelled(zoom):
    info = zoom.meetings.create(HOST, spec(recurrence=Recurrence(interval_weeks=2, count=3)))
    second, third = info.occurrences[1], info.occurrences[2]
    zoom.meetings.update_occurrence(info.id, second.occurrence_id, second.start_time + timedelta(minutes=30), 45)
    assert zoom.meetings.delete(info.id, third.occurrence_id)
    after = zoom.meetings.get(info.id)
    assert after.occurrence(second.occurrence_id).start_time == second.start_time + timedelta(minutes=30)
    assert after.occurrence(second.occurrence_id).duration_minutes == 45
    assert after.occurrence(third.occurrence_id).deleted
    assert not after.occurrence(info.occurrences[0].occurrence_id).deleted


def test_delete_treats_404_as_done(zoom):
    info = zoom.meetings.create(HOST, spec())
    assert zoom.meetings.delete(info.id) is True
    assert zoom.meetings.delete(info.id) is False


def test_start_url_is_fresh_and_never_logged(zoom, caplog):
    caplog.set_level(logging.DEBUG)
    info = zoom.meetings.create(HOST, spec())
    url = zoom.meetings.start_url(info.id)
    assert "zak=" in url
    assert "zak=" not in caplog.text and url not in caplog.text


def test_zoom_mode_talks_to_any_server_that_speaks_zooms_api(test_environment, zoom_sandbox, redis_client):
    from config import load_settings
    from config.settings import SANDBOX_ACCOUNT_ID, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

    settings = load_settings({**test_environment, "ZOOM_MODE": "zoom", "ZOOM_API_URL": zoom_sandbox.api_url,
                              "ZOOM_OAUTH_URL": zoom_sandbox.oauth_url, "ZOOM_ACCOUNT_ID": SANDBOX_ACCOUNT_ID,
                              "ZOOM_CLIENT_ID": SANDBOX_CLIENT_ID, "ZOOM_CLIENT_SECRET": SANDBOX_CLIENT_SECRET})
    zoom = zoom_from_settings(settings, redis_client)
    info = zoom.meetings.create(HOST, spec())
    assert zoom.post_chat_message(HOST, info.chat_channel_id, "Bonjour")
