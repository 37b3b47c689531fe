"""Availability polls: the group chooses its own rhythm (« fréquence, horaire... déterminés par chaque groupe »).

A coordinator opens a poll with 2 to 12 weekly candidate slots; each member answers on their own page
(yes / if need be / no per slot) until it closes; the moderator of the kick-off (or the coordinator) decides,
which schedules the series through ``scheduling.schedule_series`` — the same path as a series typed by hand.

Privacy: one person's answers are read for their own form only. Everything else (pages, API, e-mails, audit)
gets counts. A member who leaves takes their answers with them; once a poll is decided or closed, its counts are
frozen and the answers erased after :data:`ANSWER_RETENTION`.

The arithmetic (counts, the leading slot, suggestions) and the daylight-saving check are pure
(``poll_choice``, and ``occurrences`` for the daylight-saving checks scheduling makes too); this module loads, calls them, and saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import delete, select, update

from service.domain import poll_letters, scheduling
from service.domain.audit import Actor, record
from service.domain.clock import now_utc, weekly_dates
from service.domain.errors import DomainError, Violation, refuse
from service.domain.occurrences import LocalTimeIssue, occurrences
from service.domain.poll_choice import Answer, Slot, Tally, leading_slot, ranking, tally
from service.extensions import db
from service.formatting import Day, WallTime
from service.i18n import N_
from service.models import (
    ActorKind,
    Group,
    GroupStatus,
    Member,
    MemberRole,
    MemberStatus,
    Poll,
    PollLetterKind,
    PollResponse,
    PollStatus,
    SessionSeries,
)
from service.protocol import DURATION_RULES, SessionKind

MIN_SLOTS, MAX_SLOTS = 2, 12
MAX_OCCURRENCES = scheduling.MAX_OCCURRENCES
# The service's own reminder goes this long before closing, once, to those who have not answered.
AUTO_REMINDER_BEFORE = timedelta(hours=48)
# Once decided or closed, answers are kept this long (a decision can be questioned the next day), then erased.
ANSWER_RETENTION = timedelta(days=2)
# A poll closes within this horizon at most (a typing mistake otherwise).
LONGEST_POLL = timedelta(days=120)


@dataclass(frozen=True)
class PollDraft:
    slots: Sequence[Slot]
    interval_weeks: int
    occurrence_count: int
    closes_at: datetime  # aware


@dataclass(frozen=True)
class PollCounts:
    """What anyone but the person answering may know: counts per slot, and how many answered."""

    tallies: list[Tally]
    answered: int
    not_answered: int
    ranking: list[int]
    leading: int | None


def slots_of(poll: Poll) -> list[Slot]:
    return [Slot(s["weekday"], time.fromisoformat(s["local_time"]), s["duration_minutes"]) for s in poll.slots]


def _slot_json(slot: Slot) -> dict:
    return {"weekday": slot.weekday, "local_time": slot.local_time.strftime("%H:%M"),
            "duration_minutes": slot.duration_minutes}


def status_of(poll: Poll, now: datetime | None = None) -> PollStatus:
    """The poll's status as of ``now``: an open poll past its closing time is closed (the sweep records it)."""
    if poll.status is PollStatus.OPEN and poll.closes_at <= (now or now_utc()):
        return PollStatus.CLOSED
    return poll.status


def series_dates(slot: Slot, start: date, interval_weeks: int, occurrence_count: int) -> list[date]:
    """The dates a series on ``slot`` would have, from the first of its weekday on or after ``start``."""
    first = start + timedelta(days=(slot.python_weekday - start.weekday()) % 7)
    return weekly_dates(first, interval_weeks, occurrence_count, None, MAX_OCCURRENCES)


