"""E-mailing the supervisors about a request to talk (run by the worker, retried until it goes).

The message names the moderator and how to reach them, and links to the supervisor's page. Never the group, its
members, the session's date or anything said: a supervisor follows up with the person, not with the group.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from sqlalchemy import and_, or_, select

from calendars import header_safe, message_id
from calendars.imip import parse_mailbox
from config import Settings
from integrations.mail import MailTransport, PermanentMailError, TemporaryMailError, transport_from_settings
from service import links
from service.domain import supervisor_links
from service.domain.clock import now_utc
from service.extensions import current_settings, db
from service.i18n import N_, gettext
from service.models import Supervisor, TalkRequest

log = logging.getLogger(__name__)

# Waits after each temporary failure; the sweep brings the request back when its time comes.
RETRY_DELAYS = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1),
                timedelta(hours=6))
# A request whose job was lost (Redis down at the commit) is picked up by the sweep after this.
LOST_AFTER = timedelta(seconds=45)
# With no supervisor named, the request waits on the coordinator's page; a supervisor named later is told then.
NO_SUPERVISOR_WAIT = timedelta(minutes=10)

SUBJECT = N_("Une personne modératrice aimerait vous parler")
GREETING = N_("Bonjour %(name)s,")
BODY = N_("%(moderator)s vient d’animer une rencontre et aimerait en parler avec une personne superviseure.")
CONTACT = N_("Pour joindre cette personne : %(email)s")
PAGE = N_("Votre page (demandes ouvertes, charge des personnes modératrices) : %(url)s")
WELCOME_SUBJECT = N_("Votre page de personne superviseure")
WELCOME_BODY = N_("Vous êtes maintenant personne superviseure des personnes modératrices de groupes de soutien entre "
                  "pairs. Votre page montre les demandes de personnes modératrices qui aimeraient vous parler, la "
                  "charge d’animation de chacune et les prochaines rencontres de la communauté de pratique.")
WELCOME_LINK = N_("Ce lien est personnel : gardez-le pour vous. Il cesse de fonctionner si vous n’êtes plus personne "
                  "superviseure.")
PRIVACY = N_("Aucun détail de la rencontre n’est transmis : ni le groupe, ni ses membres, ni ce qui s’y est dit. "
             "Une fois le suivi fait, marquez la demande comme traitée sur votre page.")


def _message(supervisor: Supervisor, subject: str, lines: list[str], local_id: str, settings: Settings,
             now: datetime) -> EmailMessage:
    """A plain e-mail (text and HTML) to one supervisor; its Message-ID is stable, so a retry folds."""
    language = supervisor.language
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = parse_mailbox(settings.MAIL_FROM)
    message["To"] = Address(display_name=header_safe(supervisor.display_name), addr_spec=supervisor.email)
    message["Subject"] = header_safe(subject)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id(local_id, settings.MAIL_FROM)
    message.set_content("\n\n".join(lines) + "\n", subtype="plain", charset="utf-8", cte="quoted-printable")
    html = "".join(f"<p>{escape(line)}</p>" for line in lines)
    message.add_alternative(f'<!doctype html><html lang="{language}"><body>{html}</body></html>', subtype="html",
                            charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = {"fr": "fr-CA", "en": "en-CA"}.get(language, language)
    return message


def compose(request: TalkRequest, supervisor: Supervisor, settings: Settings, now: datetime) -> EmailMessage:
    language = supervisor.language
    lines = [
        gettext(language, GREETING, name=supervisor.display_name),
        gettext(language, BODY, moderator=request.moderator_name),
        gettext(language, CONTACT, email=request.moderator_email),
        gettext(language, PAGE, url=links.supervisor_url(settings, supervisor)),
        gettext(language, PRIVACY),
    ]
    return _message(supervisor, gettext(language, SUBJECT), lines, f"talk-{request.id}-{supervisor.id}", settings,
                    now)


def compose_welcome(supervisor: Supervisor, settings: Settings, now: datetime) -> EmailMessage:
    language = supervisor.language
    lines = [
        gettext(language, GREETING, name=supervisor.display_name),
        gettext(language, WELCOME_BODY),
        gettext(language, PAGE, url=links.supervisor_url(settings, supervisor)),
        gettext(language, WELCOME_LINK),
    ]
    return _message(supervisor, gettext(language, WELCOME_SUBJECT), lines,
                    f"supervisor-{supervisor.id}-{supervisor.link_nonce}", settings, now)


def welcome_supervisor(supervisor_id: int, transport: MailTransport | None = None,
                       now: datetime | None = None) -> str:
    """The new supervisor's personal link (their page has no other door). A temporary failure raises: RQ retries,
    then the sweep (``service.domain.supervisor_links``); the coordinator's page shows where it stands."""
    supervisor = db.session.get(Supervisor, supervisor_id)
    if not supervisor_links.is_wanted(supervisor):
        return "nothing"
    settings = current_settings()
    transport = transport or transport_from_settings(settings)
    now = now or now_utc()
    try:
        transport.send(compose_welcome(supervisor, settings, now))
    except PermanentMailError as error:
        log.error("supervisor %s: the e-mail with their link was refused for good (%s)", supervisor.id, error.reason)
        supervisor_links.refused(supervisor, now_utc())
        return "failed"
    supervisor_links.sent(supervisor, now_utc())
    return "sent"


