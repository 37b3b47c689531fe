"""What a session is called where others can see it: the Zoom meeting's topic, a calendar event's summary.

A group that wants neutral titles (``Group.neutral_invite_title``, on by default) gets « Rencontre d’équipe »
everywhere: a glance at a calendar or at the Zoom app reveals nothing about a support group.
"""

from __future__ import annotations

from service.i18n import N_, gettext
from service.models import Group
from service.protocol import SessionKind

NEUTRAL_TITLE = N_("Rencontre d’équipe")
TITLES = {
    SessionKind.REGULAR: N_("Groupe de soutien entre pairs — %(group)s"),
    SessionKind.KICKOFF: N_("Rencontre de démarrage — %(group)s"),
    SessionKind.REHEARSAL: N_("Répétition de l’animation — %(group)s"),
    SessionKind.PRACTICE: N_("Communauté de pratique — %(group)s"),
}
# Zoom's limit on a topic; calendar summaries are kept as short.
MAX_TITLE_LENGTH = 200


def event_title(group: Group, kind: SessionKind, language: str) -> str:
    if group.neutral_invite_title:
        return gettext(language, NEUTRAL_TITLE)
    title = gettext(language, TITLES[SessionKind(kind)], group=group.name)
    return title if len(title) <= MAX_TITLE_LENGTH else title[: MAX_TITLE_LENGTH - 1] + "…"
