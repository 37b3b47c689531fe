"""The iMIP e-mail (RFC 6047) that carries one calendar message to one person.

Structure (what Gmail, Outlook and Apple Mail recognise as an invitation)::

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST|CANCEL   (last: the preferred alternative)
      application/ics; name=invite.ics          (the same calendar, attached)

The calendar is base64-encoded from bytes, so its CRLF line endings survive. Every header value is built
with :mod:`email.headerregistry`; names lose line breaks first, so no name can add a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from calendars.events import Method, Person

ATTACHMENT_NAME = "invite.ics"
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_safe(text: str) -> str:
    """One line of text: control characters and line breaks become spaces."""
    return " ".join(_LINE_BREAKS.sub(" ", text).split())


@dataclass(frozen=True)
class Envelope:
    sender: str  # MAIL_FROM, e.g. "Entre pairs <entre-pairs@example.org>"
    recipient: Person
    subject: str
    message_id: str  # "<...@...>", stable for one invitation row
    date: datetime
    language: str = "fr"


def parse_mailbox(value: str) -> Address:
    """``"Name <addr@host>"`` or ``"addr@host"`` as an :class:`Address`."""
    message = EmailMessage(policy=policy.default)
    message["From"] = value
    addresses = message["From"].addresses
    if len(addresses) != 1:
        raise ValueError("expected exactly one mailbox")
    return addresses[0]


def message_id(local_part: str, sender: str) -> str:
    """A Message-ID on the sender's domain, from a stable local part (see ``service.domain.delivery``)."""
    domain = parse_mailbox(sender).domain or "localhost"
    clean = re.sub(r"[^A-Za-z0-9.\-_]", "-", local_part)
    return f"<{clean}@{domain}>" if clean else make_msgid(domain=domain)


def build_message(envelope: Envelope, method: Method, text: str, html: str, calendar: bytes) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = parse_mailbox(envelope.sender)
    message["To"] = Address(display_name=header_safe(envelope.recipient.name), addr_spec=envelope.recipient.email)
    message["Subject"] = header_safe(envelope.subject)
    message["Date"] = format_datetime(envelope.date)
    message["Message-ID"] = envelope.message_id
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message.add_alternative(calendar, maintype="text", subtype="calendar", cte="base64",
                            params={"method": method.value, "charset": "UTF-8"})
    message.add_attachment(calendar, maintype="application", subtype="ics", cte="base64",
                           filename=ATTACHMENT_NAME, params={"name": ATTACHMENT_NAME})
    # After the parts: setting the content clears every Content-* header.
    message["Content-Language"] = {"fr": "fr-CA", "en": "en-CA"}.get(envelope.language, envelope.language)
    return message
