"""Zoom's HTTP API, as far as the service uses it: OAuth token, meetings, occurrences, Team Chat messages.

Before each API call (``gate``): half the injected latency (the other half delays the answer), faults, the bearer
token (401 ``code 124`` when missing, unknown or expired), Zoom's per-second limits by rate-limit label (429
``X-RateLimit-Type: QPS``);
meeting create/update also count against the host's daily limit (``spend_daily``: 429 ``Daily-limit``,
``Retry-After`` the next 00:00 UTC as an ISO datetime).
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from flask import Blueprint, current_app, g, jsonify, request

from integrations.zoom.sandbox import meetings as resources
from integrations.zoom.sandbox.state import ChatMessage, SandboxState
from integrations.zoom.sandbox.validation import ApiError, check_meeting_body
from integrations.zoom.sandbox.webhooks import fire

bp = Blueprint("zoom_api", __name__)

CHAT_MESSAGE_LIMIT = 4096
TOKEN_SCOPES = "meeting:read:admin meeting:write:admin chat_message:write:admin user:read:admin"
# Zoom's rate-limit label of each call we serve.
LIGHT, MEDIUM = "light", "medium"


def state() -> SandboxState:
    return current_app.extensions["zoom_sandbox"]


def base_url() -> str:
    return request.host_url.rstrip("/")


# -- OAuth --------------------------------------------------------------------------------------------------

@bp.post("/oauth/token")
def token():
    sandbox = state()
    cfg = sandbox.config
    params = {**request.args.to_dict(), **request.form.to_dict()}
    client_id, client_secret = _basic_auth()
    if (client_id, client_secret) != (cfg.client_id, cfg.client_secret):
        return jsonify(reason="Invalid client_id or client_secret", error="invalid_client"), 401
    if params.get("grant_type") != "account_credentials":
        return jsonify(reason="unsupported grant type", error="unsupported_grant_type"), 400
    if params.get("account_id") != cfg.account_id:
        return jsonify(reason="Invalid account_id", error="invalid_request"), 400
    with sandbox.lock:
        fault = sandbox.take_fault(request.method, request.path, explicit_only=True)
        if fault is not None and fault.kind == "5xx":
            return jsonify(reason="Internal Error", error="server_error"), fault.status
        access_token = secrets.token_urlsafe(48)
        sandbox.tokens[access_token] = time.time() + cfg.token_ttl
        sandbox.stats["oauth_token"] += 1
    return jsonify(access_token=access_token, token_type="bearer", expires_in=cfg.token_ttl,
                   scope=TOKEN_SCOPES, api_url=base_url())


def _basic_auth() -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return "", ""
    try:
        decoded = base64.b64decode(header[6:]).decode()
    except (ValueError, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


# -- The gate every API call passes -------------------------------------------------------------------------

def _fault_response(fault):
    if fault.kind == "timeout":
        time.sleep(fault.seconds)
        raise ApiError(504, 504, "Gateway Timeout")
    if fault.kind == "5xx":
        raise ApiError(fault.status, fault.status, "Internal Error")
    if fault.kind == "401":
        raise ApiError(401, 124, "Invalid access token.")
    if fault.kind == "429":
        raise ApiError(429, 429, "You have reached the maximum per-second rate limit for this API. Try again later.",
                       headers={"X-RateLimit-Category": "Medium", "X-RateLimit-Type": "QPS",
                                "X-RateLimit-Remaining": "0", "Retry-After": fault.retry_after or "1"})
    raise _daily_limit_error(fault.retry_after)


def _daily_limit_error(retry_after: str | None = None) -> ApiError:
    reset = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
    return ApiError(429, 429, "You have exceeded the daily rate limit of Meeting Create/Update API requests "
                              "permitted for this particular user. You may resume these requests at GMT 00:00:00.",
                    headers={"X-RateLimit-Category": "Light", "X-RateLimit-Type": "Daily-limit",
                             "X-RateLimit-Remaining": "0", "Retry-After": retry_after or reset})


def gate(label: str) -> None:
    """The injected latency (half of it: the way in), faults, the bearer token, the per-second limit of the
    call's label. The other half of the latency is on the way back (``_way_back``): a call is counted, and a
    chat message recorded, when it arrives, as Zoom does."""
    sandbox = state()
    name = (request.endpoint or "").rsplit(".", 1)[-1]
    with sandbox.lock:
        sandbox.stats[f"call:{name}"] += 1
    if sandbox.latency:
        time.sleep(sandbox.latency / 2)
        g.answer_delay = sandbox.latency / 2
    g.call = (time.time(), name)
    fault = sandbox.take_fault(request.method, request.path)
    if fault is not None:
        _fault_response(fault)
    header = request.headers.get("Authorization", "")
    access_token = header[7:] if header.startswith("Bearer ") else ""
    with sandbox.lock:
        expires_at = sandbox.tokens.get(access_token)
        if expires_at is None:
            raise ApiError(401, 124, "Invalid access token.")
        if expires_at <= time.time():
            raise ApiError(401, 124, "Access token is expired.")
        second = int(time.time())
        key = (label, second)
        count = sandbox.second_counts.get(key, 0) + 1
        if count > sandbox.per_second[label]:
            sandbox.stats["429_qps"] += 1
            raise ApiError(429, 429, "You have reached the maximum per-second rate limit for this API. "
                                     "Try again later.",
                           headers={"X-RateLimit-Category": label.capitalize(), "X-RateLimit-Type": "QPS",
                                    "X-RateLimit-Remaining": "0", "Retry-After": "1"})
        sandbox.second_counts = {k: v for k, v in sandbox.second_counts.items() if k[1] >= second - 1}
        sandbox.second_counts[key] = count


@bp.after_request
def _way_back(response):
    """The other half of the injected latency, on the way back (so a chat message is recorded when it arrives)."""
    call = g.pop("call", None)
    if call is not None:
        sandbox = state()
        with sandbox.lock:
            sandbox.calls.append((*call, response.status_code))
    delay = g.pop("answer_delay", 0)
    if delay:
        time.sleep(delay)
    return response


def spend_daily(host_id: str) -> None:
    """One meeting create/update call of the host's daily allowance (reset at 00:00 UTC)."""
    sandbox = state()
    with sandbox.lock:
        day_key = (host_id, datetime.now(timezone.utc).date().isoformat())
        if sandbox.daily_counts[day_key] >= sandbox.daily_meeting_calls:
            sandbox.stats["429_daily"] += 1
            raise _daily_limit_error()
        sandbox.daily_counts[day_key] += 1


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    response = jsonify(error.body())
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _json_body():
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, 300, "Request Body should be a valid JSON object.")
    return body


