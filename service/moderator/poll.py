"""The group's availability poll in the kick-off console's "modalities" step: live counts, the leading slot
first, and the decision. Counts only — the console never learns who answered what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import flash, jsonify, redirect, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField

from service import links
from service.domain import polls
from service.domain.clock import now_utc
from service.domain.errors import DomainError
from service.domain.poll_choice import Tally
from service.domain.poll_labels import rhythm_label, slot_label
from service.errors import invalid_link
from service.models import GroupSession, Poll
from service.page_language import reader_language
from service.protocol import SessionKind

# The step of the kick-off where the group agrees on its rhythm (see ``service.protocol.script.AGREEMENTS``).
AGREEMENTS_STEP = "agreements"


class PollDecisionForm(FlaskForm):
    slot = StringField()
    first_date = StringField()
    supervisor_agreement = BooleanField()


@dataclass(frozen=True)
class ConsolePoll:
    poll: Poll
    state: str
    rhythm: str
    rows: list[tuple[int, str, Tally]]  # leading slot first
    leading: int | None
    answered: int
    not_answered: int
    first_date: str
    decided: str | None
    form: PollDecisionForm

    def as_dict(self) -> dict:
        return {"state": self.state, "answered": self.answered, "not_answered": self.not_answered,
                "leading": self.leading,
                "rows": [{"slot": i, "label": label, "yes": t.yes, "if_need_be": t.if_need_be, "no": t.no}
                         for i, label, t in self.rows]}


def _poll_for(session: GroupSession) -> Poll | None:
    if session.kind is not SessionKind.KICKOFF:
        return None
    found = polls.polls_of(session.group)
    return found[0] if found else None


def console_poll(session: GroupSession, language: str) -> ConsolePoll | None:
    """``language``: the viewer's (the console's dates and times are in it)."""
    poll = _poll_for(session)
    if poll is None:
        return None
    counts = polls.counts(poll)
    slots = polls.slots_of(poll)
    first = polls.default_first_date(poll, counts.leading if counts.leading is not None else 0)
    return ConsolePoll(
        poll=poll, state=polls.status_of(poll).value,
        rhythm=rhythm_label(poll.interval_weeks, poll.occurrence_count, language),
        rows=[(i, slot_label(slots[i], language), counts.tallies[i]) for i in counts.ranking],
        leading=counts.leading, answered=counts.answered, not_answered=counts.not_answered,
        first_date=first.isoformat() if first else "",
        decided=slot_label(slots[poll.decided_slot], language) if poll.decided_slot is not None else None,
        form=PollDecisionForm(formdata=None),
    )


def counts(token: str):
    """The live counts, for the console's script (a few hundred bytes; asked only while the step is on screen)."""
    from service.moderator.controllers import _access

    try:
        access = _access(token)
    except links.InvalidLink:
        return jsonify(error={"status": 410, "code": "link_invalid"}), 410
    view = console_poll(access.session, reader_language())
    if view is None:
        return jsonify(poll=None)
    response = jsonify(poll=view.as_dict())
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _parsed(form: PollDecisionForm) -> tuple[int, date] | None:
    try:
        return int(form.slot.data or ""), date.fromisoformat(form.first_date.data or "")
    except ValueError:
        return None


def decide(token: str):
    from service.moderator.controllers import _access, _actor, _render

    try:
        access = _access(token)
    except links.InvalidLink:
        return invalid_link()
    poll = _poll_for(access.session)
    form = PollDecisionForm()
    if poll is None or not form.validate_on_submit():
        return _render(token, access, notice=_("Cette action n’a pas pu être lue. La page est maintenant à jour."),
                       status=400)
    parsed = _parsed(form)
    if parsed is None:
        return _render(token, access, notice=_("Choisissez un moment et la date de la première rencontre."),
                       status=422)
    try:
        series = polls.decide(poll, parsed[0], parsed[1], bool(form.supervisor_agreement.data), _actor(access),
                              now_utc())
    except DomainError as error:
        return _render(token, access, notice=" ".join(error.messages(reader_language())), status=422)
    flash(_("C’est décidé : %(count)s rencontres sont planifiées. Chaque membre reçoit un court courriel avec le "
            "choix du groupe, puis son invitation.", count=len(series.sessions)), "success")
    return redirect(url_for("moderator.console", token=token) + "#poll", 303)
