"""Everything the console page shows, gathered once per request (the template only lays it out)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

from flask_babel import gettext as _

from config import Settings
from service.dates import clock_label, date_label, zone_label
from service.domain.prompts import chat_enabled_for
from service.domain.timelines import timeline_for
from service.extensions import db
from service.i18n import N_, gettext
from service.models import GroupSession, MeetingStatus, Organisation, SessionStatus
from service.moderator.state import ConsoleStep, console_steps, plan_version, snapshot
from service.protocol import SessionKind, SupportResource, Timeline, distress_guidance, support_resources

# Before the start, "+2 minutes" (a late start) is offered this many seconds ahead; "end" only once it runs.
SOON = 15 * 60

KIND_LABELS = {
    SessionKind.REGULAR: N_("Rencontre de soutien entre pairs"),
    SessionKind.KICKOFF: N_("Rencontre de démarrage"),
    SessionKind.REHEARSAL: N_("Répétition"),
    SessionKind.PRACTICE: N_("Communauté de pratique"),
}


@dataclass(frozen=True)
class Moment:
    """Where the session stands at a given instant (the page's script recomputes the same every second)."""

    phase: str  # before, running, over, cancelled
    current: ConsoleStep | None
    next: ConsoleStep | None


def moment_at(steps: list[ConsoleStep], status: SessionStatus, now: datetime) -> Moment:
    if status is SessionStatus.CANCELLED:
        return Moment("cancelled", None, None)
    if status is SessionStatus.ENDED or not steps or steps[-1].expires_at <= now:
        return Moment("over", None, None)
    started = [step for step in steps if step.due_at <= now]
    upcoming = [step for step in steps if step.due_at > now]
    following = upcoming[0] if upcoming else None
    if not started:
        return Moment("before", None, following)
    return Moment("running", started[-1], following)


@dataclass(frozen=True)
class ConsoleView:
    session: GroupSession
    title: str
    date: str
    starts: str
    ends: str
    zone: str
    steps: list[ConsoleStep]
    moment: Moment
    key_message: str
    resources: list[SupportResource]
    distress_guidance: str
    join_url: str | None
    chat_enabled: bool
    plan_version: str
    snapshot: dict[str, object]
    poll_seconds: float
    now: datetime

    def until(self, moment: datetime) -> float:
        return (moment - self.now).total_seconds()

    @property
    def speakers(self) -> list[dict[str, str]]:
        return self.snapshot["speakers"]

    @property
    def controls(self) -> dict[str, bool]:
        """Which controls are offered now (the script keeps this up to date as time passes)."""
        phase, current, following = self.moment.phase, self.moment.current, self.moment.next
        about_to_start = phase == "before" and following is not None and self.until(following.due_at) <= SOON
        running = phase == "running"
        key_message_ahead = bool(self.snapshot["key_message_ahead"])
        return {
            "start": phase == "before",
            # Once it runs, starting again is a deliberate act behind a confirmation, not the main button.
            "restart": running and current is self.steps[0],
            "extra_time": running or about_to_start,
            "next_step": running and following is not None,
            "keep_end": running and bool(self.snapshot["can_keep_end"]),
            "end": running,
            "end_with_key_message": running and key_message_ahead,
            "end_plain": running and not key_message_ahead,
            "follow_up": phase == "over",
        }


def console_view(session: GroupSession, now: datetime, settings: Settings, language: str) -> ConsoleView:
    """``language``: the viewer's, in which the console's own words, the steps' titles and guidance, every date
    and time and the help panel are shown; what the chat receives stays in the session's language."""
    steps = console_steps(session, _for_the_viewer(timeline_for(session), session, language))
    zone = session.timezone
    organisation = db.session.get(Organisation, session.group.organisation_id)
    meeting = session.zoom_meeting
    join_url = meeting.join_url if meeting is not None and meeting.status is MeetingStatus.READY else None
    key_step = next((item.step for item in steps if item.key == "key_message"), None)
    return ConsoleView(
        session=session,
        title=gettext(language, KIND_LABELS[session.kind]),
        date=date_label(session.starts_at, zone, language),
        starts=clock_label(session.starts_at, zone, language),
        ends=clock_label(session.ends_at, zone, language),
        zone=zone_label(session.starts_at, zone, language),
        steps=steps,
        moment=moment_at(steps, session.status, now),
        key_message=key_step.summary if key_step is not None and key_step.summary else "",
        resources=support_resources(language, organisation.support_resources if organisation else None),
        distress_guidance=distress_guidance(language),
        join_url=join_url,
        chat_enabled=chat_enabled_for(session, settings.CHAT_PROMPTS_ENABLED),
        plan_version=plan_version(session),
        snapshot=snapshot(session, now, language, steps),
        poll_seconds=settings.CONSOLE_POLL_SECONDS,
        now=now,
    )


def _for_the_viewer(timeline: Timeline, session: GroupSession, language: str) -> Timeline:
    """The words for the moderator alone — each step's title and its "For you" guidance — in the viewer's
    language; what the chat receives (the posted text, the question in play, the key message) stays in the
    session's, since that is what the members read in the meeting."""
    if language == timeline.language:
        return timeline
    viewer = {step.key: step for step in timeline_for(session, language).steps}
    return replace(timeline, steps=tuple(
        replace(step, title=viewer[step.key].title, moderator_text=viewer[step.key].moderator_text)
        if step.key in viewer else step
        for step in timeline.steps))


def countdown(seconds: float) -> str:
    """'4:05', '1:02:03', '2 j 3:04:05': what the page shows before its script takes over (same format)."""
    total = max(0, math.ceil(seconds))
    days, total = divmod(total, 86400)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f"{_('%(days)s j', days=days)} {text}" if days else text
