"""How groups, members and sessions look in the JSON API (and their schemas in the OpenAPI document)."""

from __future__ import annotations

from service.domain import overview, polls
from service.domain.clock import to_local
from service.models import Group, GroupSession, Member, Poll, SessionSeries


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
    }


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

RESPONSE_SCHEMAS = {
    "Member": _MEMBER,
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
        "prompts": {"$ref": "#/components/schemas/Status"}}},
    "Series": {"type": "object", "properties": {
        "id": {"type": "integer"}, "status": {"type": "string"}, "interval_weeks": {"type": "integer"},
        "weekday": {"type": "integer"}, "local_time": {"type": "string"}, "duration_minutes": {"type": "integer"},
        "session_ids": {"type": "array", "items": {"type": "integer"}}}},
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
            "code": {"type": "string"}, "field": {"type": ["string", "null"]}, "message": {"type": "string"}}}}}}}},
}
