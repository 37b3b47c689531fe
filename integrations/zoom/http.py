"""Reading Zoom's HTTP answers: which typed error a response is, and how long a 429 asks us to wait.

Zoom's error body is ``{"code": <int>, "message": "..."}`` (OAuth errors: ``{"error": ..., "reason": ...}``).
A 429 carries ``X-RateLimit-Type`` (``QPS`` or ``Daily-limit``), ``X-RateLimit-Category`` and, not always,
``Retry-After`` — seconds, an HTTP date, or (daily limits) an ISO datetime. When it is missing, a per-second
limit is retried after a second and a daily one at the next 00:00 UTC, when Zoom resets it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import requests

from integrations.zoom.exceptions import (
    ZoomAuthError,
    ZoomError,
    ZoomInvalidRequest,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomUnavailable,
)

DEFAULT_QPS_RETRY_SECONDS = 1.0
# Zoom's per-second limits and daily limits share the status 429.
DAILY_LIMIT_TYPES = {"daily-limit", "daily"}
# Codes Zoom uses for "this does not exist" with a 400 or 404.
_NOT_FOUND_CODES = {1001, 3001, 4130}


def seconds_until_utc_midnight(now: datetime | None = None) -> float:
    now = now or datetime.now(timezone.utc)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: a number, an HTTP date or an ISO 8601 datetime."""
    if not value:
        return None
    value = value.strip()
    now = now or datetime.now(timezone.utc)
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    moment = None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - now).total_seconds())


def _body(response: requests.Response) -> dict:
    try:
        data = response.json()
    except (ValueError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def rate_limit_error(response: requests.Response, message: str, code: int | None) -> ZoomRateLimited:
    kind = (response.headers.get("X-RateLimit-Type") or "").strip().lower()
    daily = kind in DAILY_LIMIT_TYPES or "daily" in message.lower()
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if retry_after is None:
        retry_after = seconds_until_utc_midnight() if daily else DEFAULT_QPS_RETRY_SECONDS
    return ZoomRateLimited(message, retry_after=retry_after, daily=daily, code=code,
                           category=response.headers.get("X-RateLimit-Category"))


def error_from_response(response: requests.Response) -> ZoomError:
    """The typed error for a non-2xx answer, with Zoom's own code and message.

    ``response``: a ``requests.Response`` or anything with its ``status_code``, ``reason``, ``headers`` and
    ``json()`` (the chat hot path's ``client.JsonAnswer``)."""
    status = response.status_code
    body = _body(response)
    code = body.get("code") if isinstance(body.get("code"), int) else None
    message = str(body.get("message") or body.get("reason") or body.get("error") or response.reason or status)
    message = message[:300]
    if status == 429:
        return rate_limit_error(response, message, code)
    if status == 401:
        return ZoomAuthError(message, status=status, code=code)
    if status == 404 or (status == 400 and code in _NOT_FOUND_CODES):
        return ZoomNotFound(message, status=status, code=code)
    if status >= 500:
        return ZoomUnavailable(message, status=status, code=code)
    return ZoomInvalidRequest(message, status=status, code=code)
