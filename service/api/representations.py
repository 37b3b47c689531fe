"""How groups, members and sessions look in the JSON API (and their schemas in the OpenAPI document)."""

from __future__ import annotations

from service.domain import overview, polls
from service.domain.clock import to_local
from service.models import Group, GroupSession, Member, Poll, SessionSeries, Volunteer


def member_json(member: Member) -> dict:
    return {
        "id": member.id,
        "display_name": member.display_name,
        "email": member.email,
        "language": member.language,
        "reports_to_email": member.reports_to_email,
        "is_trained_moderator": member.is_trained_moderator,
        "role": member.role.value,
        "status": member.status.value,
        "consent_given": member.consent_at is not None,
    }


def group_json(group: Group) -> dict:
    external = group.external_moderator
    return {
        "id": group.id,
        "name": group.name,
        "language": group.language,
        "timezone": group.timezone,
        "status": group.status.value,
        "neutral_invite_title": group.neutral_invite_title,
        "chat_prompts_enabled": group.chat_prompts_enabled,
        "size_exception_confirmed": group.size_exception_confirmed,
        "external_moderator": member_json(external) if external else None,
        "external_moderator_sessions": group.external_moderator_sessions,
        "members": [member_json(m) for m in group.active_members],
        "polls": [poll_summary_json(p) for p in polls.polls_of(group)],
    }


def poll_summary_json(poll: Poll) -> dict:
    return {"id": poll.id, "status": polls.status_of(poll).value, "closes_at": poll.closes_at.isoformat(),
            "series_id": poll.series_id}


def poll_json(poll: Poll) -> dict:
    """Counts only: nobody's answers, nobody's name."""
    counts = polls.counts(poll)
    return {
        **poll_summary_json(poll),
        "interval_weeks": poll.interval_weeks,
        "occurrence_count": poll.occurrence_count,
        "slots": [{**slot, "yes": t.yes, "if_need_be": t.if_need_be, "no": t.no}
                  for slot, t in zip(poll.slots, counts.tallies)],
        "answered": counts.answered,
        "not_answered": counts.not_answered,
        "leading_slot": counts.leading,
        "decided_slot": poll.decided_slot,
    }


def scheduled_json(session: GroupSession) -> dict:
    """A session as just written: its plan, not yet its statuses (GET the session to follow them)."""
    return {
        "id": session.id,
        "kind": session.kind.value,
        "status": session.status.value,
        "series_id": session.series_id,
        "starts_at": session.starts_at.isoformat(),
        "local_start": to_local(session.starts_at, session.timezone).replace(tzinfo=None).isoformat(),
        "timezone": session.timezone,
        "duration_minutes": session.duration_minutes,
        "moderator_id": session.moderator_id,
    }


def session_json(view: overview.SessionView, language: str) -> dict:
    session = view.session
    delivery = view.delivery
    return {
        **scheduled_json(session),
        "is_live": view.is_live,
        "can_change": view.can_change,
        "meeting": view.meeting.as_dict(language),
        "invites": {
            **view.invites.as_dict(language),
            "total": delivery.total, "sent": delivery.sent, "pending": delivery.pending,
            "failed": [{"invite_id": p.invite_id, "member_id": p.member_id, "reason": p.reason}
                       for p in delivery.failed],
        },
        "prompts": view.prompts.as_dict(language),
        "follow_up_needed": view.follow_up is not None,
    }


