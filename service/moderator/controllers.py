"""The console's pages and controls. Each control is a plain POST form (it works without JavaScript); the page's
script sends the same forms with ``Accept: application/json`` and re-reads the state from the answer."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from service import links
from service.domain import live
from service.domain.audit import Actor
from service.domain.clock import now_utc
from service.domain.errors import DomainError
from service.errors import invalid_link, wants_json
from service.extensions import current_settings
from service.page_language import reader_language
from service.models import ActorKind, GroupSession
from service.moderator import polling
from service.moderator.forms import ControlForm, FollowUpForm
from service.moderator.poll import console_poll
from service.moderator.state import end_times, plan_version, snapshot
from service.moderator.view import SOON, console_view


def _access(token: str) -> links.ConsoleAccess:
    access = links.console_access(current_settings(), token, now_utc())
    g.page_language = access.session.language  # the console speaks the session's language (?lang= still wins)
    return access


def _actor(access: links.ConsoleAccess) -> Actor:
    return Actor(ActorKind.MODERATOR, access.member.id, access.session.group.organisation_id)


def console(token: str):
    try:
        access = _access(token)
    except links.InvalidLink:
        return invalid_link()
    return _render(token, access)


def _render(token: str, access: links.ConsoleAccess, notice: str | None = None, status: int = 200):
    view = console_view(access.session, now_utc(), current_settings(), reader_language())
    control_form = ControlForm(plan_version=view.plan_version)
    follow_up_form = FollowUpForm(needed="0" if access.session.follow_up_needed else "1")
    return render_template("moderator/console.html", view=view, token=token, form=control_form,
                           follow_up_form=follow_up_form, notice=notice, soon_seconds=SOON,
                           console_poll=console_poll(access.session, reader_language())), status


def revision(token: str):
    """Has anything changed? Answers 304 to an ``If-None-Match`` that still holds, without the database."""
    try:
        answer = polling.poll(current_settings(), token, now_utc())
    except links.InvalidLink:
        return jsonify(error={"status": 410, "code": "link_invalid"}), 410
    if request.if_none_match.contains(answer.etag):
        response = Response(status=304)
    else:
        response = jsonify(revision=answer.revision)
    response.set_etag(answer.etag)
    return response


def state(token: str):
    try:
        access = _access(token)
    except links.InvalidLink:
        return jsonify(error={"status": 410, "code": "link_invalid"}), 410
    response = jsonify(snapshot(access.session, now_utc(), reader_language()))
    response.set_etag(polling.Poll(access.session.id, access.session.revision).etag)
    return response


def _control(token: str, change: Callable, done: LazyString | Callable[[GroupSession], str]):
    """Apply one live change, unless the page it came from is out of date (409: it is then shown afresh).

    ``done`` is lazy: it is put into words once the link has told which language the console speaks."""
    try:
        access = _access(token)
    except links.InvalidLink:
        return invalid_link()
    session = access.session
    form = ControlForm()
    if not form.validate_on_submit():
        return _refused(token, access, _("Cette action n’a pas pu être lue. La page est maintenant à jour."), 400)
    if form.plan_version.data != plan_version(session):
        return _refused(token, access, _("Le déroulement vient de changer (peut-être un double clic) : rien "
                                         "n’a été refait. Vérifiez la page à jour, puis réessayez au besoin."), 409)
    try:
        change(session, _actor(access))
    except DomainError as error:
        return _refused(token, access, " ".join(error.messages(reader_language())), 409)
    return _done(token, access, str(done) if isinstance(done, LazyString) else done(session))


def _refused(token: str, access: links.ConsoleAccess, message: str, status: int):
    if wants_json():
        state = snapshot(access.session, now_utc(), reader_language())
        return jsonify(error={"status": status, "message": message}, state=state), status
    return _render(token, access, notice=message, status=status)


def _done(token: str, access: links.ConsoleAccess, message: str):
    if wants_json():
        return jsonify(message=message, state=snapshot(access.session, now_utc(), reader_language()))
    flash(message, "success")
    return redirect(url_for("moderator.console", token=token), 303)


def start(token: str):
    return _control(token, lambda session, actor: live.started(session, now_utc(), actor),
                    _l("C’est noté : le déroulement repart de maintenant."))


def extra_time(token: str):
    return _control(token, lambda session, actor: live.add_time(session, actor),
                    _with_end_news(_l("2 minutes de plus pour l’étape en cours.")))


def next_step(token: str):
    return _control(token, lambda session, actor: live.next_step_now(session, actor),
                    _with_end_news(_l("C’est parti pour l’étape suivante.")))


def _with_end_news(done: LazyString) -> Callable[[GroupSession], str]:
    """The change's message, then where the end now stands (a session cut short by skipping ahead says so)."""

    def message(session: GroupSession) -> str:
        times = end_times(session, now_utc(), reader_language())
        if times["end_moved"]:
            news = _("Fin maintenant prévue à %(end)s (au lieu de %(planned)s).", end=times["ends_label"],
                     planned=times["planned_end_label"])
        else:
            news = _("Fin prévue à %(end)s.", end=times["ends_label"])
        return f"{done} {news}"

    return message


def keep_end(token: str):
    return _control(token, lambda session, actor: live.keep_planned_end(session, actor),
                    _l("C’est noté : les étapes qui restent se partagent le temps jusqu’à l’heure prévue."))


def close(token: str):
    return _control(token, lambda session, actor: live.close_with_key_message(session, actor),
                    _l("Le message clé est publié; la rencontre se termine après son temps. Merci d’avoir animé!"))


def end(token: str):
    return _control(token, lambda session, actor: live.ended(session, now_utc(), actor),
                    _l("La rencontre est terminée. Merci d’avoir animé!"))


def follow_up(token: str):
    try:
        access = _access(token)
    except links.InvalidLink:
        return invalid_link()
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _refused(token, access, _("Cette action n’a pas pu être lue. La page est maintenant à jour."), 400)
    needed = form.needed.data == "1"
    try:
        live.flag_follow_up(access.session, needed, _actor(access))
    except DomainError as error:
        return _refused(token, access, " ".join(error.messages(reader_language())), 409)
    if needed:
        return _done(token, access, _("C’est noté : la personne coordonnatrice saura qu’un suivi est souhaité, "
                                      "sans aucun détail."))
    return _done(token, access, _("C’est noté : la demande de suivi est retirée."))