def _meeting_body(host_id: str, creating: bool) -> dict:
    """A create/update body, counted against the host's daily allowance and checked as Zoom checks it."""
    spend_daily(host_id)
    body = _json_body()
    check_meeting_body(body, creating)
    return body


def _user(user_id: str) -> dict[str, str]:
    user = state().find_user(user_id)
    if user is None:
        raise ApiError(404, 1001, f"User does not exist: {user_id}.")
    return user


def _meeting(meeting_id: str) -> dict:
    try:
        found = state().meetings.get(int(meeting_id))
    except ValueError:
        found = None
    if found is None:
        raise ApiError(404, 3001, f"Meeting does not exist: {meeting_id}.")
    return found


def _boolean_param(name: str) -> None:
    value = request.args.get(name)
    if value is not None and value not in ("true", "false"):
        raise ApiError(400, 300, f"Invalid parameter: {name}.")


# -- Meetings -----------------------------------------------------------------------------------------------

@bp.post("/v2/users/<user_id>/meetings")
def create_meeting(user_id: str):
    gate(MEDIUM)
    host = _user(user_id)
    body = _meeting_body(host["id"], creating=True)
    sandbox = state()
    with sandbox.lock:
        meeting = resources.create_meeting(body, host, base_url(), set(sandbox.meetings), sandbox.channels)
        sandbox.meetings[meeting["id"]] = meeting
        sandbox.stats["meeting_create"] += 1
        view = resources.meeting_view(meeting, show_previous=True)
    return jsonify(view), 201


@bp.get("/v2/meetings/<meeting_id>")
def get_meeting(meeting_id: str):
    gate(LIGHT)
    _boolean_param("show_previous_occurrences")
    with state().lock:
        meeting = _meeting(meeting_id)
        view = resources.meeting_view(meeting, request.args.get("occurrence_id"),
                                      request.args.get("show_previous_occurrences") == "true")
    return jsonify(view)


@bp.patch("/v2/meetings/<meeting_id>")
def update_meeting(meeting_id: str):
    gate(LIGHT)
    meeting = _meeting(meeting_id)
    body = _meeting_body(meeting["host_id"], creating=False)
    sandbox = state()
    with sandbox.lock:
        occurrence_id = request.args.get("occurrence_id")
        if occurrence_id:
            resources.update_occurrence(meeting, occurrence_id, body)
        else:
            resources.update_meeting(meeting, body, sandbox.channels)
        sandbox.stats["meeting_update"] += 1
    return "", 204