def series_preview_json(preview, zone: str, language: str) -> dict:
    """A series before it is saved (``scheduling.SeriesPreview``): every occurrence, what it breaks, what it asks."""
    return {
        "occurrences": [{
            "date": o.day.isoformat(),
            "local_start": o.local.replace(tzinfo=None).isoformat(timespec="minutes"),
            "starts_at": o.starts_at.isoformat(),
            "utc_offset_minutes": int(o.utc_offset.total_seconds() // 60),
            "offset_changed": o.offset_changed,
            "local_time_issue": o.issue.value if o.issue else None,
        } for o in preview.occurrences],
        "timezone": zone,
        "violations": [v.as_dict(language) for v in preview.violations],
        "questions": [v.as_dict(language) for v in preview.questions],
    }


def series_move_json(move, zone: str, language: str) -> dict:
    """A series before it moves (``scheduling.SeriesMove``): the preview's shape, each occurrence also naming its
    session and where that session starts now."""
    answer = series_preview_json(move, zone, language)
    for item, session, previous in zip(answer["occurrences"], move.sessions, move.previous):
        item.update(session_id=session.id, current_starts_at=previous.isoformat())
    return answer


def series_json(series: SessionSeries) -> dict:
    return {
        "id": series.id,
        "status": series.status.value,
        "interval_weeks": series.interval_weeks,
        "weekday": series.weekday,
        "local_time": series.local_time.isoformat(timespec="minutes"),
        "duration_minutes": series.duration_minutes,
        "first_date": series.first_date.isoformat(),
        "session_ids": [s.id for s in series.sessions],
    }


_STATUS = {"type": "object", "properties": {"code": {"type": "string"}, "tone": {"type": "string"},
                                            "text": {"type": "string"}}}
_MEMBER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "display_name": {"type": "string"}, "email": {"type": "string"},
    "language": {"type": "string"}, "reports_to_email": {"type": ["string", "null"]},
    "is_trained_moderator": {"type": "boolean"}, "role": {"type": "string"}, "status": {"type": "string"}}}

def volunteer_json(volunteer: Volunteer) -> dict:
    return {
        "id": volunteer.id,
        "display_name": volunteer.display_name,
        "email": volunteer.email,
        "language": volunteer.language,
        "team": volunteer.team_key,
        "reports_to_email": volunteer.reports_to_email,
        "availability": list(volunteer.availability or []),
        "is_trained_moderator": volunteer.is_trained_moderator,
        "status": volunteer.status.value,
        "consent_given": volunteer.consent_at is not None,
    }


_SLOT = {"type": "object", "properties": {"weekday": {"type": "integer"}, "start": {"type": "string"},
                                          "end": {"type": "string"}}}
_VOLUNTEER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "display_name": {"type": "string"}, "email": {"type": "string"},
    "language": {"type": "string"}, "team": {"type": ["string", "null"]},
    "reports_to_email": {"type": ["string", "null"]}, "availability": {"type": "array", "items": _SLOT},
    "is_trained_moderator": {"type": "boolean"},
    "status": {"type": "string", "enum": ["awaiting_consent", "available", "in_group", "withdrawn"]},
    "consent_given": {"type": "boolean"}}}
_ORGANISATION = {"type": "object", "properties": {
    "name": {"type": "string"}, "timezone": {"type": "string"},
    "signup_domains": {"type": "array", "items": {"type": "string"}},
    "teams": {"type": "array", "items": {"type": "object"}}, "privacy_officer_name": {"type": "string"},
    "privacy_officer_contact": {"type": "string"}, "support_resources": {"type": "object"},
    "working_hours": {"type": "object"}, "moderator_load_threshold": {"type": "integer"},
    "signup_enabled": {"type": "boolean"},
    "signup_url": {"type": ["string", "null"]}}}
_IMPORT = {"type": "object", "properties": {"imported": {"type": "integer"}, "volunteers": {
    "type": "array", "items": {"$ref": "#/components/schemas/Volunteer"}}}}