def _dst_violations(slot: Slot, days: list[date], zone: str, field: str) -> list[Violation]:
    problems = [found for found in occurrences(days, slot.local_time, zone) if found.issue is not None]
    if not problems:
        return []
    first = problems[0]
    if first.issue is LocalTimeIssue.NONEXISTENT:
        message = N_("À %(time)s, le %(date)s, cette heure n’existe pas (passage à l’heure avancée) : choisissez "
                     "une autre heure.")
        code = "local_time_nonexistent"
    else:
        message = N_("À %(time)s, le %(date)s, cette heure existe deux fois (retour à l’heure normale) : "
                     "choisissez une autre heure.")
        code = "local_time_ambiguous"
    return [Violation(code, message, field, {"time": WallTime(slot.local_time), "date": Day(first.day)})]


def check_draft(group: Group, draft: PollDraft, now: datetime) -> list[Violation]:
    violations: list[Violation] = []
    if group.status is not GroupStatus.ACTIVE:
        violations.append(Violation("group_deleted", N_("Ce groupe est en cours de suppression.")))
    if not MIN_SLOTS <= len(draft.slots) <= MAX_SLOTS:
        violations.append(Violation("slot_count", N_("Proposez de %(min)s à %(max)s moments."), "slots",
                                    {"min": MIN_SLOTS, "max": MAX_SLOTS}))
    if draft.interval_weeks not in scheduling.INTERVALS:
        violations.append(Violation("interval_invalid", N_("Choisissez « chaque semaine » ou « aux deux semaines »."),
                                    "interval_weeks"))
    if not 1 <= draft.occurrence_count <= MAX_OCCURRENCES:
        violations.append(Violation("occurrence_count_out_of_range", N_("Une série compte de 1 à %(max)s rencontres."),
                                    "occurrence_count", {"max": MAX_OCCURRENCES}))
    if draft.closes_at <= now:
        violations.append(Violation("closes_in_past", N_("La date de fermeture du sondage est déjà passée : "
                                                         "choisissez une date à venir."), "closes_at"))
    elif draft.closes_at > now + LONGEST_POLL:
        violations.append(Violation("closes_too_late", N_("Un sondage reste ouvert au plus %(days)s jours."),
                                    "closes_at", {"days": LONGEST_POLL.days}))
    rule = DURATION_RULES[SessionKind.REGULAR]
    seen: set[tuple[int, time]] = set()
    for index, slot in enumerate(draft.slots[:MAX_SLOTS]):
        field = f"slots-{index}"
        if not 1 <= slot.weekday <= 7:
            violations.append(Violation("weekday_invalid", N_("Choisissez un jour de la semaine."), f"{field}-weekday"))
            continue
        if not rule.accepts(slot.duration_minutes):
            violations.append(Violation("duration_out_of_range", N_("Cette rencontre dure de %(min)s à %(max)s "
                                                                    "minutes."), f"{field}-duration_minutes",
                                        {"min": rule.minimum_minutes, "max": rule.maximum_minutes}))
        if (slot.weekday, slot.local_time) in seen:
            violations.append(Violation("slot_duplicated", N_("Ce moment est déjà proposé plus haut."),
                                        f"{field}-local_time"))
        seen.add((slot.weekday, slot.local_time))
        if draft.closes_at > now and 1 <= draft.occurrence_count <= MAX_OCCURRENCES and draft.interval_weeks in (1, 2):
            days = series_dates(slot, draft.closes_at.date(), draft.interval_weeks, draft.occurrence_count)
            violations += _dst_violations(slot, days, group.timezone, f"{field}-local_time")
    return violations


def open_poll(group: Group, draft: PollDraft, actor: Actor, now: datetime | None = None) -> Poll:
    """Open the poll and write each member's invitation to answer (sent by the worker after the commit)."""
    now = now or now_utc()
    violations = check_draft(group, draft, now)
    if violations:
        raise DomainError(violations)
    poll = Poll(group_id=group.id, slots=[_slot_json(s) for s in draft.slots], interval_weeks=draft.interval_weeks,
                occurrence_count=draft.occurrence_count, closes_at=draft.closes_at, status=PollStatus.OPEN)
    db.session.add(poll)
    db.session.flush()
    letters = poll_letters.write(poll, PollLetterKind.INVITATION, _participant_ids(group.id))
    record(actor, "poll.opened", "poll", poll.id, slots=len(draft.slots), letters=letters)
    db.session.commit()
    return poll


