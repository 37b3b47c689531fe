"""Fixtures for the invitation tests: a real SMTP server, the application pointed at it, a CalDAV server,
and helpers that run the mail queue with a real RQ worker and read what arrived.

Registered for every test by ``tests/conftest.py`` (``pytest_plugins``); test modules import the helpers.
"""

from __future__ import annotations

from dataclasses import replace
from email.message import EmailMessage

import pytest
from rq import Queue, SimpleWorker

from service.app import create_app
from service.domain import invitations
from service.extensions import db
from service.models import MeetingStatus, ZoomMeeting
from tests.support.mailserver import MailServer, Received
from tests.support.radicale_server import Radicale

MAIL_FROM = "Entre pairs <entre-pairs@exemple.ca>"
JOIN_URL = "https://zoom.exemple/j/81234567890?pwd=Zk9aQ"


@pytest.fixture
def smtp():
    with MailServer() as server:
        yield server


@pytest.fixture
def mail_app(app, settings, smtp, tmp_path):
    """The application, its mail going to the test SMTP server (tables emptied and Redis flushed by ``app``)."""
    mail_settings = replace(settings, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False,
                            MAIL_FROM=MAIL_FROM, MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))
    application = create_app(mail_settings, {"WTF_CSRF_ENABLED": False})
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    application.extensions["redis"].close()


@pytest.fixture(scope="session")
def radicale(tmp_path_factory):
    server = Radicale(tmp_path_factory.mktemp("radicale")).start()
    yield server
    server.stop()


class _BurstWorker(SimpleWorker):
    """RQ's in-process worker, without the channel it listens on for remote commands (a test sends none, and
    closing it costs a second per run)."""

    def subscribe(self) -> None:
        pass


def run_mail_jobs(application) -> None:
    """Run every job waiting on the mail queue with a real RQ worker, in this process."""
    redis = application.extensions["redis"]
    _BurstWorker([Queue("mail", connection=redis)], connection=redis).work(burst=True)


def make_ready(meeting: ZoomMeeting, join_url: str = JOIN_URL, passcode: str = "482913") -> None:
    """What the Zoom lifecycle does once the meeting exists: store its link, then release the invitations."""
    meeting.status = MeetingStatus.READY
    meeting.join_url = join_url
    meeting.passcode = passcode
    invitations.meeting_ready(meeting.id)
    db.session.commit()


def calendar_of(message: EmailMessage) -> bytes:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part.get_payload(decode=True)


def every_text(received: Received) -> str:
    """The raw message and every part decoded: where an address could hide."""
    texts = [received.data.decode("utf-8", "replace")]
    for part in received.message.walk():
        if not part.is_multipart():
            texts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    texts += [str(value) for value in received.message.values()]
    return "\n".join(texts).lower()
