"""The API's URL rules. Each operation is declared once here; the OpenAPI document is built from this list."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint

from service.api import controllers as c
from service.api import groupings
from service.api import openapi
from service.api import practice as p
from service.api import pool
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
    query: tuple[str, ...] = ()  # optional string query parameters (filters)


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
    Operation("POST", "/groups/<int:group_id>/series/preview", c.preview_series,
              "A series' dates before it is scheduled (daylight-saving changes marked); nothing is saved",
              s.SeriesIn, "SeriesPreview"),
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
    Operation("POST", "/groups/<int:group_id>/series/<int:series_id>/preview", c.preview_series_move,
              "Where each upcoming session of a series would move (the PATCH's body); nothing changes",
              s.RescheduleSeriesIn, "SeriesPreview"),
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
    # Supporting moderators (service/api/practice.py).
    Operation("GET", "/organisation/supervisors", p.list_supervisors, "The organisation's supervisors"),
    Operation("POST", "/organisation/supervisors", p.add_supervisor,
              "Name a supervisor: they get their personal link by e-mail and join the community of practice",
              s.SupervisorIn, "Supervisor", 201),
    Operation("POST", "/organisation/supervisors/<int:supervisor_id>/link", p.send_link_again,
              "Send a supervisor the e-mail with their link again (the same link)", response="Supervisor"),
    Operation("DELETE", "/organisation/supervisors/<int:supervisor_id>", p.remove_supervisor,
              "Remove a supervisor: their link stops working; open requests stay with the others", status=204),
    Operation("GET", "/practice", p.get_practice,
              "The community of practice: its members (role moderator or supervisor) and its sessions"),
    Operation("POST", "/practice/series", p.schedule_practice_series,
              "Schedule the community of practice's series (members are kept up to date by the service)",
              s.PracticeSeriesIn, "Series", 201),
    Operation("PATCH", "/practice/series/<int:series_id>", p.reschedule_practice_series,
              "Move every upcoming session of the community of practice's series", s.RescheduleSeriesIn, "Series"),
    Operation("POST", "/practice/series/<int:series_id>/preview", p.preview_practice_series_move,
              "Where each upcoming session of the community's series would move (the PATCH's body); nothing "
              "changes", s.RescheduleSeriesIn, "SeriesPreview"),
    Operation("DELETE", "/practice/series/<int:series_id>", p.cancel_practice_series,
              "Cancel the community of practice's series", status=204),
    Operation("POST", "/groupings", groupings.propose_groupings,
              "Propose groups from the pool's available volunteers (nothing is saved)", s.GroupingIn, "Grouping"),
    Operation("POST", "/groupings/check", groupings.check_groupings,
              "Check an edited proposal against the rules and the pool as it is now", s.GroupingCheckIn,
              "GroupingCheck"),
    Operation("POST", "/groupings/accept", groupings.accept_groupings,
              "Form the proposed groups, all or none, after checking them again", s.GroupingAcceptIn, "list:Group",
              201),
    Operation("GET", "/organisation", pool.get_organisation, "Your organisation's settings",
              response="Organisation"),
    Operation("PATCH", "/organisation", pool.update_organisation,
              "Change your organisation's settings (only the fields given)", s.OrganisationIn, "Organisation"),
    Operation("POST", "/organisation/signup-key", pool.rotate_signup_key,
              "Give the public sign-up page a new address (the previous one stops working)",
              response="Organisation"),
    Operation("GET", "/volunteers", pool.list_volunteers, "The pool of volunteers, filtered by team, language or "
              "status", response="list:Volunteer", query=("team", "language", "status")),
    Operation("POST", "/volunteers", pool.add_volunteer,
              "Add a person to the pool (they get the welcome-and-consent e-mail unless consent_already_given)",
              s.VolunteerIn, "Volunteer", 201),
    Operation("POST", "/volunteers/import", pool.import_volunteers,
              "Import volunteers from CSV text: everyone or no one, with a violation per line",
              s.VolunteerImportIn, "VolunteerImport", 201),
    Operation("GET", "/volunteers/<int:volunteer_id>", pool.get_volunteer, "One volunteer", response="Volunteer"),
    Operation("DELETE", "/volunteers/<int:volunteer_id>", pool.withdraw_volunteer,
              "Withdraw a volunteer at their request: they leave their group and are erased", status=204),
]

for operation in OPERATIONS:  # each view serves one operation: its name is the endpoint and the operationId
    bp.add_url_rule(operation.rule, operation.view.__name__, operation.view, methods=[operation.method])
bp.add_url_rule("/openapi.json", "openapi", lambda: openapi.document_response(OPERATIONS))
