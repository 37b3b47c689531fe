"""Meetings as Zoom keeps them: ids, links, settings with their defaults, and a series' occurrences.

A meeting is stored as the JSON Zoom returns (so ``GET`` answers exactly what ``POST`` answered), plus
``_``-prefixed private fields the API never shows (the original start of each occurrence).
"""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from integrations.zoom.sandbox.validation import ApiError, parse_start_time

UTC = timezone.utc
DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "audio": "voip",
    "auto_recording": "none",
    "waiting_room": False,
    "meeting_authentication": False,
    "private_meeting": False,
    "email_notification": True,
    "focus_mode": False,
    "continuous_meeting_chat": {"enable": False, "auto_add_invited_external_users": False,
                                "auto_add_meeting_participants": False, "channel_id": ""},
}


def zoom_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_meeting_id(taken: set[int]) -> int:
    """11 digits, like Zoom's ids for scheduled meetings (more than 10: an int32 cannot hold it)."""
    while True:
        candidate = secrets.randbelow(9 * 10**10) + 10**10
        if candidate not in taken:
            return candidate


def new_uuid() -> str:
    return base64.b64encode(secrets.token_bytes(16)).decode()


def new_channel_id() -> str:
    return "web_sch_" + secrets.token_hex(16)


def weekly_occurrences(start: datetime, zone: str, duration: int, recurrence: dict[str, Any]) -> list[dict[str, Any]]:
    """The occurrences of a weekly rule, computed in local time (the wall-clock time survives DST)."""
    tz = ZoneInfo(zone)
    local = start.astimezone(tz).replace(tzinfo=None)
    kind = recurrence["type"]
    interval = int(recurrence.get("repeat_interval", 1))
    limit = recurrence.get("end_times")
    until = parse_start_time(recurrence["end_date_time"], zone) if "end_date_time" in recurrence else None
    days = sorted({int(d) for d in str(recurrence.get("weekly_days", "")).split(",") if d.strip()})
    starts: list[datetime] = []
    if kind == 1:
        candidates = (local + timedelta(days=i * interval) for i in range(400))
    elif kind == 2:
        week_start = local - timedelta(days=(local.weekday() + 1) % 7)  # Zoom's weeks start on Sunday
        candidates = (
            week_start + timedelta(weeks=w * interval, days=d - 1)
            for w in range(400) for d in days
        )
    else:
        candidates = (local.replace(month=(local.month - 1 + i * interval) % 12 + 1,
                                    year=local.year + (local.month - 1 + i * interval) // 12) for i in range(60))
    for candidate in candidates:
        if candidate < local:
            continue
        moment = candidate.replace(tzinfo=tz).astimezone(UTC)
        if (limit is not None and len(starts) >= limit) or (until is not None and moment > until):
            break
        starts.append(moment)
        if len(starts) >= 60:
            break
    return [{"occurrence_id": str(int(m.timestamp() * 1000)), "start_time": zoom_time(m), "duration": duration,
             "status": "available"} for m in starts]


def _merge_settings(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _apply_chat(meeting: dict[str, Any], channels: dict[str, int]) -> None:
    chat = meeting["settings"]["continuous_meeting_chat"]
    if chat.get("enable") and not chat.get("channel_id"):
        chat["channel_id"] = new_channel_id()
    if chat.get("channel_id"):
        channels[chat["channel_id"]] = meeting["id"]


def create_meeting(body: dict[str, Any], host: dict[str, str], base_url: str, taken: set[int],
                   channels: dict[str, int]) -> dict[str, Any]:
    zone = body.get("timezone") or "UTC"
    kind = body.get("type", 2)
    start = parse_start_time(body["start_time"], zone) if body.get("start_time") else datetime.now(UTC)
    meeting_id = new_meeting_id(taken)
    password = body.get("password") or "".join(secrets.choice("0123456789") for _ in range(6))
    encrypted = secrets.token_urlsafe(24)
    meeting: dict[str, Any] = {
        "uuid": new_uuid(),
        "id": meeting_id,
        "host_id": host["id"],
        "host_email": host["email"],
        "assistant_id": "",
        "topic": body.get("topic") or "Zoom Meeting",
        "type": kind,
        "status": "waiting",
        "start_time": zoom_time(start),
        "duration": body.get("duration", 60),
        "timezone": zone,
        "agenda": body.get("agenda", ""),
        "created_at": zoom_time(datetime.now(UTC)),
        "start_url": f"{base_url}/s/{meeting_id}?zak={secrets.token_urlsafe(32)}",
        "join_url": f"{base_url}/j/{meeting_id}?pwd={encrypted}",
        "password": password,
        "h323_password": password,
        "pstn_password": password,
        "encrypted_password": encrypted,
        "pre_schedule": False,
        "settings": _merge_settings(DEFAULT_SETTINGS, body.get("settings") or {}),
    }
    meeting["settings"]["continuous_meeting_chat"] = dict(meeting["settings"]["continuous_meeting_chat"])
    if kind == 8:
        meeting["recurrence"] = dict(body["recurrence"])
        meeting["occurrences"] = weekly_occurrences(start, zone, meeting["duration"], meeting["recurrence"])
    _apply_chat(meeting, channels)
    return meeting


def update_meeting(meeting: dict[str, Any], body: dict[str, Any], channels: dict[str, int]) -> None:
    """PATCH the whole meeting (a series' rule, when changed, makes new occurrences)."""
    zone = body.get("timezone") or meeting["timezone"]
    for name in ("topic", "agenda", "duration", "timezone"):
        if name in body:
            meeting[name] = body[name]
    if "password" in body and body["password"] != meeting["password"]:
        meeting["password"] = meeting["h323_password"] = meeting["pstn_password"] = body["password"]
        meeting["encrypted_password"] = secrets.token_urlsafe(24)
        meeting["join_url"] = meeting["join_url"].split("?pwd=")[0] + "?pwd=" + meeting["encrypted_password"]
    if "start_time" in body:
        meeting["start_time"] = zoom_time(parse_start_time(body["start_time"], zone))
    if "settings" in body:
        meeting["settings"] = _merge_settings(meeting["settings"], body["settings"])
        _apply_chat(meeting, channels)
    if "type" in body and body["type"] != meeting["type"]:
        meeting["type"] = body["type"]
        if meeting["type"] != 8:
            meeting.pop("recurrence", None)
            meeting.pop("occurrences", None)
    if meeting["type"] == 8:
        if "recurrence" in body:
            meeting["recurrence"] = dict(body["recurrence"])
        if any(name in body for name in ("recurrence", "start_time", "timezone")):
            start = parse_start_time(meeting["start_time"], meeting["timezone"])
            meeting["occurrences"] = weekly_occurrences(start, meeting["timezone"], meeting["duration"],
                                                        meeting["recurrence"])
        elif "duration" in body:
            for occurrence in meeting["occurrences"]:
                occurrence["duration"] = meeting["duration"]


def find_occurrence(meeting: dict[str, Any], occurrence_id: str) -> dict[str, Any]:
    for occurrence in meeting.get("occurrences") or ():
        if occurrence["occurrence_id"] == occurrence_id:
            return occurrence
    raise ApiError(400, 3000, f"Invalid occurrence_id: {occurrence_id}.")


def update_occurrence(meeting: dict[str, Any], occurrence_id: str, body: dict[str, Any]) -> None:
    occurrence = find_occurrence(meeting, occurrence_id)
    if occurrence["status"] == "deleted":
        raise ApiError(400, 3000, f"Occurrence {occurrence_id} was deleted.")
    if "start_time" in body:
        occurrence["start_time"] = zoom_time(parse_start_time(body["start_time"], meeting["timezone"]))
    if "duration" in body:
        occurrence["duration"] = body["duration"]


def meeting_view(meeting: dict[str, Any], occurrence_id: str | None = None, show_previous: bool = False,
                 now: datetime | None = None) -> dict[str, Any]:
    """What ``GET /meetings/{id}`` returns."""
    view = {key: value for key, value in meeting.items() if not key.startswith("_")}
    view["settings"] = {**meeting["settings"],
                        "continuous_meeting_chat": dict(meeting["settings"]["continuous_meeting_chat"])}
    if "occurrences" in meeting:
        now = now or datetime.now(UTC)
        occurrences = [dict(o) for o in meeting["occurrences"]]
        if not show_previous:
            occurrences = [o for o in occurrences
                           if parse_start_time(o["start_time"], "UTC") + timedelta(minutes=o["duration"]) > now]
        view["occurrences"] = occurrences
        if occurrence_id is not None:
            occurrence = find_occurrence(meeting, occurrence_id)
            view["start_time"], view["duration"] = occurrence["start_time"], occurrence["duration"]
    return view


def occurrence_near(meeting: dict[str, Any], at: datetime) -> dict[str, Any] | None:
    """The live occurrence closest to ``at`` (for the started/ended notices)."""
    live = [o for o in meeting.get("occurrences") or () if o["status"] != "deleted"]
    if not live:
        return None
    return min(live, key=lambda o: abs(parse_start_time(o["start_time"], "UTC") - at))
