"""What Zoom refuses in a meeting body, refused the same way: ``400 {"code": 300, "message": ..., "errors": [...]}``.

Limits from Zoom's API reference: topic <= 200 characters, agenda <= 2,000, passcode <= 10 characters of
``[a-zA-Z0-9@-_*]``, ``start_time`` as ``yyyy-MM-ddTHH:mm:ss[Z]``, enums (``type``, ``auto_recording``,
``approval_type``, recurrence ``type``...) only their documented values, booleans as JSON booleans, weekly
``repeat_interval`` <= 12, ``end_times`` <= 60. A field the reference does not document (at the top, in
``settings`` or in ``recurrence``) is refused, as the API's schema validation does: a client that puts its path
parameters (``user_id``, ``id``) into the body is caught here, not in production.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

VALIDATION_FAILED = 300
START_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z?$")
PASSCODE = re.compile(r"^[A-Za-z0-9@\-_*]{1,10}$")
MEETING_TYPES = {1, 2, 3, 8}
RECURRENCE_TYPES = {1, 2, 3}
MAX_REPEAT_INTERVAL = {1: 90, 2: 12, 3: 3}
SETTING_ENUMS = {
    "auto_recording": {"none", "local", "cloud"},
    "approval_type": {0, 1, 2},
    "registration_type": {1, 2, 3},
    "audio": {"both", "telephony", "voip", "thirdParty"},
    "jbh_time": {0, 5, 10, 15},
    "encryption_type": {"enhanced_encryption", "e2ee"},
}
SETTING_BOOLEANS = {
    "host_video", "participant_video", "join_before_host", "mute_upon_entry", "waiting_room", "watermark",
    "use_pmi", "meeting_authentication", "private_meeting", "email_notification", "focus_mode",
}
CMC_BOOLEANS = {"enable", "auto_add_invited_external_users", "auto_add_meeting_participants"}
# The request bodies' documented fields (Create a meeting, Update a meeting).
MEETING_FIELDS = {
    "agenda", "default_password", "duration", "password", "pre_schedule", "recurrence", "schedule_for", "settings",
    "start_time", "template_id", "timezone", "topic", "tracking_fields", "type",
}
RECURRENCE_FIELDS = {
    "type", "repeat_interval", "weekly_days", "monthly_day", "monthly_week", "monthly_week_day", "end_times",
    "end_date_time",
}
SETTING_FIELDS = {
    "additional_data_center_regions", "allow_multiple_devices", "alternative_hosts",
    "alternative_hosts_email_notification", "alternative_host_update_polls", "approval_type",
    "approved_or_denied_countries_or_regions", "audio", "audio_conference_info", "authentication_domains",
    "authentication_exception", "authentication_option", "auto_recording", "auto_start_meeting_summary",
    "breakout_room", "calendar_type", "close_registration", "cn_meeting", "contact_email", "contact_name",
    "continuous_meeting_chat", "device_testing", "email_in_attendee_report", "email_notification",
    "encryption_type", "focus_mode", "global_dial_in_countries", "host_save_video_order", "host_video", "in_meeting",
    "internal_meeting", "jbh_time", "join_before_host", "language_interpretation", "meeting_authentication",
    "meeting_invitees", "mute_upon_entry", "participant_focused_meeting", "participant_video", "private_meeting",
    "push_change_to_calendar", "registrants_confirmation_email", "registrants_email_notification",
    "registration_type", "resources", "show_share_button", "sign_language_interpretation", "use_pmi",
    "waiting_room", "watermark",
}


class ApiError(Exception):
    """An error answer, as Zoom shapes it."""

    def __init__(self, status: int, code: int, message: str, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors = errors or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


def _invalid(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def parse_start_time(value: Any, zone: str) -> datetime:
    """A Zoom ``start_time`` (UTC with ``Z``, else local to ``zone``) as an aware datetime."""
    if not isinstance(value, str) or not START_TIME.match(value):
        raise ApiError(400, VALIDATION_FAILED, "Invalid field.", [_invalid("start_time", "Invalid date-time.")])
    try:
        if value.endswith("Z"):
            return datetime.fromisoformat(value[:-1] + "+00:00")
        return datetime.fromisoformat(value).replace(tzinfo=ZoneInfo(zone))
    except ValueError:
        raise ApiError(400, VALIDATION_FAILED, "Invalid field.",
                       [_invalid("start_time", "Invalid date-time.")]) from None


def _unknown(given: dict, documented: set[str], prefix: str, errors: list[dict[str, str]]) -> None:
    errors.extend(_invalid(prefix + name, "Unknown field.") for name in sorted(map(str, given))
                  if name not in documented)


def _check_settings(settings: Any, errors: list[dict[str, str]]) -> None:
    if not isinstance(settings, dict):
        errors.append(_invalid("settings", "Must be an object."))
        return
    _unknown(settings, SETTING_FIELDS, "settings.", errors)
    for name, allowed in SETTING_ENUMS.items():
        if name in settings and settings[name] not in allowed:
            errors.append(_invalid(f"settings.{name}", f"Invalid value: {settings[name]!r}."))
    for name in SETTING_BOOLEANS:
        if name in settings and not isinstance(settings[name], bool):
            errors.append(_invalid(f"settings.{name}", "Must be a boolean."))
    chat = settings.get("continuous_meeting_chat")
    if chat is not None:
        if not isinstance(chat, dict):
            errors.append(_invalid("settings.continuous_meeting_chat", "Must be an object."))
        else:
            _unknown(chat, CMC_BOOLEANS, "settings.continuous_meeting_chat.", errors)
            for name in CMC_BOOLEANS:
                if name in chat and not isinstance(chat[name], bool):
                    errors.append(_invalid(f"settings.continuous_meeting_chat.{name}", "Must be a boolean."))


def _check_recurrence(recurrence: Any, errors: list[dict[str, str]]) -> None:
    if not isinstance(recurrence, dict):
        errors.append(_invalid("recurrence", "Must be an object."))
        return
    _unknown(recurrence, RECURRENCE_FIELDS, "recurrence.", errors)
    kind = recurrence.get("type")
    if kind not in RECURRENCE_TYPES:
        errors.append(_invalid("recurrence.type", f"Invalid value: {kind!r}."))
        return
    interval = recurrence.get("repeat_interval", 1)
    if not isinstance(interval, int) or not 1 <= interval <= MAX_REPEAT_INTERVAL[kind]:
        errors.append(_invalid("recurrence.repeat_interval", "Out of range."))
    if kind == 2:
        days = str(recurrence.get("weekly_days", ""))
        if not days or any(d.strip() not in {"1", "2", "3", "4", "5", "6", "7"} for d in days.split(",")):
            errors.append(_invalid("recurrence.weekly_days", "Invalid value."))
    if "end_times" in recurrence and "end_date_time" in recurrence:
        errors.append(_invalid("recurrence", "Use end_times or end_date_time, not both."))
    end_times = recurrence.get("end_times")
    if end_times is not None and (not isinstance(end_times, int) or not 1 <= end_times <= 60):
        errors.append(_invalid("recurrence.end_times", "Must be between 1 and 60."))
    if end_times is None and "end_date_time" not in recurrence:
        errors.append(_invalid("recurrence", "end_times or end_date_time is required."))


def check_meeting_body(body: Any, creating: bool) -> None:
    """Raise :class:`ApiError` for anything Zoom would refuse in a create or update body."""
    if not isinstance(body, dict):
        raise ApiError(400, VALIDATION_FAILED, "Request Body should be a valid JSON object.")
    errors: list[dict[str, str]] = []
    _unknown(body, MEETING_FIELDS, "", errors)
    topic = body.get("topic")
    if topic is not None and (not isinstance(topic, str) or len(topic) > 200):
        errors.append(_invalid("topic", "Length must be between 0 and 200."))
    agenda = body.get("agenda")
    if agenda is not None and (not isinstance(agenda, str) or len(agenda) > 2000):
        errors.append(_invalid("agenda", "Length must be between 0 and 2000."))
    if "type" in body and body["type"] not in MEETING_TYPES:
        errors.append(_invalid("type", f"Invalid value: {body['type']!r}."))
    duration = body.get("duration")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool) or duration < 0):
        errors.append(_invalid("duration", "Must be a positive integer."))
    zone = body.get("timezone")
    if zone is not None:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            errors.append(_invalid("timezone", f"Invalid timezone: {zone!r}."))
    if "password" in body and (not isinstance(body["password"], str) or not PASSCODE.match(body["password"])):
        raise ApiError(400, VALIDATION_FAILED, "Invalid parameter: password.",
                       [_invalid("password", "At most 10 characters among a-z A-Z 0-9 @ - _ *.")])
    if "settings" in body:
        _check_settings(body["settings"], errors)
    if body.get("type") == 8 or "recurrence" in body:
        if "recurrence" not in body and creating:
            errors.append(_invalid("recurrence", "A recurring meeting with a fixed time needs a recurrence."))
        elif "recurrence" in body:
            _check_recurrence(body["recurrence"], errors)
    if errors:
        raise ApiError(400, VALIDATION_FAILED, "Validation Failed.", errors)
    if "start_time" in body:
        parse_start_time(body["start_time"], str(zone or "UTC"))