RESPONSE_SCHEMAS = {
    "Member": _MEMBER,
    "Volunteer": _VOLUNTEER,
    "Organisation": _ORGANISATION,
    "VolunteerImport": _IMPORT,
    "Group": {"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "language": {"type": "string"},
        "timezone": {"type": "string"}, "status": {"type": "string"},
        "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
        "external_moderator": {"oneOf": [{"$ref": "#/components/schemas/Member"}, {"type": "null"}]},
        "external_moderator_sessions": {"type": "integer"},
        "polls": {"type": "array", "items": {"$ref": "#/components/schemas/PollSummary"}}}},
    "Status": _STATUS,
    "Session": {"type": "object", "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "status": {"type": "string"},
        "starts_at": {"type": "string", "format": "date-time"}, "local_start": {"type": "string"},
        "timezone": {"type": "string"}, "duration_minutes": {"type": "integer"},
        "moderator_id": {"type": ["integer", "null"]}, "series_id": {"type": ["integer", "null"]},
        "meeting": {"$ref": "#/components/schemas/Status"}, "invites": {"$ref": "#/components/schemas/Status"},
        "prompts": {"$ref": "#/components/schemas/Status"}, "follow_up_needed": {"type": "boolean"}}},
    "Series": {"type": "object", "properties": {
        "id": {"type": "integer"}, "status": {"type": "string"}, "interval_weeks": {"type": "integer"},
        "weekday": {"type": "integer"}, "local_time": {"type": "string"}, "duration_minutes": {"type": "integer"},
        "session_ids": {"type": "array", "items": {"type": "integer"}}}},
    "SeriesPreview": {"type": "object", "properties": {
        "occurrences": {"type": "array", "items": {"type": "object", "properties": {
            "date": {"type": "string", "format": "date"}, "local_start": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"}, "utc_offset_minutes": {"type": "integer"},
            "offset_changed": {"type": "boolean", "description": "daylight saving changed since the previous one"},
            "local_time_issue": {"enum": ["nonexistent", "ambiguous", None]},
            "session_id": {"type": "integer", "description": "a series moving: the session that would start here"},
            "current_starts_at": {"type": "string", "format": "date-time",
                                  "description": "a series moving: where that session starts now"}}}},
        "timezone": {"type": "string"},
        "violations": {"type": "array", "items": {"type": "object"}, "description": "rules the series breaks"},
        "questions": {"type": "array", "items": {"type": "object"},
                      "description": "what scheduling it would ask to confirm (the field names the flag)"}}},
    "Supervisor": {"type": "object", "properties": {
        "id": {"type": "integer"}, "display_name": {"type": "string"}, "email": {"type": "string"},
        "language": {"type": "string"}, "member_of_groups": {"type": "integer"},
        "link_delivery": {"enum": ["sending", "sent", "refused", None],
                          "description": "the e-mail with their personal link"}}},
    "PollSummary": {"type": "object", "properties": {
        "id": {"type": "integer"}, "status": {"enum": ["open", "decided", "closed"]},
        "closes_at": {"type": "string"}, "series_id": {"type": ["integer", "null"]}}},
    "Poll": {"type": "object", "properties": {
        "id": {"type": "integer"}, "status": {"enum": ["open", "decided", "closed"]},
        "closes_at": {"type": "string"}, "series_id": {"type": ["integer", "null"]},
        "interval_weeks": {"type": "integer"}, "occurrence_count": {"type": "integer"},
        "slots": {"type": "array", "items": {"type": "object", "properties": {
            "weekday": {"type": "integer"}, "local_time": {"type": "string"}, "duration_minutes": {"type": "integer"},
            "yes": {"type": "integer"}, "if_need_be": {"type": "integer"}, "no": {"type": "integer"}}}},
        "answered": {"type": "integer"}, "not_answered": {"type": "integer"},
        "leading_slot": {"type": ["integer", "null"]}, "decided_slot": {"type": ["integer", "null"]}}},
    "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
        "status": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"},
        "violations": {"type": "array", "items": {"type": "object", "properties": {
            "code": {"type": "string"}, "field": {"type": ["string", "null"]}, "message": {"type": "string"},
            "session_id": {"type": "integer", "description": "the existing session the rule is about"}}}}}}}},
}

_WINDOW = {"type": "object", "properties": {"weekday": {"type": "integer"}, "start": {"type": "string"},
                                           "end": {"type": "string"}}}
_PROPOSED = {"type": "object", "properties": {
    "volunteer_ids": {"type": "array", "items": {"type": "integer"}},
    "language": {"type": ["string", "null"]}, "common_slots": {"type": "array", "items": _WINDOW},
    "common_slot_count": {"type": "integer"}, "team": {"type": ["string", "null"]}, "team_share": {"type": "number"},
    "has_trained_moderator": {"type": "boolean"}, "valid": {"type": "boolean"},
    "problems": {"type": "array", "items": {"type": "object", "properties": {
        "code": {"type": "string"}, "field": {"type": ["string", "null"]}, "message": {"type": "string"}}}}}}
GROUPING_SCHEMAS = {
    "ProposedGroup": _PROPOSED,
    "Grouping": {"type": "object", "properties": {
        "groups": {"type": "array", "items": {"$ref": "#/components/schemas/ProposedGroup"}},
        "unplaced": {"type": "array", "items": {"type": "object", "properties": {
            "volunteer_id": {"type": "integer"}, "reason": {"type": "string"}, "message": {"type": "string"}}}}}},
    "GroupingCheck": {"type": "object", "properties": {
        "valid": {"type": "boolean"},
        "groups": {"type": "array", "items": {"$ref": "#/components/schemas/ProposedGroup"}}}},
}
RESPONSE_SCHEMAS.update(GROUPING_SCHEMAS)
