"""Sending e-mail, behind one small interface: ``transport.send(message)``.

Two transports, chosen from the settings by :func:`transport_from_settings`:

- :class:`~integrations.mail.smtp.SmtpTransport` when ``SMTP_HOST`` is set: STARTTLS and login when
  configured, a timeout on every network operation;
- :class:`~integrations.mail.outbox.OutboxTransport` otherwise (development): one ``.eml`` file per message in
  ``MAIL_OUTBOX_DIR``, which a person can open in a mail program or on the development outbox page.

Every failure is one of two errors, so a caller decides by type (see ``service.domain.delivery``)::

    MailError
    ├── TemporaryMailError   the server is unreachable, busy or says 4xx: try again later
    └── PermanentMailError   the server refuses this message for good (5xx): trying again will not help

Messages of these errors carry the server's reply (code and text) and never an address or a password.
"""

from __future__ import annotations

import atexit
import os
from email.message import Message
from typing import Protocol

from config import Settings
from integrations.mail.errors import MailError, PermanentMailError, TemporaryMailError
from integrations.mail.outbox import OutboxTransport
from integrations.mail.smtp import SmtpTransport


class MailTransport(Protocol):
    def send(self, message: Message) -> None:
        """Hand the message over for delivery to its ``To`` address, or raise a :class:`MailError`."""


def transport_from_settings(settings: Settings) -> MailTransport:
    """This process's transport for these settings: the same one (and so the same open SMTP connection) for
    every message the process sends; a child process (a forked job) gets its own, never its parent's socket."""
    if settings.uses_outbox:
        return OutboxTransport(settings.MAIL_OUTBOX_DIR)
    wanted = SmtpTransport(
        host=settings.SMTP_HOST,
        port=settings.SMTP_PORT,
        username=settings.SMTP_USERNAME,
        password=settings.SMTP_PASSWORD,
        starttls=settings.SMTP_STARTTLS,
        timeout=settings.SMTP_TIMEOUT_SECONDS,
    )
    pid, current = _shared.get("smtp", (None, None))
    if pid == os.getpid() and current == wanted:
        return current
    if pid == os.getpid() and current is not None:
        current.close()  # the settings changed (tests start one server after another)
    _shared["smtp"] = (os.getpid(), wanted)
    return wanted


# One SMTP transport per process, with the id of the process that made it.
_shared: dict[str, tuple[int, SmtpTransport]] = {}


def close_shared_transport() -> None:
    """QUIT the process's SMTP connection (at exit; harmless when none is open)."""
    pid, current = _shared.pop("smtp", (None, None))
    if pid == os.getpid() and current is not None:
        current.close()


atexit.register(close_shared_transport)


__all__ = [
    "MailError",
    "MailTransport",
    "OutboxTransport",
    "PermanentMailError",
    "SmtpTransport",
    "TemporaryMailError",
    "close_shared_transport",
    "transport_from_settings",
]
