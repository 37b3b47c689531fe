"""The coordinator's poll pages: open a poll (pre-filled), follow its counts, remind once, decide or close."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from service.coordinator.forms import parse_date, parse_int, parse_time, place_errors
from service.coordinator.identity import actor, language, reach, reach_group
from service.coordinator.poll_forms import DecisionForm, OpenPollForm, PollActionForm
from service.domain import access, availability, overview, polls
from service.domain.clock import now_utc, to_local, to_utc
from service.domain.errors import DomainError
from service.domain.poll_choice import Slot
from service.domain.poll_labels import moment_label, rhythm_label, slot_label
from service.models import Group, Poll
from service.protocol import SessionKind


# The poll stays open a little after the kick-off: a meeting that runs late can still decide.
AFTER_KICKOFF = timedelta(hours=2)


def _default_closing(group: Group) -> datetime:
    """Shortly after the kick-off meeting if one is ahead (the group decides there), else a week from now."""
    now = now_utc()
    kickoffs = [v.session for v in overview.session_views(group) if v.session.kind is SessionKind.KICKOFF
                and v.session.ends_at > now]
    if kickoffs:
        return kickoffs[0].ends_at + AFTER_KICKOFF
    return to_utc(datetime.combine((now + timedelta(days=7)).date(), datetime.min.time().replace(hour=17)),
                  group.timezone)


def _prefill(form: OpenPollForm, group: Group) -> bool:
    suggestions, from_availability = availability.suggested_slots(group)
    for row, slot in zip(form.slot_rows, suggestions):
        row.form.weekday.data = str(slot.weekday)
        row.form.local_time.data = slot.local_time.strftime("%H:%M")
        row.form.duration_minutes.data = str(slot.duration_minutes)
    closing = to_local(_default_closing(group), group.timezone)
    form.closes_on.data = closing.date().isoformat()
    form.closes_time.data = closing.strftime("%H:%M")
    return from_availability


def _draft(form: OpenPollForm, group: Group) -> tuple[polls.PollDraft | None, dict[str, str]]:
    """The draft typed, and how the domain's slot numbers map to the form's rows (blank rows are skipped)."""
    slots, renames, complete = [], {}, True
    for row in form.slot_rows:
        fields = row.form
        if not fields.weekday.data and not (fields.local_time.data or "").strip():
            continue
        at = parse_time(fields.local_time)
        duration = parse_int(fields.duration_minutes, 30)
        if not fields.weekday.data:
            fields.weekday.errors = list(fields.weekday.errors or []) + [_("Choisissez un jour de la semaine.")]
        if at is None or duration is None or not fields.weekday.data:
            complete = False
            continue
        renames[f"slots-{len(slots)}-"] = f"{row.name}-"
        slots.append(Slot(int(fields.weekday.data), at, duration))
    count = parse_int(form.occurrence_count)
    day, at = parse_date(form.closes_on), parse_time(form.closes_time)
    if not complete or count is None or day is None or at is None:
        return None, renames
    closes_at = to_utc(datetime.combine(day, at), group.timezone)
    return polls.PollDraft(slots, int(form.interval_weeks.data or 1), count, closes_at), renames


def new_poll(group_id: int):
    group = reach_group(group_id)
    form = OpenPollForm()
    general: list[str] = []
    status = 200
    from_availability = False
    if form.is_submitted():
        status = 422
        if form.validate():
            draft, renames = _draft(form, group)
            if draft is not None:
                try:
                    poll = polls.open_poll(group, draft, actor())
                except DomainError as error:
                    general = place_errors(form, error, language(), renames=renames)
                else:
                    flash(_("Le sondage est ouvert : chaque membre reçoit son propre courriel avec son lien "
                            "personnel."), "success")
                    return redirect(url_for("coordinator.poll", group_id=group.id, poll_id=poll.id))
    else:
        form = OpenPollForm(formdata=None)
        from_availability = _prefill(form, group)
    return render_template("coordinator/poll_new.html", group=group, form=form, general_errors=general,
                           from_availability=from_availability, zone=group.timezone), status


def _poll_context(group: Group, poll: Poll, decision: DecisionForm | None = None):
    lang = language()
    counts = polls.counts(poll)
    slots = polls.slots_of(poll)
    state = polls.status_of(poll)
    if decision is None:
        decision = DecisionForm(formdata=None)
        lead = counts.leading if counts.leading is not None else 0
        decision.slot.data = str(lead)
        first = polls.default_first_date(poll, lead)
        decision.first_date.data = first.isoformat() if first else ""
    decision.slot.choices = [(str(i), slot_label(slots[i], lang)) for i in counts.ranking]
    return {
        "group": group, "poll": poll, "state": state.value, "counts": counts,
        "rows": [(i, slot_label(slots[i], lang), counts.tallies[i]) for i in counts.ranking],
        "rhythm": rhythm_label(poll.interval_weeks, poll.occurrence_count, lang),
        "closes": moment_label(poll.closes_at, group.timezone, lang),
        "decided": slot_label(slots[poll.decided_slot], lang) if poll.decided_slot is not None else None,
        "decision": decision, "action_form": PollActionForm(formdata=None),
    }


def poll_page(group_id: int, poll_id: int):
    group = reach_group(group_id)
    poll = reach(access.poll_for, group, poll_id)
    return render_template("coordinator/poll.html", **_poll_context(group, poll), general_errors=[])


def decide(group_id: int, poll_id: int):
    group = reach_group(group_id)
    poll = reach(access.poll_for, group, poll_id)
    form = DecisionForm()
    general: list[str] = []
    if form.validate_on_submit():
        first = parse_date(form.first_date)
        index = parse_int(form.slot)
        if first is not None and index is not None:
            try:
                series = polls.decide(poll, index, first, bool(form.supervisor_agreement.data), actor())
            except DomainError as error:
                general = place_errors(form, error, language())
            else:
                flash(_("C’est décidé : %(count)s rencontres sont planifiées. Chaque membre reçoit un court courriel "
                        "avec le choix du groupe, puis l’invitation pour la série.", count=len(series.sessions)),
                      "success")
                return redirect(url_for("coordinator.group", group_id=group.id) + "#rencontres")
    return render_template("coordinator/poll.html", **_poll_context(group, poll, form), general_errors=general), 422


def remind(group_id: int, poll_id: int):
    group = reach_group(group_id)
    poll = reach(access.poll_for, group, poll_id)
    if PollActionForm().validate_on_submit():
        try:
            sent = polls.send_reminder(poll, actor())
        except DomainError as error:
            flash(" ".join(error.messages(language())), "warning")
        else:
            flash(_("Le rappel part vers les %(count)s personnes qui n’ont pas encore répondu. Leurs noms ne sont "
                    "montrés à personne.", count=sent), "success")
    return redirect(url_for("coordinator.poll", group_id=group.id, poll_id=poll.id))


def close(group_id: int, poll_id: int):
    group = reach_group(group_id)
    poll = reach(access.poll_for, group, poll_id)
    if PollActionForm().validate_on_submit():
        try:
            polls.close_poll(poll, actor())
        except DomainError as error:
            flash(" ".join(error.messages(language())), "warning")
        else:
            flash(_("Le sondage est fermé, sans décision."), "success")
    return redirect(url_for("coordinator.poll", group_id=group.id, poll_id=poll.id))


def polls_of(group: Group) -> list[tuple[Poll, str, str]]:
    """The group page's list: each poll, its status and closing time, in the coordinator's language."""
    return [(p, polls.status_of(p).value, moment_label(p.closes_at, group.timezone, language()))
            for p in polls.polls_of(group)]

