"""Sending one invitation row, and finding the rows that need another try.

:func:`deliver` is what the worker runs for a row (``worker.jobs.invites.send_invite``):

1. **claim** the row atomically (``pending`` → ``sending``, only if it is due): two workers never send the
   same row;
2. **drop** it if a newer row to the same person carries its change, if it has nothing left to say, or if it
   cancels something that was never delivered (status ``superseded``);
3. **wait** (back to ``pending`` with a ``next_attempt_at``) while a request has no Zoom join link yet;
   ``invitations.meeting_ready`` makes those rows due again at once;
4. **render** the person's copy from the database as it is now and hand it to the mail transport;
5. **record**: ``sent`` (and the older pending rows it carries become ``superseded``), or ``pending`` with
   the next attempt after a temporary failure (:data:`RETRY_DELAYS`), or ``failed`` with the server's reason
   after a permanent refusal or once the attempts run out.

For the periodic sweep: :func:`release_stale` returns rows left in ``sending`` by a worker that died (its
heartbeat stopped: ``worker.claims``; a claim without a claimer's name after :data:`STALE_AFTER`), and
:func:`invites_to_retry` lists the rows due now and the rows old enough that their job should have taken them;
the sweep enqueues those not marked as queued (``worker.jobs.invites.retry_due_invites`` does it all).

The Message-ID is stable per row (:func:`message_id_for`): if a worker dies after the mail server accepted a
message but before recording it, the retry carries the same Message-ID and mail systems fold the duplicate.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Collection
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.message import Message

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import joinedload

from calendars import Envelope, build_message, message_id, render_calendar, render_letter, subject
from config import Settings
from integrations.mail import MailError, MailTransport, PermanentMailError, TemporaryMailError, transport_from_settings
from service.domain.clock import now_utc
from service.domain.invitations import CARRYING, supersede_covered
from service.domain.invite_content import Composition, Obsolete, WaitingForMeeting, compose
from service.extensions import current_settings, db
from service.models import Invite, InviteMethod, InviteStatus

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd... temporary failure. The last attempt is the one after the last delay
# (about 46 hours in all): then the row is ``failed`` and the coordinator can send it again.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# How often a request waiting for its Zoom link is looked at again (``meeting_ready`` does not wait for it).
MEETING_WAIT = timedelta(minutes=5)
# A row claimed without a claimer's name (``deliver`` called outside a worker job) and still ``sending`` after
# this was claimed by a process that died (an SMTP exchange times out well before). Named claims are released
# as soon as their claimer's heartbeat stops (``worker.claims``), after :data:`CLAIM_GRACE`.
STALE_AFTER = timedelta(minutes=15)
# A named claim younger than this is surely being sent right now: its heartbeat is not even looked at.
CLAIM_GRACE = timedelta(seconds=6)
# How many rows one sweep returns at most.
SWEEP_BATCH = 500
# A new row is sent by the job its commit enqueued (in the same Redis round trip as the mark saying it is queued,
# ``worker.queues``); the sweep looks at a row without a next attempt only once it is this old, and enqueues it
# again only if no fresh mark says a job holds it (a mass scheduling queues thousands of invitations).
ENQUEUE_GRACE = timedelta(seconds=30)


class Outcome(str, enum.Enum):
    SENT = "sent"
    SUPERSEDED = "superseded"
    WAITING = "waiting"  # for the meeting's join link
    RETRY = "retry"  # a temporary failure: another attempt is planned
    FAILED = "failed"
    NOT_CLAIMED = "not_claimed"  # not pending, not due yet, or already taken by another worker


def message_id_for(invite: Invite, settings: Settings) -> str:
    return message_id(f"invite-{invite.id}-{invite.calendar_uid.split('@')[0]}", settings.MAIL_FROM)


def _claim(invite_id: int, now: datetime, claimer: str | None) -> bool:
    result = db.session.execute(
        update(Invite)
        .where(Invite.id == invite_id, Invite.status == InviteStatus.PENDING,
               or_(Invite.next_attempt_at.is_(None), Invite.next_attempt_at <= now))
        .values(status=InviteStatus.SENDING, claimed_at=now, claimed_by=claimer, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _same_object(invite: Invite):
    return and_(Invite.member_id == invite.member_id, func.lower(Invite.email) == invite.email.lower(),
                Invite.calendar_uid == invite.calendar_uid, Invite.id != invite.id)


def _siblings(invite: Invite) -> list:
    """The person's other rows about the same calendar object, in one query (what the checks below read)."""
    return db.session.execute(
        select(Invite.id, Invite.status, Invite.method, Invite.recurrence_key).where(_same_object(invite))
    ).all()


