"""A local server that speaks Zoom's API: the default Zoom in development (``ZOOM_MODE=sandbox``) and the test double.

Run it with ``python -m integrations.zoom.sandbox --port 8765 --webhook-url http://127.0.0.1:5000/webhooks/zoom``
(``scripts/run`` does, through ``Procfile.dev``), then open http://127.0.0.1:8765/ to see the meetings and, on
each meeting's page, its chat as a participant sees it.

What it serves (``api``): the OAuth token endpoint (tokens that really expire), meetings with recurring
occurrences (create, get, patch, delete), and the Team Chat send-message endpoint, with Zoom's status codes,
error bodies and fields; it refuses what Zoom refuses (``validation``) and enforces Zoom's per-second and
daily limits with Zoom's 429 headers. Its control API (``control``) injects latency and faults, changes the
limits, fires signed ``meeting.started``/``meeting.ended``/``meeting.deleted`` notices at the service, and lists
chat messages with the time each was received. State lives in memory (``state``).

Modules: ``state``, ``validation``, ``meetings`` (the meeting resource and its occurrences), ``api``,
``webhooks`` (signed notices), ``control``, ``pages`` (HTML), ``__main__`` (the threaded server).
"""

from __future__ import annotations

from flask import Flask

from integrations.zoom.sandbox.state import SandboxConfig, SandboxState

__all__ = ["SandboxConfig", "SandboxState", "create_sandbox_app"]


def create_sandbox_app(config: SandboxConfig) -> Flask:
    from integrations.zoom.sandbox import api, control, pages

    app = Flask(__name__, static_url_path="/_sandbox/static")
    app.extensions["zoom_sandbox"] = SandboxState(config)
    app.json.sort_keys = False
    app.register_blueprint(api.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(pages.bp)
    return app
