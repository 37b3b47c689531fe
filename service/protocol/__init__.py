"""The peer-support protocol as pure code: no Flask, Redis, Zoom or SMTP.

``build_timeline`` turns a session (kind, duration, group size, language) into its ordered steps; the
renderings in ``agenda`` turn a timeline into text and HTML. Everything the service says during a session
comes from here.
"""

from service.protocol.agenda import ZOOM_AGENDA_LIMIT, render_agenda_html, render_agenda_text, render_zoom_agenda
from service.protocol.builder import ProtocolError, build_timeline, format_duration
from service.protocol.resources import SupportResource, distress_guidance, support_resources
from service.protocol.stretch import stretch
from service.protocol.timeline import (
    DURATION_RULES,
    MAX_MEMBERS,
    MAX_MEMBERS_EXCEPTION,
    MIN_MEMBERS,
    MIN_MEMBERS_EXCEPTION,
    DurationRule,
    Phase,
    SessionKind,
    Step,
    Timeline,
)

__all__ = [
    "DURATION_RULES",
    "MAX_MEMBERS",
    "MAX_MEMBERS_EXCEPTION",
    "MIN_MEMBERS",
    "MIN_MEMBERS_EXCEPTION",
    "ZOOM_AGENDA_LIMIT",
    "DurationRule",
    "Phase",
    "ProtocolError",
    "SessionKind",
    "Step",
    "SupportResource",
    "Timeline",
    "build_timeline",
    "distress_guidance",
    "format_duration",
    "render_agenda_html",
    "render_agenda_text",
    "render_zoom_agenda",
    "stretch",
    "support_resources",
]