def covering_row(invite: Invite, siblings: list | None = None) -> int | None:
    """The id of a row that already carries (or will carry) this row's change to the same person, if any.

    - a newer row about the whole object, or about the same occurrence;
    - for a row about one occurrence: an older request for the whole object still waiting to be sent, which
      will render the current plan (this occurrence included) when it goes.
    """
    rows = _siblings(invite) if siblings is None else siblings
    found = [row.id for row in rows if row.id > invite.id and row.recurrence_key in ("", invite.recurrence_key)
             and row.status in CARRYING]
    if not invite.is_whole_object:
        found += [row.id for row in rows if row.id < invite.id and row.recurrence_key == ""
                  and row.method is InviteMethod.REQUEST and row.status is InviteStatus.PENDING]
    return max(found, default=None)


def _anything_delivered(siblings: list) -> bool:
    return any(row.status in (InviteStatus.SENT, InviteStatus.SENDING) for row in siblings)


def _pending_covered_ids(invite: Invite, siblings: list) -> list[int]:
    """Pending rows this one will carry once sent (seen before rendering, so their changes are in it)."""
    if invite.method is not InviteMethod.REQUEST:
        return []
    return [row.id for row in siblings if row.status is InviteStatus.PENDING
            and (invite.is_whole_object or (row.recurrence_key == invite.recurrence_key and row.id < invite.id))]


def _finish(invite: Invite, status: InviteStatus, **values: object) -> None:
    invite.status = status
    for name, value in values.items():
        setattr(invite, name, value)
    db.session.commit()


def _drop(invite: Invite, reason: str, carried_by: int | None = None) -> Outcome:
    log.info("invite %s not sent: %s", invite.id, reason)
    _finish(invite, InviteStatus.SUPERSEDED, superseded_by_id=carried_by, next_attempt_at=None)
    return Outcome.SUPERSEDED


def _compose_message(invite: Invite, settings: Settings, now: datetime,
                     delivered: bool | None = None) -> tuple[Message, str | None]:
    """The e-mail for this row, and the digest of the join link it carries (None for a cancellation)."""
    composition: Composition = compose(invite, settings, now, delivered)
    calendar = render_calendar(composition.calendar)
    text, html = render_letter(composition.letter)
    envelope = Envelope(
        sender=settings.MAIL_FROM,
        recipient=composition.calendar.attendee,
        subject=subject(composition.letter),
        message_id=message_id_for(invite, settings),
        date=now,
        language=composition.letter.language,
    )
    return build_message(envelope, composition.calendar.method, text, html, calendar), composition.link_digest


def claim_many(invite_ids: list[int], claimer: str, now: datetime | None = None) -> set[int]:
    """Claim the due rows among these for ``claimer`` in one statement (a job's rows: one commit, not one per
    row); returns the ids claimed. Send each with ``deliver(..., claimed=True)``."""
    now = now or now_utc()
    claimed = db.session.execute(
        update(Invite)
        .where(Invite.id.in_(invite_ids), Invite.status == InviteStatus.PENDING,
               or_(Invite.next_attempt_at.is_(None), Invite.next_attempt_at <= now))
        .values(status=InviteStatus.SENDING, claimed_at=now, claimed_by=claimer, updated_at=now)
        .returning(Invite.id)
        .execution_options(synchronize_session=False)
    ).scalars().all()
    db.session.commit()
    return set(claimed)


