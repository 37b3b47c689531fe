"""The participant's page, their calendar file, and leaving the group: one click, one confirmation, no reason asked."""

from __future__ import annotations

from flask import Response, g, redirect, render_template, url_for
from flask_babel import gettext as _

from service import links
from service.domain import groups, polls, practice
from service.domain.audit import Actor
from service.domain.calendar_file import participant_calendar
from service.domain.clock import now_utc
from service.errors import error_response, invalid_link
from service.extensions import current_settings
from service.page_language import reader_language
from service.models import ActorKind, Member
from service.participant.forms import LeaveForm
from service.participant.view import participant_view
from service.protocol import support_resources


def _member(token: str) -> Member:
    member = links.member_from_participant_token(current_settings(), token)
    g.page_language = member.language  # the page speaks the member's language (?lang= still wins)
    return member


def page(token: str):
    try:
        member = _member(token)
    except links.InvalidLink:
        return invalid_link()
    view = participant_view(member, now_utc(), current_settings(), reader_language())
    open_poll = polls.open_poll_for(member.group_id)
    return render_template("participant/page.html", view=view, token=token, open_poll=open_poll)


def calendar_file(token: str):
    """The member's upcoming sessions as an .ics file, in their language (the same events as their invitations)."""
    try:
        member = _member(token)
    except links.InvalidLink:
        return invalid_link()
    calendar = participant_calendar(member, current_settings(), now_utc())
    if calendar is None:
        return error_response(404, _("Aucune rencontre à venir pour l’instant"))
    response = Response(calendar.content, content_type="text/calendar; charset=utf-8")
    response.headers.set("Content-Disposition", "attachment", filename=calendar.filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def confirm_leave(token: str):
    try:
        _member(token)
    except links.InvalidLink:
        return invalid_link()
    return render_template("participant/leave.html", form=LeaveForm(), token=token)


def leave(token: str):
    try:
        member = _member(token)
    except links.InvalidLink:
        return invalid_link()
    form = LeaveForm()
    if not form.validate_on_submit():
        return render_template("participant/leave.html", form=form, token=token), 400
    language = member.language
    actor = Actor(ActorKind.MEMBER, member.id, member.group.organisation_id)
    if member.group.practice:  # stepping out of the community of practice: the service must not bring them back
        practice.step_out(member.group.organisation_id, member.email_key, actor)
    else:
        groups.member_leaves(member, actor)
    # The personal link no longer works: the farewell page is a general one.
    return redirect(url_for("participant.left", lang=language), 303)


def left():
    return render_template("participant/left.html", resources=support_resources(reader_language()))
