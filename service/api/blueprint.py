"""The API's URL rules. Each operation is declared once here; the OpenAPI document is built from this list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint

from service.api import controllers as c
from service.api import openapi
from service.api import schemas as s

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  # Flask rule; <int:name> becomes an integer path parameter
    view: object
    summary: str
    request: type | None = None
    response: str | None = None  # a schema name from representations.RESPONSE_SCHEMAS, "list:Name", or None
    status: int = 200


OPERATIONS = [
    Operation("GET", "/groups", c.list_groups, "The groups you coordinate", response="list:Group"),
    Operation("POST", "/groups", c.create_group, "Form a group", s.GroupIn, "Group", 201),
    Operation("POST", "/groups/validate", c.validate_group, "Check a group against the rules without saving it",
              s.GroupIn),
    Operation("GET", "/groups/<int:group_id>", c.get_group, "A group and its members", response="Group"),
    Operation("PATCH", "/groups/<int:group_id>", c.update_group, "Change a group's settings", s.GroupSettingsIn,
              "Group"),
    Operation("DELETE", "/groups/<int:group_id>", c.delete_group,
              "Delete a group: upcoming sessions are cancelled, then its personal data is erased", status=204),
    Operation("POST", "/groups/<int:group_id>/coordinators", c.share_group,
              "Share the group with another coordinator of your organisation", s.ShareIn),
    Operation("POST", "/groups/<int:group_id>/members", c.add_member, "Add a member", s.MemberIn, "Member", 201),
    Operation("PATCH", "/groups/<int:group_id>/members/<int:member_id>", c.update_member, "Change a member",
              s.MemberIn, "Member"),
    Operation("DELETE", "/groups/<int:group_id>/members/<int:member_id>", c.member_leaves,
              "A member leaves: upcoming invitations are cancelled", status=204),
    Operation("GET", "/groups/<int:group_id>/sessions", c.list_sessions,
              "Every session of the group with its live status", response="list:Session"),
    Operation("POST", "/groups/<int:group_id>/sessions", c.schedule_session,
              "Schedule one session: the kick-off, a one-off regular session or a rehearsal", s.SessionIn,
              "Session", 201),
    Operation("POST", "/groups/<int:group_id>/series", c.schedule_series, "Schedule a weekly or fortnightly series",
              s.SeriesIn, "Series", 201),
    Operation("GET", "/groups/<int:group_id>/sessions/<int:session_id>", c.get_session,
              "One session and its live status", response="Session"),
    Operation("PATCH", "/groups/<int:group_id>/sessions/<int:session_id>", c.reschedule_session,
              "Move one session (or one occurrence of a series)", s.RescheduleSessionIn, "Session"),
    Operation("DELETE", "/groups/<int:group_id>/sessions/<int:session_id>", c.cancel_session,
              "Cancel one session", status=204),
    Operation("PUT", "/groups/<int:group_id>/sessions/<int:session_id>/moderator", c.change_moderator,
              "Change a session's moderator", s.ModeratorIn, "Session"),
    Operation("POST", "/groups/<int:group_id>/sessions/<int:session_id>/meeting", c.recreate_meeting,
              "Ask for a new Zoom meeting after it was deleted in Zoom or refused", response="Session"),
    Operation("PATCH", "/groups/<int:group_id>/series/<int:series_id>", c.reschedule_series,
              "Move every upcoming session of a series", s.RescheduleSeriesIn, "Series"),
    Operation("DELETE", "/groups/<int:group_id>/series/<int:series_id>", c.cancel_series,
              "Cancel a series", status=204),
    Operation("GET", "/groups/<int:group_id>/polls", c.list_polls, "The group's availability polls",
              response="list:PollSummary"),
    Operation("POST", "/groups/<int:group_id>/polls", c.open_poll,
              "Open an availability poll: each member is asked by e-mail, answers stay private", s.PollIn, "Poll", 201),
    Operation("GET", "/groups/<int:group_id>/polls/<int:poll_id>", c.get_poll,
              "A poll's counts per slot (never anyone's answers)", response="Poll"),
    Operation("POST", "/groups/<int:group_id>/polls/<int:poll_id>/reminder", c.remind_poll,
              "Send the one reminder to the members who have not answered (never named)", response="Poll"),
    Operation("POST", "/groups/<int:group_id>/polls/<int:poll_id>/decision", c.decide_poll,
              "Decide: schedule the series on the chosen slot, close the poll, tell every member", s.PollDecisionIn,
              "Series", 201),
    Operation("POST", "/groups/<int:group_id>/invites/<int:invite_id>/resend", c.resend_invite,
              "Send a failed invitation again"),
]

for operation in OPERATIONS:  # each view serves one operation: its name is the endpoint and the operationId
    bp.add_url_rule(operation.rule, operation.view.__name__, operation.view, methods=[operation.method])
bp.add_url_rule("/openapi.json", "openapi", lambda: openapi.document_response(OPERATIONS))
