"""The 30-second debrief on the console once a session the moderator led is over (``domain.debriefs``).

A plain POST form (works without JavaScript); ``static/debrief.js`` sends the same form with
``Accept: application/json`` and says the answer in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, g, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf

from service import links
from service.domain import debriefs
from service.domain.audit import Actor
from service.domain.clock import now_utc
from service.domain.errors import DomainError
from service.errors import invalid_link, wants_json
from service.extensions import current_settings
from service.page_language import reader_language
from service.i18n import N_
from service.models import ActorKind, DebriefAnswer, GroupSession

CHOICES = (
    (DebriefAnswer.FINE, N_("Ça a bien été")),
    (DebriefAnswer.DEMANDING, N_("C’était exigeant")),
    (DebriefAnswer.TALK, N_("J’aimerais en parler")),
)
THANKS = {
    DebriefAnswer.FINE: N_("Merci! C’est noté."),
    DebriefAnswer.DEMANDING: N_("Merci de l’avoir dit. Prenez soin de vous; la communauté de pratique est là pour en "
                                "parler."),
    DebriefAnswer.TALK: N_("C’est noté : une personne superviseure recevra votre nom et votre adresse courriel pour "
                           "vous joindre. Rien d’autre n’est transmis."),
}


class DebriefForm(FlaskForm):
    answer = HiddenField(validators=[AnyOf([answer.value for answer, _label in CHOICES])])


@dataclass(frozen=True)
class DebriefState:
    applies: bool  # a session a member led (the partial is on the page; it shows once the session is over)
    answer: str | None
    form: DebriefForm


def debrief_state(session: GroupSession) -> DebriefState:
    """For the console template (a Jinja global): is there a debrief here, and what was answered."""
    applies = session.kind in debriefs.DEBRIEFED_KINDS and session.moderator_id is not None \
        and session.cancelled_at is None
    answer = debriefs.answer_for(session) if applies else None
    return DebriefState(applies, answer.value if answer else None, DebriefForm())


def submit(token: str):
    try:
        access = links.console_access(current_settings(), token, now_utc())
    except links.InvalidLink:
        return invalid_link()
    session = access.session
    g.page_language = session.language  # the console speaks the session's language (?lang= still wins)
    form = DebriefForm()
    if not form.validate_on_submit():
        return _answer(token, _("Cette action n’a pas pu être lue. La page est maintenant à jour."), "warning", 400)
    answer = DebriefAnswer(form.answer.data)
    actor = Actor(ActorKind.MODERATOR, access.member.id, session.group.organisation_id)
    try:
        debriefs.record_debrief(session, access.member, answer, actor)
    except DomainError as error:
        return _answer(token, " ".join(error.messages(reader_language())), "warning", 409)
    return _answer(token, _(THANKS[answer]), "success", 200, answer.value)


def _answer(token: str, message: str, category: str, status: int, answer: str | None = None):
    if wants_json():
        return jsonify(message=message, answer=answer), status
    flash(message, category)
    return redirect(url_for("moderator.console", token=token), 303)
