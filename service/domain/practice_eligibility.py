"""Who belongs to the community of practice: a pure function over plain values (no database, no Flask).

The source documents: « Pour aider les modérateurs internes dans leur rôle, un soutien hebdomadaire est mis en
place sous forme de communauté de pratiques ». So: every internal moderator who moderated in the last 8 weeks or
is scheduled to in the next 8, plus the supervisors; a moderator may step out; external moderators join only if
the coordinator says so. ``service.domain.practice`` feeds it from the database and applies the difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(weeks=8)
MODERATOR = "moderator"
SUPERVISOR = "supervisor"


@dataclass(frozen=True)
class Moderation:
    """One session someone moderates (or moderated): not cancelled, not a rehearsal, not a practice session."""

    email_key: str
    display_name: str
    email: str
    language: str
    external: bool
    starts_at: datetime
    reports_to_email: str | None = None


@dataclass(frozen=True)
class Person:
    """A supervisor, or anyone the community's membership is computed for."""

    email_key: str
    display_name: str
    email: str
    language: str


@dataclass(frozen=True)
class Eligible:
    email_key: str
    display_name: str
    email: str
    language: str
    role: str  # MODERATOR or SUPERVISOR
    supervisor_id: int | None = None
    reports_to_email: str | None = None


def eligible_members(moderations: Iterable[Moderation], supervisors: Iterable[tuple[int, Person]],
                     opted_out: set[str], include_external: bool, now: datetime) -> dict[str, Eligible]:
    """Everyone who belongs now, by address key. A supervisor who also moderates belongs as a supervisor."""
    members: dict[str, Eligible] = {}
    latest: dict[str, datetime] = {}
    for item in moderations:
        if not now - WINDOW <= item.starts_at <= now + WINDOW:
            continue
        if item.email_key in opted_out or (item.external and not include_external):
            continue
        # The most recent session gives the name and address (a person may moderate in several groups).
        if item.email_key not in latest or item.starts_at > latest[item.email_key]:
            latest[item.email_key] = item.starts_at
            members[item.email_key] = Eligible(item.email_key, item.display_name, item.email, item.language,
                                               MODERATOR, reports_to_email=item.reports_to_email)
    for supervisor_id, person in supervisors:
        if person.email_key in opted_out:  # anyone may leave at once, a supervisor too
            members.pop(person.email_key, None)
            continue
        members[person.email_key] = Eligible(person.email_key, person.display_name, person.email, person.language,
                                             SUPERVISOR, supervisor_id)
    return members


def community_for(person: Eligible, languages: set[str]) -> str | None:
    """Which community (by language) a person joins: their own language's if it exists, else the only one.

    Supervisors support everyone: ``None`` means every community.
    """
    if person.role == SUPERVISOR:
        return None
    return person.language if person.language in languages else min(languages)
