"""E-mails about a poll: each member their own, in their language, naming nobody else.

Rows (``poll_letters``) are the truth: one per member and kind at most (a unique key), written in the same
transaction as the change that calls for them, sent by the worker after the commit (``worker.jobs.polls``),
claimed before sending (two workers never send the same one), retried by the sweep after a temporary failure.
A letter to a member who left, or a reminder to someone who answered meanwhile, is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import and_, insert, or_, select, update

from calendars.imip import message_id
from config import Settings
from integrations.mail import MailError, MailTransport, PermanentMailError, transport_from_settings
from service import links, mail_templates
from service.domain.clock import now_utc
from service.domain.poll_choice import Slot
from service.domain.poll_labels import day_label, moment_label, rhythm_label, slot_label
from service.effects import after_commit
from service.extensions import current_settings, db
from service.i18n import N_, gettext
from service.models import (
    GroupStatus,
    Member,
    MemberStatus,
    Poll,
    PollLetter,
    PollLetterKind,
    PollLetterStatus,
    PollResponse,
)

log = logging.getLogger(__name__)

RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 8
STALE_AFTER = timedelta(minutes=15)
SWEEP_BATCH = 500

SUBJECTS = {
    PollLetterKind.INVITATION: N_("Quand nous rencontrer? Donnez vos disponibilités"),
    PollLetterKind.REMINDER: N_("Rappel : quand nous rencontrer? Donnez vos disponibilités"),
    PollLetterKind.AUTO_REMINDER: N_("Rappel : le sondage ferme bientôt"),
    PollLetterKind.DECISION: N_("Le groupe a choisi son horaire"),
}
PRIVACY = N_("Vos réponses restent privées : personne, ni les autres membres ni la personne coordonnatrice, ne voit "
             "ce que vous avez répondu. On voit seulement, pour chaque moment, combien de personnes ont répondu "
             "oui, si nécessaire ou non.")


def write(poll: Poll, kind: PollLetterKind, member_ids: Iterable[int]) -> int:
    """One row per member (never two of a kind), sent once the caller's transaction commits. Returns how many."""
    ids = sorted(set(member_ids))
    if not ids:
        return 0
    already = set(db.session.execute(
        select(PollLetter.member_id).where(PollLetter.poll_id == poll.id, PollLetter.kind == kind)
    ).scalars())
    rows = [{"poll_id": poll.id, "member_id": member_id, "kind": kind, "status": PollLetterStatus.PENDING}
            for member_id in ids if member_id not in already]
    if not rows:
        return 0
    new_ids = list(db.session.execute(insert(PollLetter).returning(PollLetter.id), rows).scalars())
    from worker import queues

    after_commit(db.session(), lambda pipe: queues.enqueue_poll_letters(new_ids, pipe))
    return len(new_ids)


def drop_pending_for(member_id: int) -> None:
    db.session.execute(update(PollLetter).where(PollLetter.member_id == member_id,
                                                PollLetter.status == PollLetterStatus.PENDING)
                       .values(status=PollLetterStatus.DROPPED).execution_options(synchronize_session=False))


