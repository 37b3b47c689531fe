"""SMTP delivery with :mod:`smtplib`: one connection per message, STARTTLS and login when configured.

Replies are sorted by their class (RFC 5321 §4.2.1): 4xx and every network problem are temporary, 5xx
permanent. A refused login, a server that demands encryption or login we do not use, or one without the
STARTTLS we require, is a configuration problem: temporary, so the messages go out once the configuration
is fixed, with a reason that says what to fix.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage

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

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as connection:
                if self.username:
                    connection.login(self.username, self.password)
                refused = connection.send_message(message)
        except smtplib.SMTPNotSupportedError as error:
            raise TemporaryMailError("the mail server does not offer STARTTLS or login as configured "
                                     "(check SMTP_STARTTLS, SMTP_USERNAME)") from error
        except smtplib.SMTPAuthenticationError as error:
            raise TemporaryMailError("the mail server refused the login (check SMTP_USERNAME and SMTP_PASSWORD): "
                                     + _reply(error.smtp_code, error.smtp_error), code=error.smtp_code) from error
        except smtplib.SMTPConnectError as error:  # the greeting said "no service": the server, not the message
            raise TemporaryMailError("the mail server refused the connection: "
                                     + _reply(error.smtp_code, error.smtp_error), code=error.smtp_code) from error
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            raise _by_code(code, "recipient refused: " + _reply(code, text)) from error
        except smtplib.SMTPSenderRefused as error:
            raise _by_code(error.smtp_code, "sender refused: " + _reply(error.smtp_code, error.smtp_error)) from error
        except smtplib.SMTPResponseException as error:
            raise _by_code(error.smtp_code, _reply(error.smtp_code, error.smtp_error)) from error
        except smtplib.SMTPServerDisconnected as error:
            raise TemporaryMailError("the mail server closed the connection") from error
        except ssl.SSLError as error:
            raise TemporaryMailError(f"TLS with the mail server failed: {error.reason or 'handshake error'}") from error
        except (OSError, smtplib.SMTPException) as error:  # refused, unreachable, timed out
            raise TemporaryMailError(f"the mail server at {self.host}:{self.port} is unreachable "
                                     f"({type(error).__name__}: {error})"[:300]) from error
        if refused:  # one recipient per message: a partial refusal is the whole refusal
            code, text = next(iter(refused.values()))
            raise _by_code(code, "recipient refused: " + _reply(code, text))
