"""Scheduling rules that are questions rather than refusals: the coordinator may answer « yes, really ».

Each names, as its field, the flag that answers it (``daylight_saving_confirmed``...): a page asks it with a
checkbox before saving; the API answers 422 until the flag is sent. A time the clocks skip or repeat on some date
(the pure logic is :mod:`service.domain.occurrences`), a second kick-off, a regular session before the kick-off.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from service.domain.errors import Violation
from service.domain.occurrences import LocalTimeIssue, Occurrence, occurrence, with_issue
from service.extensions import db
from service.formatting import LocalMoments
from service.i18n import N_
from service.models import Group, GroupSession, SessionStatus
from service.protocol import SessionKind

QUESTIONS = frozenset({"nonexistent_local_time", "ambiguous_local_time", "before_kickoff", "kickoff_exists"})

LOCAL_TIME_QUESTIONS = {
    LocalTimeIssue.NONEXISTENT: (
        "nonexistent_local_time",
        N_("Cette heure n’existe pas le %(dates)s : cette nuit-là, les horloges avancent d’une heure (passage à "
           "l’heure avancée). La rencontre commencerait donc une heure plus tard. Choisissez une autre heure, "
           "ou confirmez ce décalage.")),
    LocalTimeIssue.AMBIGUOUS: (
        "ambiguous_local_time",
        N_("Cette heure revient deux fois le %(dates)s : cette nuit-là, les horloges reculent d’une heure (retour "
           "à l’heure normale). La rencontre aurait lieu la première fois, encore à l’heure avancée. Choisissez "
           "une autre heure, ou confirmez.")),
}


def check_local_times(found: Sequence[Occurrence], zone: str, confirmed: bool) -> list[Violation]:
    """A time the clocks skip or repeat on some date is never moved silently: ask, unless already confirmed."""
    if confirmed:
        return []
    violations = []
    for issue, (code, message_id) in LOCAL_TIME_QUESTIONS.items():
        dates = tuple(o.starts_at for o in with_issue(found, issue))
        if dates:
            violations.append(Violation(code, message_id, "daylight_saving_confirmed",
                                        {"dates": LocalMoments(dates, zone)}))
    return violations


def as_typed(local_start_at: datetime, zone: str) -> list[Occurrence]:
    """A wall-clock time as typed (naive) can be one the clocks skip or repeat; an instant with its offset cannot."""
    if local_start_at.tzinfo is not None:
        return []
    return [occurrence(local_start_at.date(), local_start_at.time(), zone)]


def kickoff_of(group: Group) -> GroupSession | None:
    """The group's kick-off meeting (the first one not cancelled), if it has one."""
    return db.session.execute(
        select(GroupSession).where(GroupSession.group_id == group.id, GroupSession.kind == SessionKind.KICKOFF,
                                   GroupSession.status != SessionStatus.CANCELLED)
        .order_by(GroupSession.starts_at).limit(1)
    ).scalar_one_or_none()


def check_kickoff_order(group: Group, kind: SessionKind, starts_at: datetime, before_kickoff_confirmed: bool,
                        second_kickoff_confirmed: bool) -> list[Violation]:
    """The kick-off comes first, and once: a second one, or a regular session before it, is asked about."""
    kickoff = kickoff_of(group)
    if kickoff is None:
        return []
    when = {"when": LocalMoments((kickoff.starts_at,), group.timezone, with_time=True)}
    if kind is SessionKind.KICKOFF and not second_kickoff_confirmed:
        return [Violation("kickoff_exists",
                          N_("Ce groupe a déjà sa rencontre de démarrage (%(when)s). Déplacez-la plutôt que d’en "
                             "planifier une deuxième, ou confirmez qu’il en faut vraiment une deuxième."),
                          "second_kickoff_confirmed", when, session_id=kickoff.id)]
    if kind is SessionKind.REGULAR and starts_at < kickoff.starts_at and not before_kickoff_confirmed:
        return [Violation("before_kickoff",
                          N_("Cette rencontre régulière aurait lieu avant la rencontre de démarrage (%(when)s), qui "
                             "pose le cadre du groupe. Choisissez une date qui suit, déplacez la rencontre de "
                             "démarrage, ou confirmez."),
                          "before_kickoff_confirmed", when, session_id=kickoff.id)]
    return []
