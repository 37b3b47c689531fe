"""Pages a person opens in a browser: every meeting, and one meeting's chat as a participant sees it.

``/j/<id>`` is where a meeting's ``join_url`` leads: open the link from an invitation and watch the prompts
arrive. The pages refresh themselves every few seconds with a ``<meta http-equiv="refresh">`` (no script).
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, render_template

from integrations.zoom.sandbox.state import SandboxState

bp = Blueprint("zoom_sandbox_pages", __name__)

REFRESH_SECONDS = 3


def state() -> SandboxState:
    return current_app.extensions["zoom_sandbox"]


@bp.app_template_filter("clock")
def clock(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).astimezone().strftime("%H:%M:%S")


@bp.get("/")
def index():
    with state().lock:
        meetings = sorted(state().meetings.values(), key=lambda m: m["start_time"])
        counts = {m["id"]: sum(1 for msg in state().messages if msg.meeting_id == m["id"]) for m in meetings}
        rows = [dict(m) for m in meetings]
    return render_template("index.html", meetings=rows, counts=counts, refresh=REFRESH_SECONDS)


@bp.get("/j/<int:meeting_id>")
@bp.get("/s/<int:meeting_id>")
@bp.get("/_sandbox/meetings/<int:meeting_id>/page")
def meeting_page(meeting_id: int):
    with state().lock:
        meeting = state().meetings.get(meeting_id)
        if meeting is None:
            abort(404)
        meeting = dict(meeting)
        messages = [m for m in state().messages if m.meeting_id == meeting_id]
    return render_template("meeting.html", meeting=meeting, messages=messages, refresh=REFRESH_SECONDS)
