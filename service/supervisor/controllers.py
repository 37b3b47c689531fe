"""The supervisor's page and its one action (a request followed up). No account: the signed link is the key."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from service import links
from service.domain import supervision
from service.domain.clock import now_utc
from service.domain.errors import NotFound
from service.errors import invalid_link
from service.extensions import current_settings
from service.models import Supervisor


class DoneForm(FlaskForm):
    pass


def _supervisor(token: str) -> Supervisor:
    supervisor = links.supervisor_from_token(current_settings(), token)
    g.page_language = supervisor.language  # the page speaks the supervisor's language (?lang= still wins)
    return supervisor


def page(token: str):
    try:
        supervisor = _supervisor(token)
    except links.InvalidLink:
        return invalid_link()
    view = supervision.page_for(supervisor, current_settings(), now_utc())
    response = render_template("supervisor/page.html", view=view, token=token, done_form=DoneForm())
    return response, 200, {"Cache-Control": "private, no-store"}


def mark_done(token: str, request_id: int):
    try:
        supervisor = _supervisor(token)
    except links.InvalidLink:
        return invalid_link()
    if not DoneForm().validate_on_submit():
        abort(400)
    try:
        supervision.mark_done(supervisor, request_id)
    except NotFound:
        abort(404)
    flash(_("C’est noté : la demande est marquée comme traitée."), "success")
    return redirect(url_for("supervisor.page", token=token) + "#demandes", 303)
