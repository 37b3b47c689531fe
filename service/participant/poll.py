"""The availability poll on the member's own page: one radio group per slot (``slot-<index>``: yes, if_need_be,
no), a plain form that works without JavaScript, changeable until the poll closes. The page shows this member's
own answers and nothing about anyone else's."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from service.domain import polls
from service.domain.clock import now_utc
from service.domain.errors import DomainError
from service.domain.poll_choice import Answer
from service.domain.poll_labels import day_label, moment_label, rhythm_label, slot_label
from service.errors import invalid_link
from service.models import Member, Poll, PollStatus
from service import links
from service.formatting import zone_name
from service.participant.controllers import _member

ANSWERS = (Answer.YES, Answer.IF_NEED_BE, Answer.NO)


class PollAnswerForm(FlaskForm):
    """Only the CSRF token: the slots' radio groups are read from the request (their number varies)."""


@dataclass(frozen=True)
class SlotChoice:
    index: int
    label: str
    chosen: str | None
    error: str | None


def _latest_poll(member: Member) -> Poll | None:
    found = polls.polls_of(member.group)
    return found[0] if found else None


def _choices(poll: Poll, member: Member, submitted: list[str | None] | None,
             errors: dict[str | None, list[str]]) -> list[SlotChoice]:
    own = submitted if submitted is not None else (polls.own_answers(poll, member) or [])
    return [SlotChoice(i, slot_label(slot, member.language), own[i] if i < len(own) else None,
                       " ".join(errors.get(f"slot-{i}", [])) or None)
            for i, slot in enumerate(polls.slots_of(poll))]


def _render(token: str, member: Member, poll: Poll | None, submitted=None, errors=None, general=None,
            status: int = 200):
    errors = errors or {}
    context = {"token": token, "poll": poll, "form": PollAnswerForm(), "general": general or [],
               "answers": ANSWERS}
    if poll is not None:
        state = polls.status_of(poll)
        context.update(
            state=state.value,
            slots=_choices(poll, member, submitted, errors),
            rhythm=rhythm_label(poll.interval_weeks, poll.occurrence_count, member.language),
            closes=moment_label(poll.closes_at, poll.group.timezone, member.language),
            answered=polls.own_answers(poll, member) is not None,
            decided=(slot_label(polls.slots_of(poll)[poll.decided_slot], member.language)
                     if state is PollStatus.DECIDED and poll.decided_slot is not None else None),
            first_date=(day_label(poll.series.first_date, member.language)
                        if state is PollStatus.DECIDED and poll.series is not None else None),
            zone=zone_name(poll.group.timezone, member.language),
        )
    return render_template("participant/poll.html", **context), status


def poll_page(token: str):
    try:
        member = _member(token)
    except links.InvalidLink:
        return invalid_link()
    return _render(token, member, _latest_poll(member))


def answer(token: str):
    try:
        member = _member(token)
    except links.InvalidLink:
        return invalid_link()
    poll = _latest_poll(member)
    if poll is None:
        return redirect(url_for("participant.poll_page", token=token), 303)
    form = PollAnswerForm()
    submitted = [request.form.get(f"slot-{i}") for i in range(len(poll.slots))]
    if not form.validate_on_submit():
        return _render(token, member, poll, submitted, general=[_("Cette action n’a pas pu être lue. Réessayez.")],
                       status=400)
    try:
        polls.answer(poll, member, submitted, now_utc())
    except DomainError as error:
        by_field = error.by_field(member.language)
        general = by_field.pop(None, [])
        keep = None if polls.status_of(poll) is not PollStatus.OPEN else submitted
        return _render(token, member, poll, keep, by_field, general, 422)
    flash(_("Merci! Vos réponses sont enregistrées. Vous pouvez les changer jusqu’à la fermeture du sondage."),
          "success")
    return redirect(url_for("participant.poll_page", token=token), 303)
