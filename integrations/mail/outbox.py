"""The development outbox: each message becomes one ``.eml`` file instead of leaving the machine.

Files are written whole (a temporary name, then a rename), so a reader never sees half a message. The
development page (``service/outbox``) lists them with :func:`list_messages` and opens one with
:func:`read_message`.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.message import Message
from email.parser import BytesHeaderParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from integrations.mail.errors import TemporaryMailError

_SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+\.eml$")


def _file_stem(message: Message) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    token = re.sub(r"[^A-Za-z0-9.-]", "", str(message.get("Message-ID", "")).split("@")[0])[:60]
    return f"{stamp}-{token or 'message'}"


class OutboxTransport:
    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def send(self, message: Message) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".eml.tmp")
            with os.fdopen(handle, "wb") as output:
                output.write(message.as_bytes(policy=message.policy.clone(linesep="\r\n")))
            os.replace(temporary, self.directory / f"{_file_stem(message)}.eml")
        except OSError as error:
            raise TemporaryMailError(f"the outbox folder cannot be written ({error.strerror})") from error


@dataclass(frozen=True)
class OutboxEntry:
    name: str
    subject: str
    recipient: str
    date: datetime | None


def list_messages(directory: str | os.PathLike, limit: int = 200) -> list[OutboxEntry]:
    """The newest messages first."""
    folder = Path(directory)
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        with path.open("rb") as handle:
            headers = BytesHeaderParser(policy=policy.default).parse(handle)
        try:
            date = parsedate_to_datetime(str(headers["Date"])) if headers["Date"] else None
        except (TypeError, ValueError):
            date = None
        entries.append(OutboxEntry(path.name, str(headers["Subject"] or ""), str(headers["To"] or ""), date))
    return entries


def read_message(directory: str | os.PathLike, name: str) -> bytes | None:
    """The raw message, or None for a name that is not a message of this folder."""
    if not _SAFE_NAME.match(name):
        return None
    path = Path(directory) / name
    return path.read_bytes() if path.is_file() else None