def _claim(letter_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(PollLetter).where(PollLetter.id == letter_id, PollLetter.status == PollLetterStatus.PENDING)
        .values(status=PollLetterStatus.SENDING, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _finish(letter: PollLetter, status: PollLetterStatus, **values: object) -> str:
    letter.status = status
    for name, value in values.items():
        setattr(letter, name, value)
    db.session.commit()
    return status.value


def _no_longer_needed(letter: PollLetter) -> str | None:
    member = letter.member
    if member is None or member.status is not MemberStatus.ACTIVE:
        return "the member left"
    if letter.poll.group.status is not GroupStatus.ACTIVE:
        return "the group is being deleted"
    if letter.kind in (PollLetterKind.REMINDER, PollLetterKind.AUTO_REMINDER):
        answered = db.session.execute(select(PollResponse.id).where(
            PollResponse.poll_id == letter.poll_id, PollResponse.member_id == letter.member_id)).first()
        if answered is not None:
            return "answered meanwhile"
    return None


def deliver(letter_id: int, transport: MailTransport | None = None, now: datetime | None = None) -> str:
    """Send one row if it is still pending. Returns the outcome (``sent``, ``dropped``, ``pending``...)."""
    now = now or now_utc()
    if not _claim(letter_id, now):
        return "not_claimed"
    letter = db.session.get(PollLetter, letter_id)
    assert letter is not None
    reason = _no_longer_needed(letter)
    if reason is not None:
        log.info("poll letter %s not sent: %s", letter.id, reason)
        return _finish(letter, PollLetterStatus.DROPPED)
    settings = current_settings()
    message = compose(letter, settings, now)
    db.session.commit()
    try:
        (transport or transport_from_settings(settings)).send(message)
    except MailError as error:
        letter = db.session.get(PollLetter, letter_id)
        letter.attempts += 1
        if isinstance(error, PermanentMailError) or letter.attempts >= MAX_ATTEMPTS:
            log.warning("poll letter %s failed (member %s): %s", letter.id, letter.member_id, error.reason)
            return _finish(letter, PollLetterStatus.FAILED, last_error=error.reason[:500])
        log.info("poll letter %s: temporary failure (%s), retried by the sweep", letter.id, error.reason)
        return _finish(letter, PollLetterStatus.PENDING, last_error=error.reason[:500], claimed_at=None)
    letter = db.session.get(PollLetter, letter_id)
    letter.attempts += 1
    log.info("poll letter %s sent (member %s, %s)", letter.id, letter.member_id, letter.kind.value)
    return _finish(letter, PollLetterStatus.SENT, sent_at=now, last_error=None)


def letters_to_retry(now: datetime | None = None) -> list[int]:
    """For the sweep: rows left ``sending`` by a dead worker go back to pending; pending rows untouched for a while
    (a temporary failure, or an enqueue lost) are returned to be enqueued again."""
    now = now or now_utc()
    db.session.execute(
        update(PollLetter).where(PollLetter.status == PollLetterStatus.SENDING, PollLetter.claimed_at < now - STALE_AFTER)
        .values(status=PollLetterStatus.PENDING, claimed_at=None).execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.execute(
        select(PollLetter.id).where(PollLetter.status == PollLetterStatus.PENDING,
                                    or_(PollLetter.updated_at <= now - RETRY_AFTER,
                                        and_(PollLetter.attempts == 0, PollLetter.created_at <= now - RETRY_AFTER)))
        .order_by(PollLetter.id).limit(SWEEP_BATCH)
    ).scalars())


# --- the words -------------------------------------------------------------------------------------------------

def _poll_url(settings: Settings, member: Member) -> str:
    return f"{links.participant_url(settings, member)}/sondage"


@dataclass(frozen=True)
class PollLetterView:
    """What one member's poll e-mail says, as plain values (``service/templates/mail/poll.*``)."""

    language: str
    kind: str  # invitation, reminder, auto_reminder, decision
    name: str
    rhythm: str
    slots: tuple[str, ...]  # the proposed times, in the group's time
    answer_url: str  # the member's own poll page
    closes: str
    participant_url: str
    chosen: str | None = None  # a decision: the time chosen...
    first_date: str | None = None  # ...and the first session's day


def view_of(letter: PollLetter, settings: Settings) -> PollLetterView:
    from service.domain.polls import slots_of

    member, poll = letter.member, letter.poll
    language = member.language
    slots: list[Slot] = slots_of(poll)
    chosen = slots[poll.decided_slot] if letter.kind is PollLetterKind.DECISION and poll.decided_slot is not None \
        else None
    series = poll.series if letter.kind is PollLetterKind.DECISION else None
    return PollLetterView(
        language=language, kind=letter.kind.value, name=member.display_name,
        rhythm=rhythm_label(poll.interval_weeks, poll.occurrence_count, language),
        slots=tuple(slot_label(slot, language) for slot in slots), answer_url=_poll_url(settings, member),
        closes=moment_label(poll.closes_at, poll.group.timezone, language),
        participant_url=links.participant_url(settings, member),
        chosen=slot_label(chosen, language) if chosen is not None else None,
        first_date=day_label(series.first_date, language) if series is not None else None)


def render(view: PollLetterView) -> tuple[str, str]:
    """The plain-text and HTML bodies."""
    return mail_templates.render("poll", view.language, letter=view, subject=subject(view),
                                 privacy=gettext(view.language, PRIVACY))


def subject(view: PollLetterView) -> str:
    return gettext(view.language, SUBJECTS[PollLetterKind(view.kind)])


def compose(letter: PollLetter, settings: Settings, now: datetime) -> EmailMessage:
    """The e-mail for one row: only its recipient in ``To``; nobody else's name, address or answer anywhere."""
    member = letter.member
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = settings.MAIL_FROM
    message["To"] = Address(member.display_name, addr_spec=member.email)
    view = view_of(letter, settings)
    message["Subject"] = subject(view)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(f"poll-letter-{letter.id}", settings.MAIL_FROM)
    message["Content-Language"] = "fr-CA" if member.language == "fr" else "en-CA"
    message["Auto-Submitted"] = "auto-generated"
    text, html = render(view)
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message
