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
from email.charset import QP, Charset
from email.encoders import encode_base64
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, make_msgid
from functools import lru_cache

from calendars.events import Method, Person

ATTACHMENT_NAME = "invite.ics"
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def header_safe(text: str) -> str:
    """One line of text: control characters and line breaks become spaces. Non-breaking spaces stay (French
    typography: « Invitation : … »), other runs of white space become one space."""
    return re.sub(r"[^\S\u00a0]+", " ", _LINE_BREAKS.sub(" ", text)).strip(" ")


@dataclass(frozen=True)
class Envelope:
    sender: str  # MAIL_FROM, e.g. "Entre pairs <entre-pairs@example.org>"
    recipient: Person
    subject: str
    message_id: str  # "<...@...>", stable for one invitation row
    date: datetime
    language: str = "fr"


@lru_cache(maxsize=64)
def parse_mailbox(value: str) -> Address:
    """``"Name <addr@host>"`` or ``"addr@host"`` as an :class:`Address` (``MAIL_FROM``, read for every message:
    parsed once per process)."""
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


# Built with the email package's compat32 classes, headers already ASCII (RFC 2047 words): the modern
# policy parses back each header it is given and refolds them all when flattening, which took longer than
# rendering the calendar itself. CRLF line endings throughout, as SMTP wants them.
_MIME_POLICY = compat32.clone(linesep="\r\n")


def _utf8(body_encoding: int) -> Charset:
    charset = Charset("utf-8")
    charset.body_encoding = body_encoding
    return charset


def _mailbox(name: str, address: str) -> str:
    return formataddr((header_safe(name), address), charset="utf-8")


def _calendar_part(maintype: str, subtype: str, calendar: bytes, **params: str) -> MIMEBase:
    part = MIMEBase(maintype, subtype, policy=_MIME_POLICY, **params)
    part.set_payload(calendar)
    encode_base64(part)  # from bytes: the calendar's CRLF line endings survive
    return part


def build_message(envelope: Envelope, method: Method, text: str, html: str, calendar: bytes) -> Message:
    sender = parse_mailbox(envelope.sender)
    alternative = MIMEMultipart("alternative", policy=_MIME_POLICY, _subparts=[
        MIMEText(text, "plain", _utf8(QP), policy=_MIME_POLICY),
        MIMEText(html, "html", _utf8(QP), policy=_MIME_POLICY),
        _calendar_part("text", "calendar", calendar, method=method.value, charset="UTF-8"),
    ])
    attachment = _calendar_part("application", "ics", calendar, name=ATTACHMENT_NAME)
    attachment.add_header("Content-Disposition", "attachment", filename=ATTACHMENT_NAME)
    message = MIMEMultipart("mixed", policy=_MIME_POLICY, _subparts=[alternative, attachment])
    message["From"] = _mailbox(sender.display_name, sender.addr_spec)
    message["To"] = _mailbox(envelope.recipient.name, envelope.recipient.email)
    message["Subject"] = Header(header_safe(envelope.subject), "utf-8", header_name="Subject")
    message["Date"] = format_datetime(envelope.date)
    message["Message-ID"] = envelope.message_id
    message["Content-Language"] = {"fr": "fr-CA", "en": "en-CA"}.get(envelope.language, envelope.language)
    return message