@bp.delete("/v2/meetings/<meeting_id>")
def delete_meeting(meeting_id: str):
    gate(LIGHT)
    for name in ("schedule_for_reminder", "cancel_meeting_reminder"):
        _boolean_param(name)
    sandbox = state()
    with sandbox.lock:
        meeting = _meeting(meeting_id)
        if meeting["status"] == "started":
            raise ApiError(400, 3002, "Sorry, you cannot delete this meeting since it is in progress.")
        occurrence_id = request.args.get("occurrence_id")
        if occurrence_id:
            occurrence = resources.find_occurrence(meeting, occurrence_id)
            occurrence["status"] = "deleted"
            deleted = {**meeting, "occurrences": [dict(occurrence)]}
        else:
            deleted = sandbox.meetings.pop(meeting["id"])
        sandbox.stats["meeting_delete"] += 1
    threading.Thread(target=fire, args=(current_app._get_current_object(), "meeting.deleted", deleted),
                     kwargs={"operator": "api"}, daemon=True).start()
    return "", 204


# -- Team Chat ----------------------------------------------------------------------------------------------

@bp.post("/v2/chat/users/<user_id>/messages")
def send_chat_message(user_id: str):
    gate(MEDIUM)
    sender = _user(user_id)
    body = _json_body()
    text = body.get("message")
    if not isinstance(text, str) or not 1 <= len(text) <= CHAT_MESSAGE_LIMIT:
        raise ApiError(400, 300, "Validation Failed.",
                       [{"field": "message", "message": f"Length must be between 1 and {CHAT_MESSAGE_LIMIT}."}])
    channel_id = body.get("to_channel")
    if not channel_id:
        raise ApiError(400, 300, "Validation Failed.",
                       [{"field": "to_channel", "message": "to_channel or to_contact is required."}])
    sandbox = state()
    received_wall, received_monotonic = time.time(), time.monotonic()
    with sandbox.lock:
        meeting_id = sandbox.channels.get(channel_id)
        meeting = sandbox.meetings.get(meeting_id) if meeting_id is not None else None
        if meeting is None:
            raise ApiError(404, 4130, f"Channel does not exist: {channel_id}.")
        if meeting["host_id"] != sender["id"]:
            raise ApiError(400, 5301, "Request to send message failed: the user is not a member of this channel.")
        message = ChatMessage(str(uuid.uuid4()).upper(), channel_id, meeting_id, sender["email"], text,
                              received_wall, received_monotonic)
        sandbox.messages.append(message)
        sandbox.stats["chat_message"] += 1
    if sandbox.take_fault(request.method, request.path, after_effect=True) is not None:
        sandbox.stats["lost_answer"] += 1
        raise ApiError(502, 502, "Bad Gateway")  # the message is in the channel; the sender cannot know
    return jsonify(id=message.id), 201


@bp.get("/v2/chat/users/<user_id>/messages")
def list_chat_messages(user_id: str):
    """A user's messages in one channel, newest first, as Zoom's "List user's chat messages" (``to_channel``,
    ``from``/``to`` ISO times, ``page_size`` up to 50, ``next_page_token``)."""
    gate(MEDIUM)
    sender = _user(user_id)
    channel_id = request.args.get("to_channel")
    if not channel_id:
        raise ApiError(400, 300, "Validation Failed.",
                       [{"field": "to_channel", "message": "to_channel or to_contact is required."}])
    try:
        page_size = int(request.args.get("page_size", 10))
        offset = int(request.args.get("next_page_token") or 0)
        since = _iso_seconds(request.args.get("from"))
        until = _iso_seconds(request.args.get("to"))
    except ValueError:
        raise ApiError(400, 300, "Validation Failed.") from None
    if not 1 <= page_size <= 50:
        raise ApiError(400, 300, "Validation Failed.", [{"field": "page_size", "message": "Must be 1 to 50."}])
    sandbox = state()
    with sandbox.lock:
        if channel_id not in sandbox.channels:
            raise ApiError(404, 4130, f"Channel does not exist: {channel_id}.")
        found = [m for m in reversed(sandbox.messages)
                 if m.channel_id == channel_id and m.sender == sender["email"]
                 and (since is None or m.received_wall >= since) and (until is None or m.received_wall <= until)]
    page = found[offset:offset + page_size]
    more = offset + page_size < len(found)
    return jsonify(
        page_size=page_size,
        next_page_token=str(offset + page_size) if more else "",
        messages=[{"id": m.id, "message": m.text, "sender": m.sender,
                   "date_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(m.received_wall)),
                   "timestamp": int(m.received_wall * 1000)} for m in page],
    )


def _iso_seconds(value: str | None) -> float | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