def deliver(invite_id: int, transport: MailTransport | None = None, now: datetime | None = None,
            claimer: str | None = None, still_ours: Callable[[], bool] | None = None,
            claimed: bool = False) -> Outcome:
    """Send one row if it is due; see the module's documentation for every outcome. ``claimer``: the name the
    calling job keeps alive with a heartbeat (``worker.claims.Heartbeat``), so that its death frees the row;
    ``still_ours``, asked just before the message leaves: False once the row may have been given to another;
    ``claimed``: the caller already claimed it for ``claimer`` (:func:`claim_many`)."""
    now = now or now_utc()
    if not claimed and not _claim(invite_id, now, claimer):
        return Outcome.NOT_CLAIMED
    invite = db.session.get(Invite, invite_id)
    assert invite is not None
    settings = current_settings()

    siblings = _siblings(invite)
    carried_by = covering_row(invite, siblings)
    if carried_by is not None:
        return _drop(invite, f"carried by invite {carried_by}", carried_by)
    if invite.method is InviteMethod.CANCEL and not _anything_delivered(siblings):
        return _drop(invite, "nothing had been delivered to cancel")
    covered = _pending_covered_ids(invite, siblings)
    try:
        message, digest = _compose_message(invite, settings, now, delivered=any(
            row.method is InviteMethod.REQUEST and row.status is InviteStatus.SENT for row in siblings))
    except WaitingForMeeting:
        _finish(invite, InviteStatus.PENDING, next_attempt_at=now + MEETING_WAIT, claimed_at=None, claimed_by=None)
        return Outcome.WAITING
    except Obsolete as obsolete:
        return _drop(invite, obsolete.reason)
    except Exception:
        # A bug or a database problem: the row is not left "sending"; it is tried again later, then failed.
        log.exception("invite %s: the message could not be prepared", invite_id)
        db.session.rollback()
        _record_failure(invite_id, TemporaryMailError("the message could not be prepared (see the worker's log)"),
                        now)
        raise
    _end_reading()  # no transaction stays open while the mail server takes its time
    if still_ours is not None and not still_ours():
        return _hand_back(invite_id, claimer, now)

    try:
        (transport or transport_from_settings(settings)).send(message)
    except MailError as error:
        return _record_failure(invite_id, error, now)
    invite.attempts += 1
    _finish(invite, InviteStatus.SENT, sent_at=now, last_error=None, next_attempt_at=None, link_digest=digest)
    dropped = supersede_covered(invite, older_only=False, among=covered) if covered else 0
    db.session.commit()
    log.info("invite %s sent (member %s, %s, sequence %s)%s", invite.id, invite.member_id, invite.method.value,
             invite.sequence, f"; it carries {dropped} earlier row(s)" if dropped else "")
    return Outcome.SENT


def _end_reading() -> None:
    """End the (read-only) transaction without expiring what was read: the row, claimed by us, is not read
    again just to record its outcome."""
    session = db.session()
    kept, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = kept


@contextmanager
def one_reading_per_job(invite_ids: Collection[int]):
    """A job's rows are sent from one reading of the database: the rows and their members in one query, and
    what they share (the group, its organisation, the series and its sessions, the meeting) read by the first
    message that needs it and kept across the job's commits instead of read again for every message — on
    PostgreSQL each read is a round trip. The person's other rows (which decide whether this one goes) are
    still read fresh for every message. Everything is forgotten when the job ends."""
    session = db.session()
    kept, session.expire_on_commit = session.expire_on_commit, False
    # The session's identity map holds rows weakly: the job holds them (and, through them, what they lead to).
    rows = session.execute(select(Invite).where(Invite.id.in_(list(invite_ids)))
                           .options(joinedload(Invite.member))).scalars().all() if invite_ids else []
    try:
        yield rows
    finally:
        session.expire_on_commit = kept
        session.expire_all()