def polls_of(group: Group) -> list[Poll]:
    return list(db.session.execute(select(Poll).where(Poll.group_id == group.id).order_by(Poll.id.desc())).scalars())


def open_poll_for(group_id: int, now: datetime | None = None) -> Poll | None:
    """The group's poll still open for answers, if any (the latest)."""
    polls = db.session.execute(
        select(Poll).where(Poll.group_id == group_id, Poll.status == PollStatus.OPEN).order_by(Poll.id.desc())
    ).scalars()
    return next((p for p in polls if status_of(p, now) is PollStatus.OPEN), None)


def _participant_ids(group_id: int) -> list[int]:
    """The members a poll is for: active, and who said yes to being contacted (consent before contact)."""
    return list(db.session.execute(
        select(Member.id).where(Member.group_id == group_id, Member.status == MemberStatus.ACTIVE,
                                Member.role == MemberRole.MEMBER, Member.consent_at.is_not(None))
    ).scalars())


def _live_answers(poll: Poll) -> tuple[list[list[str]], int, set[int]]:
    """Every current member's answers (anonymous lists), the number of members, and who answered (ids)."""
    members = _participant_ids(poll.group_id)
    rows = db.session.execute(
        select(PollResponse.member_id, PollResponse.choices)
        .where(PollResponse.poll_id == poll.id, PollResponse.member_id.in_(members))
    ).all() if members else []
    return [choices for _, choices in rows], len(members), {member_id for member_id, _ in rows}


def counts(poll: Poll) -> PollCounts:
    if poll.final_counts is not None:
        tallies = [Tally(**t) for t in poll.final_counts["tallies"]]
        answered, not_answered = poll.final_counts["answered"], poll.final_counts["not_answered"]
    else:
        answers, members, _ = _live_answers(poll)
        tallies = tally(answers, len(poll.slots))
        answered, not_answered = len(answers), members - len(answers)
    return PollCounts(tallies, answered, not_answered, ranking(tallies), leading_slot(tallies))


def _freeze_counts(poll: Poll) -> None:
    current = counts(poll)
    poll.final_counts = {"tallies": [{"yes": t.yes, "if_need_be": t.if_need_be, "no": t.no} for t in current.tallies],
                         "answered": current.answered, "not_answered": current.not_answered}


def own_answers(poll: Poll, member: Member) -> list[str] | None:
    """This member's own answers, for their own form only."""
    return db.session.execute(
        select(PollResponse.choices).where(PollResponse.poll_id == poll.id, PollResponse.member_id == member.id)
    ).scalar_one_or_none()


def check_answers(poll: Poll, choices: Sequence[str | None]) -> list[Violation]:
    valid = {a.value for a in Answer}
    return [Violation("answer_missing", N_("Choisissez « Oui », « Si nécessaire » ou « Non » pour ce moment."),
                      f"slot-{index}")
            for index in range(len(poll.slots))
            if index >= len(choices) or choices[index] not in valid]


def answer(poll: Poll, member: Member, choices: Sequence[str | None], now: datetime | None = None) -> None:
    """Record (or change) a member's answers while the poll is open. Nothing changes when anything is refused."""
    now = now or now_utc()
    if member.group_id != poll.group_id or member.status is not MemberStatus.ACTIVE \
            or member.role is not MemberRole.MEMBER:
        raise refuse("not_in_group", N_("Ce sondage concerne un autre groupe."))
    if status_of(poll, now) is not PollStatus.OPEN:
        raise refuse("poll_closed", N_("Ce sondage est fermé : les réponses ne peuvent plus changer. Vos réponses "
                                       "déjà données restent comptées."))
    violations = check_answers(poll, choices)
    if violations:
        raise DomainError(violations)
    wanted = [str(c) for c in choices[: len(poll.slots)]]
    response = db.session.execute(
        select(PollResponse).where(PollResponse.poll_id == poll.id, PollResponse.member_id == member.id)
    ).scalar_one_or_none()
    if response is None:
        db.session.add(PollResponse(poll_id=poll.id, member_id=member.id, choices=wanted))
    else:
        response.choices = wanted
    record(_member_actor(member), "poll.answered", "poll", poll.id)
    db.session.commit()


