"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests: an ephemeral port, messages kept, refusals on demand."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Recorder:
    """The server's behaviour: what it received, and which replies it gives instead of accepting."""

    received: list[Received] = field(default_factory=list)
    refuse_recipients: dict[str, str] = field(default_factory=dict)  # address -> reply, e.g. "550 5.1.1 ..."
    refuse_all: str | None = None  # a reply to every RCPT, e.g. "451 4.3.0 try later"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refuse_all or self.refuse_recipients.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


class _EphemeralController(Controller):
    """aiosmtpd's controller, bound to port 0: the port the OS chose is read back before the first use."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class MailServer:
    def __init__(self, *, tls_context: ssl.SSLContext | None = None, credentials: tuple[str, str] | None = None):
        self.recorder = Recorder()
        kwargs: dict[str, object] = {}
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=True)
        if credentials is not None:
            kwargs.update(authenticator=_Authenticator(*credentials), auth_require_tls=tls_context is not None)
        self.controller = _EphemeralController(self.recorder, hostname="127.0.0.1", port=0, **kwargs)

    def __enter__(self) -> MailServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    @property
    def received(self) -> list[Received]:
        return self.recorder.received


class _Authenticator:
    def __init__(self, username: str, password: str):
        self.username, self.password = username.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and auth_data.login == self.username \
                and auth_data.password == self.password:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)
