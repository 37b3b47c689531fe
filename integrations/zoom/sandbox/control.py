"""The sandbox's control API (``/_sandbox/…``, JSON, no authentication: it listens on 127.0.0.1 only).

==========================================  =================================================================
``GET  /_sandbox/health``                   ``{"ok": true}``
``POST /_sandbox/reset``                    forget meetings, messages, tokens and faults; default limits
``POST /_sandbox/config``                   any of ``latency`` (s), ``per_second`` (``{"medium": 60, ...}``),
                                            ``daily_meeting_calls``, ``token_ttl`` (s), ``webhook_url``,
                                            ``users`` (host e-mails to add)
``POST /_sandbox/faults``                   ``{"kind": "5xx"|"timeout"|"429"|"429-daily"|"401", "count": N,
                                            "path": "/chat", "method": "POST", "status": 503,
                                            "retry_after": "1", "seconds": 30, "probability": 0.2}``: the
                                            next N matching calls fail (each with that chance);
                                            ``lost-answer``: a chat message is kept, the answer is a 502
``POST /_sandbox/tokens/revoke``            every token issued so far stops working (401)
``GET  /_sandbox/meetings``                 every meeting (as Zoom returns it, ``start_url`` included)
``GET  /_sandbox/meetings/<id>``            one meeting
``GET  /_sandbox/meetings/<id>/chat``       its chat messages, each with ``received_wall`` (epoch seconds) and
                                            ``received_monotonic`` (``time.monotonic()``, system-wide on Linux)
``GET  /_sandbox/chat?channel_id=…``        messages of one channel (all without the parameter)
``POST /_sandbox/meetings/<id>/start``      the meeting starts (``{"at": ISO}`` optional): signed ``meeting.started``
``POST /_sandbox/meetings/<id>/end``        the meeting ends: signed ``meeting.ended``
``POST /_sandbox/meetings/<id>/delete``     someone deletes it in Zoom: signed ``meeting.deleted``
``POST /_sandbox/webhooks/validate``        ``endpoint.url_validation`` sent and its answer checked
``GET  /_sandbox/webhooks``                 notices sent and the service's answers
``GET  /_sandbox/calls``                    every API call as it arrived: time, name, status answered
``GET  /_sandbox/stats``                    counts: requests per API call (``call:<name>``), faults injected
                                            (``fault_<kind>``), creates, chat messages kept, 429s...
==========================================  =================================================================
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, jsonify, request

from integrations.zoom.sandbox import meetings as resources
from integrations.zoom.sandbox.state import FAULT_KINDS, Fault, SandboxState
from integrations.zoom.sandbox.webhooks import fire, validate_endpoint

bp = Blueprint("zoom_sandbox_control", __name__, url_prefix="/_sandbox")


def state() -> SandboxState:
    return current_app.extensions["zoom_sandbox"]


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _meeting_or_404(meeting_id: int) -> dict:
    meeting = state().meetings.get(meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@bp.get("/health")
def health():
    return jsonify(ok=True)


@bp.post("/reset")
def reset():
    state().reset()
    return jsonify(ok=True)


@bp.post("/config")
def configure():
    sandbox, body = state(), _body()
    with sandbox.lock:
        if "latency" in body:
            sandbox.latency = max(0.0, float(body["latency"]))
        for label, limit in (body.get("per_second") or {}).items():
            if label not in sandbox.per_second:
                return jsonify(error=f"unknown rate-limit label {label!r}"), 400
            sandbox.per_second[label] = int(limit)
        if "daily_meeting_calls" in body:
            sandbox.daily_meeting_calls = int(body["daily_meeting_calls"])
        if "token_ttl" in body:
            sandbox.config.token_ttl = int(body["token_ttl"])
        if "webhook_url" in body:
            sandbox.config.webhook_url = str(body["webhook_url"])
        for email in body.get("users") or ():
            sandbox.add_user(email)
        return jsonify(latency=sandbox.latency, per_second=sandbox.per_second,
                       daily_meeting_calls=sandbox.daily_meeting_calls, token_ttl=sandbox.config.token_ttl,
                       webhook_url=sandbox.config.webhook_url, users=[u["email"] for u in sandbox.users.values()])


@bp.post("/faults")
def inject_fault():
    body = _body()
    kind = body.get("kind")
    if kind not in FAULT_KINDS:
        return jsonify(error=f"kind must be one of {', '.join(FAULT_KINDS)}"), 400
    fault = Fault(kind=kind, remaining=int(body.get("count", 1)), path=str(body.get("path", "")),
                  method=str(body.get("method", "")).upper(), status=int(body.get("status", 503)),
                  retry_after=None if body.get("retry_after") is None else str(body["retry_after"]),
                  seconds=float(body.get("seconds", 30)), probability=float(body.get("probability", 1.0)))
    if not 0 < fault.probability <= 1:
        return jsonify(error="probability must be in (0, 1]"), 400
    with state().lock:
        state().faults.append(fault)
    return jsonify(ok=True)


@bp.post("/tokens/revoke")
def revoke_tokens():
    with state().lock:
        state().tokens.clear()
    return jsonify(ok=True)


@bp.get("/meetings")
def list_meetings():
    with state().lock:
        return jsonify([resources.meeting_view(m, show_previous=True) for m in state().meetings.values()])


@bp.get("/meetings/<int:meeting_id>")
def show_meeting(meeting_id: int):
    with state().lock:
        return jsonify(resources.meeting_view(_meeting_or_404(meeting_id), show_previous=True))


@bp.get("/meetings/<int:meeting_id>/chat")
def meeting_chat(meeting_id: int):
    with state().lock:
        return jsonify([m.as_json() for m in state().messages if m.meeting_id == meeting_id])


@bp.get("/chat")
def chat():
    channel_id = request.args.get("channel_id")
    with state().lock:
        return jsonify([m.as_json() for m in state().messages if channel_id in (None, m.channel_id)])


def _moment(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@bp.post("/meetings/<int:meeting_id>/start")
def start_meeting(meeting_id: int):
    at = _moment(_body().get("at"))
    with state().lock:
        meeting = _meeting_or_404(meeting_id)
        meeting["status"] = "started"
        meeting["_started_at"] = at
        snapshot = dict(meeting)
    return jsonify(fire(current_app._get_current_object(), "meeting.started", snapshot, at=at))


@bp.post("/meetings/<int:meeting_id>/end")
def end_meeting(meeting_id: int):
    at = _moment(_body().get("at"))
    with state().lock:
        meeting = _meeting_or_404(meeting_id)
        started_at = meeting.pop("_started_at", None)
        meeting["status"] = "waiting"
        snapshot = dict(meeting)
    return jsonify(fire(current_app._get_current_object(), "meeting.ended", snapshot, at=at,
                        started_at=started_at or at))


@bp.post("/meetings/<int:meeting_id>/delete")
def delete_in_zoom(meeting_id: int):
    with state().lock:
        meeting = state().meetings.pop(meeting_id, None)
        if meeting is None:
            abort(404)
    return jsonify(fire(current_app._get_current_object(), "meeting.deleted", meeting, operator="someone@zoom"))


@bp.post("/webhooks/validate")
def validate_webhook():
    return jsonify(validate_endpoint(current_app._get_current_object()))


@bp.get("/webhooks")
def webhook_deliveries():
    with state().lock:
        return jsonify(list(state().webhook_deliveries))


@bp.get("/calls")
def calls():
    """Every API call as it arrived (after the way in): ``[wall time, call name, status answered]``."""
    with state().lock:
        return jsonify(list(state().calls))


@bp.get("/stats")
def stats():
    with state().lock:
        return jsonify(dict(state().stats))
