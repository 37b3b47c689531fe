"""The welcome-and-consent e-mail: composed from the database as it is at sending time, sent by the mail adapter.

Not a calendar invitation: a plain text + HTML message (templates ``service/templates/mail/consent.*``) with the
person's confirm link, what is kept and why, and who the privacy officer is. A welcome is dropped if the person
confirmed or left meanwhile; a reminder (someone signed up again with the same address) always goes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from calendars.imip import header_safe, parse_mailbox
from integrations.mail import MailTransport, PermanentMailError, transport_from_settings
from service import mail_templates
from service.domain.clock import now_utc
from service.domain.consent_links import url_for_person
from service.extensions import current_settings, db
from service.i18n import N_, gettext, normalise_language
from service.models import Member, MemberStatus, Organisation, Volunteer
from service.protocol import support_resources

log = logging.getLogger(__name__)

SUBJECT_WELCOME = N_("Confirmez votre participation aux groupes de soutien entre pairs")
SUBJECT_REMINDER = N_("Votre inscription aux groupes de soutien entre pairs")


@dataclass(frozen=True)
class ConsentLetter:
    language: str
    recipient_name: str
    organisation_name: str
    link: str
    is_volunteer: bool  # signed up or added to the pool (erased after a week unless confirmed)
    already_confirmed: bool  # a reminder to someone who already said yes
    privacy_officer_name: str
    privacy_officer_contact: str
    resources: tuple = ()

    @property
    def subject(self) -> str:
        return gettext(self.language, SUBJECT_REMINDER if self.already_confirmed else SUBJECT_WELCOME)


def render(letter: ConsentLetter) -> tuple[str, str]:
    return mail_templates.render("consent", letter.language, letter=letter)


def build(letter: ConsentLetter, email: str, sender: str) -> EmailMessage:
    text, html = render(letter)
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = parse_mailbox(sender)
    message["To"] = Address(display_name=header_safe(letter.recipient_name), addr_spec=email)
    message["Subject"] = header_safe(letter.subject)
    message["Date"] = format_datetime(now_utc())
    message["Message-ID"] = make_msgid(domain=parse_mailbox(sender).domain or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = {"fr": "fr-CA", "en": "en-CA"}.get(letter.language, letter.language)
    return message


def letter_for(person: Volunteer | Member, reminder: bool) -> ConsentLetter:
    settings = current_settings()
    organisation_id = person.organisation_id if isinstance(person, Volunteer) else person.group.organisation_id
    organisation = db.session.get(Organisation, organisation_id)
    return ConsentLetter(
        language=normalise_language(person.language),
        recipient_name=person.display_name,
        organisation_name=organisation.name,
        link=url_for_person(settings, person),
        is_volunteer=isinstance(person, Volunteer),
        already_confirmed=reminder and person.consent_at is not None,
        privacy_officer_name=organisation.privacy_officer_name,
        privacy_officer_contact=organisation.privacy_officer_contact,
        resources=tuple(support_resources(person.language, organisation.support_resources)),
    )


def deliver(kind: str, person_id: int, reminder: bool, transport: MailTransport | None = None) -> str:
    model = Volunteer if kind == "volunteer" else Member
    person = db.session.get(model, person_id)
    if person is None or (isinstance(person, Member) and person.status is not MemberStatus.ACTIVE):
        return "gone"
    if person.consent_at is not None and not reminder:
        return "already_confirmed"
    settings = current_settings()
    message = build(letter_for(person, reminder), person.email, settings.MAIL_FROM)
    try:
        (transport or transport_from_settings(settings)).send(message)
    except PermanentMailError as error:  # nothing to retry; the log names the row, never the address
        log.warning("consent letter to %s %s refused for good: %s", kind, person_id, error)
        return "refused"
    return "sent"
