"""Zoom's webhook: verified at the door, then handed to ``service.domain.zoom_notices``.

Answers: 503 when no ``ZOOM_WEBHOOK_SECRET`` is configured; 401 when the signature is missing or wrong or the
timestamp is more than 5 minutes away (a replay); 400 for a body that is not a notice; the
``endpoint.url_validation`` challenge answered; otherwise 200 with what was done (``status``), also for meetings
we do not know. A notice already handled (the same body: a replay, or Zoom retrying after a lost answer) is
answered 200 ``duplicate`` without being handled twice.
"""

from __future__ import annotations

import hashlib
import json
import logging

from flask import current_app, jsonify, request

from integrations.zoom.webhooks import WebhookRejected, url_validation_answer, verify
from service.domain import zoom_notices
from service.errors import error_response
from service.extensions import current_settings

log = logging.getLogger(__name__)

# A handled notice is remembered this long (longer than the accepted timestamp age, and Zoom's first retry).
HANDLED_TTL_SECONDS = 3600


def zoom():
    secret = current_settings().ZOOM_WEBHOOK_SECRET
    if not secret:
        log.warning("a Zoom notice arrived but ZOOM_WEBHOOK_SECRET is not set")
        return error_response(503, code="webhook_not_configured")
    body = request.get_data(cache=False)
    try:
        verify(secret, request.headers, body)
    except WebhookRejected as rejected:
        log.warning("refused a Zoom notice: %s", rejected.reason)
        return error_response(401, code=rejected.reason)
    try:
        notice = json.loads(body)
        event = notice["event"]
        payload = notice.get("payload") or {}
    except (ValueError, KeyError, TypeError):
        return error_response(400, code="not_a_notice")
    if event == "endpoint.url_validation":
        plain = payload.get("plainToken") if isinstance(payload, dict) else None
        if not isinstance(plain, str) or not plain:
            return error_response(400, code="no_plain_token")
        return jsonify(url_validation_answer(secret, plain))
    redis = current_app.extensions["redis"]
    handled_key = "zoom:notice:" + hashlib.sha256(body).hexdigest()
    if redis.exists(handled_key):
        return jsonify(status="duplicate")
    outcome = zoom_notices.handle_notice(str(event), payload if isinstance(payload, dict) else {})
    redis.set(handled_key, outcome, ex=HANDLED_TTL_SECONDS)
    log.info("Zoom notice %s: %s", event, outcome)
    return jsonify(status=outcome)