def notify_supervisors(request_id: int, transport: MailTransport | None = None, now: datetime | None = None) -> str:
    """Send the request to every supervisor. Returns ``sent``, ``retry``, ``no_supervisor`` or ``nothing``."""
    now = now or now_utc()
    request = db.session.get(TalkRequest, request_id)
    if request is None or request.notified_at is not None or request.done_at is not None:
        return "nothing"
    supervisors = db.session.execute(select(Supervisor).where(Supervisor.organisation_id == request.organisation_id,
                                                              Supervisor.link_nonce != "")).scalars().all()
    if not supervisors:  # the coordinator's page says so; a supervisor named later sees the request on their page
        log.warning("request to talk %s: no supervisor to tell; looked at again later", request.id)
        request.next_attempt_at = now + NO_SUPERVISOR_WAIT
        db.session.commit()
        return "no_supervisor"
    settings = current_settings()
    transport = transport or transport_from_settings(settings)
    try:
        for supervisor in supervisors:
            try:
                transport.send(compose(request, supervisor, settings, now))
            except PermanentMailError as error:
                log.error("request to talk %s: supervisor %s refused for good (%s)", request.id, supervisor.id,
                          error.reason)
    except TemporaryMailError as error:
        request.notify_attempts += 1
        if request.notify_attempts > len(RETRY_DELAYS):
            log.error("request to talk %s: still failing after %s attempts (%s); it stays on the supervisors' pages",
                      request.id, request.notify_attempts, error.reason)
            request.next_attempt_at = None
        else:
            request.next_attempt_at = now + RETRY_DELAYS[request.notify_attempts - 1]
            log.warning("request to talk %s: temporary failure (%s), next attempt at %s", request.id, error.reason,
                        request.next_attempt_at.isoformat())
        db.session.commit()
        return "retry"
    request.notified_at = now
    request.notify_attempts += 1
    request.next_attempt_at = None
    db.session.commit()
    log.info("request to talk %s: sent to %s supervisor(s)", request.id, len(supervisors))
    return "sent"


def notices_due(now: datetime | None = None) -> list[int]:
    """For the sweep: requests not yet sent whose next attempt is due, or whose job was lost."""
    now = now or now_utc()
    return list(db.session.execute(
        select(TalkRequest.id).where(
            TalkRequest.notified_at.is_(None), TalkRequest.done_at.is_(None),
            TalkRequest.notify_attempts <= len(RETRY_DELAYS),
            or_(TalkRequest.next_attempt_at <= now,
                and_(TalkRequest.next_attempt_at.is_(None), TalkRequest.notify_attempts == 0,
                     TalkRequest.created_at <= now - LOST_AFTER)))
    ).scalars())
