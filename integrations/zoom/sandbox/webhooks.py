"""Notices the sandbox sends to the service, signed as Zoom signs them.

``meeting.started`` / ``meeting.ended`` carry the meeting's id as a *string* (as Zoom does), ``meeting.deleted``
as a number; a deleted occurrence comes with ``object.occurrences``. Deliveries are kept (``GET
/_sandbox/webhooks``) so a test or a person can see what was sent and how the service answered.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime, timezone
from typing import Any

import requests
from flask import Flask

from integrations.zoom.webhooks import signed_headers, url_validation_answer

DELIVERY_TIMEOUT_SECONDS = 10


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def notice(event: str, meeting: dict[str, Any], account_id: str, at: datetime | None = None,
           started_at: datetime | None = None, operator: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "id": str(meeting["id"]) if event in ("meeting.started", "meeting.ended") else meeting["id"],
        "uuid": meeting["uuid"],
        "host_id": meeting["host_id"],
        "topic": meeting["topic"],
        "type": meeting["type"],
        "duration": meeting["duration"],
        "timezone": meeting["timezone"],
        "start_time": _iso(started_at or at) if (started_at or at) else meeting["start_time"],
    }
    if event == "meeting.ended" and at is not None:
        obj["end_time"] = _iso(at)
    if event == "meeting.deleted" and meeting.get("occurrences") and len(meeting["occurrences"]) == 1 \
            and meeting["occurrences"][0]["status"] == "deleted":
        obj["occurrences"] = [{"occurrence_id": o["occurrence_id"], "start_time": o["start_time"]}
                              for o in meeting["occurrences"]]
    payload: dict[str, Any] = {"account_id": account_id, "object": obj}
    if operator:
        payload["operator"] = operator
    return {"event": event, "event_ts": int(time.time() * 1000), "payload": payload}


def deliver(app: Flask, body: dict[str, Any], timestamp: int | None = None) -> dict[str, Any]:
    """POST one signed notice to the configured webhook URL; returns (and keeps) what happened."""
    sandbox = app.extensions["zoom_sandbox"]
    url = sandbox.config.webhook_url
    raw = json.dumps(body).encode()
    record: dict[str, Any] = {"event": body["event"], "url": url, "sent_at": time.time(), "status": None,
                              "error": None, "response": None}
    if not url:
        record["error"] = "no webhook URL configured"
    else:
        try:
            response = requests.post(url, data=raw, timeout=DELIVERY_TIMEOUT_SECONDS,
                                     headers=signed_headers(sandbox.config.webhook_secret, raw, timestamp))
            record["status"] = response.status_code
            record["response"] = response.text[:500]
        except requests.RequestException as error:
            record["error"] = type(error).__name__
    with sandbox.lock:
        sandbox.webhook_deliveries.append(record)
    return record


def fire(app: Flask, event: str, meeting: dict[str, Any], at: datetime | None = None,
         started_at: datetime | None = None, operator: str | None = None) -> dict[str, Any]:
    sandbox = app.extensions["zoom_sandbox"]
    if event == "meeting.deleted" and not sandbox.config.webhook_url:
        return {"event": event, "status": None, "error": "no webhook URL configured"}
    return deliver(app, notice(event, meeting, sandbox.config.account_id, at, started_at, operator))


def validate_endpoint(app: Flask) -> dict[str, Any]:
    """Send ``endpoint.url_validation`` as Zoom does, and check the answer."""
    sandbox = app.extensions["zoom_sandbox"]
    plain = secrets.token_urlsafe(16)
    record = deliver(app, {"event": "endpoint.url_validation", "event_ts": int(time.time() * 1000),
                           "payload": {"plainToken": plain}})
    expected = url_validation_answer(sandbox.config.webhook_secret, plain)
    try:
        record["valid"] = record["status"] == 200 and json.loads(record["response"] or "{}") == expected
    except ValueError:
        record["valid"] = False
    return record