def _member_actor(member: Member) -> Actor:
    return Actor(ActorKind.MEMBER, member.id, member.group.organisation_id)


def _claim_flag(poll_id: int, column, now: datetime) -> bool:
    """Set a reminder flag if nobody set it yet: one conditional UPDATE, so only one caller ever wins."""
    result = db.session.execute(
        update(Poll).where(Poll.id == poll_id, column.is_(None), Poll.status == PollStatus.OPEN,
                           Poll.closes_at > now)
        .values({column.key: now}).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _non_respondents(poll: Poll) -> list[int]:
    _, _, answered = _live_answers(poll)
    return [member_id for member_id in _participant_ids(poll.group_id) if member_id not in answered]


def send_reminder(poll: Poll, actor: Actor, now: datetime | None = None) -> int:
    """The coordinator's one reminder, to the members who have not answered (nobody is told who they are)."""
    now = now or now_utc()
    if status_of(poll, now) is not PollStatus.OPEN:
        raise refuse("poll_closed", N_("Ce sondage est fermé."))
    if poll.manual_reminder_at is not None or not _claim_flag(poll.id, Poll.manual_reminder_at, now):
        db.session.rollback()
        raise refuse("reminder_already_sent", N_("Le rappel de ce sondage a déjà été envoyé : un seul par sondage."))
    letters = poll_letters.write(poll, PollLetterKind.REMINDER, _non_respondents(poll))
    record(actor, "poll.reminded", "poll", poll.id, letters=letters)
    db.session.commit()
    db.session.refresh(poll)
    return letters


def send_due_auto_reminders(now: datetime | None = None) -> int:
    """For the sweep: 48 h before closing, once per poll, a reminder to those who have not answered.

    Only polls opened more than 48 h before their closing get it (the others just received the invitation)."""
    now = now or now_utc()
    candidates = db.session.execute(
        select(Poll).where(Poll.status == PollStatus.OPEN, Poll.auto_reminder_at.is_(None), Poll.closes_at > now,
                           Poll.closes_at <= now + AUTO_REMINDER_BEFORE)
    ).scalars().all()
    sent = 0
    for poll in candidates:
        if poll.created_at > poll.closes_at - AUTO_REMINDER_BEFORE:
            continue
        if not _claim_flag(poll.id, Poll.auto_reminder_at, now):
            db.session.rollback()
            continue
        letters = poll_letters.write(poll, PollLetterKind.AUTO_REMINDER, _non_respondents(poll))
        record(Actor.system(), "poll.reminded", "poll", poll.id, organisation_id=poll.group.organisation_id,
               letters=letters, automatic=True)
        db.session.commit()
        sent += letters
    return sent


def close_due_polls(now: datetime | None = None) -> int:
    """For the sweep: polls past their closing time become closed, their counts frozen."""
    now = now or now_utc()
    due = db.session.execute(
        select(Poll).where(Poll.status == PollStatus.OPEN, Poll.closes_at <= now)
    ).scalars().all()
    for poll in due:
        _freeze_counts(poll)
        poll.status, poll.ended_at = PollStatus.CLOSED, now
    db.session.commit()
    return len(due)


def close_poll(poll: Poll, actor: Actor, now: datetime | None = None) -> None:
    """The coordinator closes a poll without deciding (e.g. to open another)."""
    now = now or now_utc()
    if poll.status is not PollStatus.OPEN:
        raise refuse("poll_not_open", N_("Ce sondage est déjà décidé ou fermé."))
    _freeze_counts(poll)
    poll.status, poll.ended_at = PollStatus.CLOSED, now
    record(actor, "poll.closed", "poll", poll.id)
    db.session.commit()


def decide(poll: Poll, slot_index: int, first_date: date, supervisor_agreement: bool, actor: Actor,
           now: datetime | None = None) -> SessionSeries:
    """The group's choice: schedule the series on that slot (Zoom meeting, invitations, prompts, console, as any
    series), close the poll, and tell every member in one short e-mail (written before the invitations)."""
    now = now or now_utc()
    status = status_of(poll, now)
    if status is PollStatus.DECIDED:
        raise refuse("poll_already_decided", N_("Ce sondage est déjà décidé : la série est planifiée."))
    if status is PollStatus.CLOSED:
        raise refuse("poll_closed", N_("Ce sondage est fermé : il ne peut plus être décidé. Ouvrez-en un nouveau "
                                       "ou planifiez la série vous-même."))
    slots = slots_of(poll)
    if not 0 <= slot_index < len(slots):
        raise refuse("slot_unknown", N_("Choisissez l’un des moments proposés."), "slot")
    slot = slots[slot_index]
    violations = []
    if first_date.isoweekday() != slot.weekday:
        violations.append(Violation("first_date_weekday", N_("La date de la première rencontre doit tomber le même "
                                                             "jour de la semaine que le moment choisi."),
                                    "first_date"))
    else:
        days = weekly_dates(first_date, poll.interval_weeks, poll.occurrence_count, None, MAX_OCCURRENCES)
        violations += _dst_violations(slot, days, poll.group.timezone, "first_date")
    if violations:
        raise DomainError(violations)
    plan = scheduling.SeriesPlan(first_date=first_date, local_time=slot.local_time,
                                 duration_minutes=slot.duration_minutes, interval_weeks=poll.interval_weeks,
                                 occurrence_count=poll.occurrence_count)
    _freeze_counts(poll)
    poll.status, poll.decided_slot, poll.ended_at = PollStatus.DECIDED, slot_index, now
    # The decision e-mail is enqueued first, in the same commit as the series: it leaves before the invitations,
    # which also wait for the Zoom link.
    letters = poll_letters.write(poll, PollLetterKind.DECISION, _participant_ids(poll.group_id))

    def link(series: SessionSeries) -> None:
        poll.series_id = series.id
        record(actor, "poll.decided", "poll", poll.id, slot=slot_index, letters=letters, series=series.id)

    try:
        return scheduling.schedule_series(poll.group, plan, actor, supervisor_agreement=supervisor_agreement, now=now,
                                          before_commit=link)
    except DomainError:
        db.session.rollback()  # the poll stays open, answers and all
        raise


def member_can_answer(member: Member, now: datetime | None = None) -> None:
    """A member who joins (or confirms) while a poll is open is invited to answer it too. No commit."""
    if member.consent_at is None or member.role is not MemberRole.MEMBER:
        return
    poll = open_poll_for(member.group_id, now)
    if poll is not None:
        poll_letters.write(poll, PollLetterKind.INVITATION, [member.id])


def member_left(member: Member) -> None:
    """A member who leaves takes their answers with them (the counts no longer include them). No commit."""
    db.session.execute(delete(PollResponse).where(PollResponse.member_id == member.id))
    poll_letters.drop_pending_for(member.id)


def erase_spent_answers(now: datetime | None = None) -> int:
    """For the sweep: answers of polls decided or closed more than :data:`ANSWER_RETENTION` ago are erased; their
    frozen counts stay."""
    now = now or now_utc()
    spent = list(db.session.execute(
        select(Poll.id).where(Poll.status != PollStatus.OPEN, Poll.answers_erased_at.is_(None),
                              Poll.ended_at < now - ANSWER_RETENTION)
    ).scalars())
    if spent:
        db.session.execute(delete(PollResponse).where(PollResponse.poll_id.in_(spent)))
        db.session.execute(update(Poll).where(Poll.id.in_(spent)).values(answers_erased_at=now)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return len(spent)


def default_first_date(poll: Poll, slot_index: int | None, now: datetime | None = None) -> date | None:
    """The first date a decision would propose: the slot's next weekday after today (in the group's zone)."""
    from service.domain.clock import to_local

    if slot_index is None or not 0 <= slot_index < len(poll.slots):
        return None
    today = to_local(now or now_utc(), poll.group.timezone).date()
    slot = slots_of(poll)[slot_index]
    return today + timedelta(days=(slot.python_weekday - today.weekday() - 1) % 7 + 1)
