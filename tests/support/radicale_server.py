"""A real CalDAV server (Radicale) in a subprocess: 127.0.0.1, an ephemeral port, a temporary storage folder,
no authentication. Calendar data is checked the way a client would store it: a raw HTTP PUT."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import uuid
from pathlib import Path

import requests

LAUNCHER = Path(__file__).with_name("radicale_launcher.py")


class Radicale:
    def __init__(self, folder: Path):
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.base_url = ""
        self.session = requests.Session()
        # Authentication type "none" accepts any password; the user name picks the owner's collections.
        token = base64.b64encode(b"tester:x").decode()
        self.session.headers["Authorization"] = f"Basic {token}"

    def start(self) -> Radicale:
        config = self.folder / "config"
        config.write_text(
            "[auth]\ntype = none\n"
            "[rights]\ntype = owner_only\n"
            f"[storage]\nfilesystem_folder = {self.folder / 'collections'}\n"
            "[logging]\nlevel = warning\n"
        )
        self._log = (self.folder / "radicale.log").open("wb")
        self.process = subprocess.Popen([sys.executable, str(LAUNCHER), str(config)], stdout=subprocess.PIPE,
                                        stderr=self._log)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode()
        match = re.match(r"PORT (\d+)", line)
        if not match:
            self.stop()
            raise RuntimeError("Radicale did not start: " + (self.folder / "radicale.log").read_text(errors="replace"))
        self.base_url = f"http://127.0.0.1:{match.group(1)}"
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None
        self._log.close()
        self.session.close()

    def new_calendar(self) -> str:
        url = f"{self.base_url}/tester/{uuid.uuid4().hex}/"
        response = self.session.request("MKCALENDAR", url, timeout=10)
        assert response.status_code == 201, response.text
        return url

    def put(self, calendar_data: bytes) -> requests.Response:
        """Store one calendar object in a fresh calendar, as a client saving an invitation would (a stored
        object carries no METHOD: RFC 4791 §4.1)."""
        stored = re.sub(rb"METHOD:[A-Z]+\r\n", b"", calendar_data, count=1)
        url = self.new_calendar() + f"{uuid.uuid4().hex}.ics"
        return self.session.put(url, data=stored, headers={"Content-Type": "text/calendar; charset=utf-8"},
                                timeout=10)
