"""SMTP delivery with :mod:`smtplib`: one connection kept open across messages, STARTTLS and login when
configured.

A mail server client should not connect, greet, negotiate TLS and log in for every message: the transport keeps
its connection, checks a connection left idle with ``NOOP`` before using it again, and when a connection it
reused turns out closed (the server's idle timeout, a restart) it connects again and sends once more — a
connection that fails while fresh is the server's answer, not a stale socket. After a refusal the session is
reset (``RSET``, done by :mod:`smtplib`) and kept; after anything else it is closed and the next message
opens a new one. :func:`integrations.mail.transport_from_settings` hands out one transport per process.

Replies are sorted by their class (RFC 5321 §4.2.1): 4xx and every network problem are temporary, 5xx
permanent. A refused login, a server that demands encryption or login we do not use, or one without the
STARTTLS we require, is a configuration problem: temporary, so the messages go out once the configuration
is fixed, with a reason that says what to fix.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from dataclasses import dataclass, field
from email.message import Message

from integrations.mail.errors import MailError, PermanentMailError, TemporaryMailError

# Port 465 speaks TLS from the first byte ("implicit TLS", RFC 8314); other ports may upgrade with STARTTLS.
IMPLICIT_TLS_PORT = 465


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:300]


# Replies about our own setup, not the message: "encryption/authentication required" (RFC 3207, RFC 4954).
CONFIGURATION_CODES = frozenset({530, 534, 535, 538})


def _by_code(code: int, reason: str) -> MailError:
    if code in CONFIGURATION_CODES:
        return TemporaryMailError(f"{reason} (check SMTP_STARTTLS, SMTP_USERNAME and SMTP_PASSWORD)", code=code)
    if 400 <= code < 500:
        return TemporaryMailError(reason, code=code)
    return PermanentMailError(reason, code=code)


@dataclass
class SmtpTransport:
    host: str
    port: int = 587
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = True
    timeout: float = 20.0

    def _connect(self) -> smtplib.SMTP:
        if self.port == IMPLICIT_TLS_PORT:
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            connection.ehlo()
            if self.starttls:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
        except BaseException:
            connection.close()
            raise
        return connection

    # A connection idle for longer than this is checked with NOOP before the next message (servers close idle
    # connections after a few minutes; RFC 5321 §4.5.3.2.7 asks them to wait at least five).
    idle_check_seconds: float = 10.0
    _connection: smtplib.SMTP | None = field(default=None, init=False, repr=False, compare=False)
    _used_at: float = field(default=0.0, init=False, repr=False, compare=False)

    def _open(self) -> smtplib.SMTP:
        connection = self._connect()
        try:
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def _reusable(self) -> smtplib.SMTP | None:
        """The open connection if it is still good (checked with NOOP after an idle spell)."""
        connection = self._connection
        if connection is None or time.monotonic() - self._used_at < self.idle_check_seconds:
            return connection
        try:
            if connection.noop()[0] == 250:
                return connection
        except (OSError, smtplib.SMTPException):
            pass
        self.close()
        return None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Say goodbye to the server (QUIT) if connected; the next message connects again."""
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()

    def _send_on(self, connection: smtplib.SMTP, message: Message) -> dict:
        refused = connection.send_message(message)
        self._used_at = time.monotonic()
        return refused

    def send(self, message: Message) -> None:
        try:
            refused = self._send(message)
        except smtplib.SMTPNotSupportedError as error:
            self.close()
            raise TemporaryMailError("the mail server does not offer STARTTLS or login as configured "
                                     "(check SMTP_STARTTLS, SMTP_USERNAME)") from error
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            raise TemporaryMailError("the mail server refused the login (check SMTP_USERNAME and SMTP_PASSWORD): "
                                     + _reply(error.smtp_code, error.smtp_error), code=error.smtp_code) from error
        except smtplib.SMTPConnectError as error:  # the greeting said "no service": the server, not the message
            self.close()
            raise TemporaryMailError("the mail server refused the connection: "
                                     + _reply(error.smtp_code, error.smtp_error), code=error.smtp_code) from error
        except smtplib.SMTPRecipientsRefused as error:  # smtplib has reset the session: it stays usable
            code, text = next(iter(error.recipients.values()))
            raise _by_code(code, "recipient refused: " + _reply(code, text)) from error
        except smtplib.SMTPSenderRefused as error:
            raise _by_code(error.smtp_code, "sender refused: " + _reply(error.smtp_code, error.smtp_error)) from error
        except smtplib.SMTPResponseException as error:
            self.close()
            raise _by_code(error.smtp_code, _reply(error.smtp_code, error.smtp_error)) from error
        except smtplib.SMTPServerDisconnected as error:
            self.close()
            raise TemporaryMailError("the mail server closed the connection") from error
        except ssl.SSLError as error:
            self.close()
            raise TemporaryMailError(f"TLS with the mail server failed: {error.reason or 'handshake error'}") from error
        except (OSError, smtplib.SMTPException) as error:  # refused, unreachable, timed out
            self.close()
            raise TemporaryMailError(f"the mail server at {self.host}:{self.port} is unreachable "
                                     f"({type(error).__name__}: {error})"[:300]) from error
        if refused:  # one recipient per message: a partial refusal is the whole refusal
            code, text = next(iter(refused.values()))
            raise _by_code(code, "recipient refused: " + _reply(code, text))

    def _send(self, message: Message) -> dict:
        connection = self._reusable()
        if connection is not None:
            try:
                return self._send_on(connection, message)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                # The server closed a connection we kept (its idle timeout, a restart): a new connection, once.
                # Should it have taken the message just before closing, the copy carries the same Message-ID,
                # which mail systems fold (the same holds for any retry).
                self._connection = None
                connection.close()
        self._connection = self._open()
        return self._send_on(self._connection, message)
