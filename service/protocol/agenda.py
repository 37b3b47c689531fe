"""Renderings of a timeline for people: the plain-text agenda (invites, Zoom) and the HTML agenda (e-mails, pages).

Only what a participant may see is rendered: moderator cues and guidance stay on the console.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from service.dates import time_label
from service.i18n import gettext, N_
from service.protocol.builder import format_duration
from service.protocol.timeline import SessionKind, Timeline

# Zoom refuses a meeting whose agenda is longer than this.
ZOOM_AGENDA_LIMIT = 2000

AGENDA_HEADINGS = {
    SessionKind.REGULAR: N_("Déroulement de la rencontre (%(duration)s)"),
    SessionKind.KICKOFF: N_("Déroulement de la rencontre de démarrage (%(duration)s)"),
    SessionKind.REHEARSAL: N_("Déroulement de la répétition (%(duration)s)"),
    SessionKind.PRACTICE: N_("Déroulement de la communauté de pratique (%(duration)s)"),
}


def _entries(timeline: Timeline, starts_at: datetime | None, timezone: str | None):
    """(clock or offset label, title, summary or None, length label) for each visible step."""
    tz = ZoneInfo(timezone) if timezone else None
    for step, length in timeline.visible_steps():
        if starts_at is not None:
            moment = starts_at + timedelta(seconds=step.offset_seconds)
            if tz is not None:
                moment = moment.astimezone(tz)
            when = time_label(moment, timeline.language)
        else:
            when = f"+{format_duration(step.offset_seconds)}" if step.offset_seconds else "0 min"
        yield when, step.title, step.summary, format_duration(length)


def agenda_heading(timeline: Timeline) -> str:
    return gettext(
        timeline.language, AGENDA_HEADINGS[timeline.kind], duration=format_duration(timeline.duration_seconds)
    )


def render_agenda_text(timeline: Timeline, starts_at: datetime | None = None, timezone: str | None = None) -> str:
    """The agenda as plain text: one line per step, its question or key message under it.

    With ``starts_at`` (aware) the lines show the clock time in ``timezone``; without, offsets from the start,
    which suits a recurring meeting whose occurrences all share one agenda.
    """
    lines = [agenda_heading(timeline)]
    for when, title, summary, length in _entries(timeline, starts_at, timezone):
        lines.append(f"{when} · {title} ({length})")
        if summary:
            lines.append(f"    {summary}")
    return "\n".join(lines)


def render_zoom_agenda(timeline: Timeline) -> str:
    """The agenda stored in the Zoom meeting (offsets only: one agenda serves every occurrence)."""
    text = render_agenda_text(timeline)
    if len(text) > ZOOM_AGENDA_LIMIT:  # never expected: the tests check every kind and language fits
        text = text[: ZOOM_AGENDA_LIMIT - 1] + "…"
    return text


def render_agenda_html(timeline: Timeline, starts_at: datetime | None = None, timezone: str | None = None) -> str:
    """The agenda as an HTML fragment (an ordered list), every text escaped."""
    items = []
    for when, title, summary, length in _entries(timeline, starts_at, timezone):
        summary_html = f'<br><span class="agenda-summary">{escape(summary)}</span>' if summary else ""
        items.append(
            f'<li><span class="agenda-when">{escape(when)}</span> '
            f'<strong>{escape(title)}</strong> <span class="agenda-length">({escape(length)})</span>'
            f"{summary_html}</li>"
        )
    return (
        f'<section class="agenda" lang="{escape(timeline.language)}"><h2>{escape(agenda_heading(timeline))}</h2>'
        f'<ol class="agenda-steps">{"".join(items)}</ol></section>'
    )