def _hand_back(invite_id: int, claimer: str | None, now: datetime) -> Outcome:
    """The claim may have lapsed (the heartbeat could not be renewed in time): not sent; the row goes back to
    pending unless another worker already holds it."""
    db.session.execute(
        update(Invite).where(Invite.id == invite_id, Invite.status == InviteStatus.SENDING,
                             Invite.claimed_by == claimer)
        .values(status=InviteStatus.PENDING, next_attempt_at=now, claimed_at=None, claimed_by=None, updated_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    log.warning("invite %s not sent: its claim may have lapsed; it goes back to be sent", invite_id)
    return Outcome.NOT_CLAIMED


def _record_failure(invite_id: int, error: MailError, now: datetime) -> Outcome:
    invite = db.session.get(Invite, invite_id)
    assert invite is not None
    invite.attempts += 1
    if isinstance(error, PermanentMailError):
        log.warning("invite %s refused for good (member %s): %s", invite.id, invite.member_id, error.reason)
        _finish(invite, InviteStatus.FAILED, last_error=error.reason[:500], next_attempt_at=None)
        return Outcome.FAILED
    if invite.attempts >= MAX_ATTEMPTS:
        reason = f"gave up after {invite.attempts} attempts: {error.reason}"
        log.warning("invite %s failed (member %s): %s", invite.id, invite.member_id, reason)
        _finish(invite, InviteStatus.FAILED, last_error=reason[:500], next_attempt_at=None)
        return Outcome.FAILED
    delay = RETRY_DELAYS[invite.attempts - 1]
    log.info("invite %s: temporary failure (%s), next attempt in %s", invite.id, error.reason, delay)
    _finish(invite, InviteStatus.PENDING, last_error=error.reason[:500], next_attempt_at=now + delay,
            claimed_at=None, claimed_by=None)
    return Outcome.RETRY


def sending_claimers(now: datetime | None = None) -> set[str]:
    """Who holds rows ``sending`` for longer than :data:`CLAIM_GRACE` (the sweep asks which are dead)."""
    now = now or now_utc()
    return set(db.session.execute(
        select(Invite.claimed_by).where(Invite.status == InviteStatus.SENDING, Invite.claimed_by.is_not(None),
                                        Invite.claimed_at <= now - CLAIM_GRACE).distinct()
    ).scalars())


def release_stale(now: datetime | None = None, dead_claimers: set[str] = frozenset()) -> list[int]:
    """Rows left ``sending`` by a worker that died go back to ``pending`` (counted as an attempt, so a row that
    keeps killing workers ends ``failed``): rows of ``dead_claimers`` (their heartbeat stopped), and rows claimed
    without a name more than :data:`STALE_AFTER` ago. Returns their ids; commits.

    The row may have reached the mail server before its worker died: the next try carries the same
    Message-ID, which mail systems fold."""
    now = now or now_utc()
    dead = or_(and_(Invite.claimed_by.is_(None), Invite.claimed_at < now - STALE_AFTER),
               Invite.claimed_by.in_(sorted(dead_claimers)))
    stale = db.session.execute(
        select(Invite).where(Invite.status == InviteStatus.SENDING, dead).limit(SWEEP_BATCH)
    ).scalars().all()
    for invite in stale:
        invite.attempts += 1
        if invite.attempts >= MAX_ATTEMPTS:
            invite.status, invite.last_error = InviteStatus.FAILED, "the worker stopped while sending, every time"
        else:
            invite.status, invite.next_attempt_at = InviteStatus.PENDING, now
            invite.last_error = "the worker stopped while sending"
        invite.claimed_at = invite.claimed_by = None
    db.session.commit()
    if stale:
        log.warning("released %d invite(s) left sending: %s", len(stale), [i.id for i in stale])
    return [invite.id for invite in stale]


def invites_to_retry(now: datetime | None = None) -> list[int]:
    """Ids of pending rows due now: retries whose time has come, rows whose meeting wait is over, and rows
    without a next attempt at least :data:`ENQUEUE_GRACE` old (their job should have taken them by then; the
    sweep leaves out those still marked as queued). Oldest first."""
    now = now or now_utc()
    return list(db.session.execute(
        select(Invite.id)
        .where(Invite.status == InviteStatus.PENDING,
               or_(and_(Invite.next_attempt_at.is_(None), Invite.updated_at <= now - ENQUEUE_GRACE),
                   Invite.next_attempt_at <= now))
        .order_by(Invite.id)
        .limit(SWEEP_BATCH)
    ).scalars())
