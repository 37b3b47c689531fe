"""The e-mail that gives a supervisor their personal link: asked for, sent, refused — and sent again.

A supervisor has no account: without this e-mail their page has no door. So the coordinator sees where it stands
(:func:`link_delivery`) and can have it sent again (:func:`send_again`), and the sweep enqueues again an e-mail
whose job Redis lost (:func:`links_to_check`). Only times are kept, never the mail server's words.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.effects import after_commit
from service.extensions import db
from service.models import Supervisor

# The sweep looks for a lost job once the e-mail was asked for this long ago, and stops looking after the second
# (by then the coordinator's page has shown « not sent yet » for a day).
LOST_LINK_AGES = (timedelta(minutes=2), timedelta(days=1))


class LinkDelivery(str, enum.Enum):
    SENDING = "sending"  # asked for; the mail server has not accepted it yet
    SENT = "sent"  # the mail server accepted it
    REFUSED = "refused"  # the mail server refused the address for good


def link_delivery(supervisor: Supervisor) -> LinkDelivery | None:
    """Where the last e-mail asked for stands; ``None`` for a supervisor named before this was recorded."""
    asked = supervisor.link_requested_at
    if asked is None:
        return None
    if supervisor.link_refused_at is not None and supervisor.link_refused_at >= asked:
        return LinkDelivery.REFUSED
    if supervisor.link_sent_at is not None and supervisor.link_sent_at >= asked:
        return LinkDelivery.SENT
    return LinkDelivery.SENDING


def request(supervisor: Supervisor, now: datetime | None = None) -> None:
    """Ask for the e-mail (enqueued once the caller commits)."""
    supervisor.link_requested_at = now or now_utc()
    supervisor_id = supervisor.id
    after_commit(db.session(), lambda pipe: _enqueue(supervisor_id, pipe))


def send_again(supervisor: Supervisor, actor: Actor, now: datetime | None = None) -> None:
    """The coordinator's « send the link again »: the same link (it still works), a new e-mail."""
    request(supervisor, now)
    record(actor, "supervisor.link_sent_again", "supervisor", supervisor.id,
           organisation_id=supervisor.organisation_id)
    db.session.commit()


def is_wanted(supervisor: Supervisor | None) -> bool:
    """Whether an e-mail is still to be sent: a job run twice (sent again before the first ran) sends one."""
    return supervisor is not None and bool(supervisor.link_nonce) and link_delivery(supervisor) in (
        LinkDelivery.SENDING, None)


def sent(supervisor: Supervisor, now: datetime | None = None) -> None:
    supervisor.link_sent_at = now or now_utc()
    db.session.commit()


def refused(supervisor: Supervisor, now: datetime | None = None) -> None:
    supervisor.link_refused_at = now or now_utc()
    db.session.commit()


def links_to_check(now: datetime) -> list[int]:
    """Supervisors whose e-mail was asked for a little while ago (:data:`LOST_LINK_AGES`) and is neither sent nor
    refused: the sweep enqueues again those whose job Redis no longer has."""
    youngest, oldest = now - LOST_LINK_AGES[0], now - LOST_LINK_AGES[1]
    asked = Supervisor.link_requested_at
    return list(db.session.execute(
        select(Supervisor.id).where(
            Supervisor.link_nonce != "", asked.between(oldest, youngest),
            or_(Supervisor.link_sent_at.is_(None), Supervisor.link_sent_at < asked),
            or_(Supervisor.link_refused_at.is_(None), Supervisor.link_refused_at < asked),
        )).scalars())


def _enqueue(supervisor_id: int, pipe) -> None:
    from worker import queues

    queues.enqueue_supervisor_welcome(supervisor_id, pipe)
