"""Personal links: the participant's page and the moderator's console, signed and revocable.

A link carries a signed token naming the member (and, for the console, the session) with the member's
``link_nonce``: when a member leaves, the nonce changes and every link already sent stops working. A console
link works for its session only, until ``LINK_VALID_DAYS_AFTER_SESSION`` days after the session ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from config import Settings
from service.extensions import db
from service.models import GroupSession, Member, MemberStatus, Supervisor

PARTICIPANT = "participant-page"
CONSOLE = "moderator-console"
SUPERVISOR = "supervisor-page"


class InvalidLink(Exception):
    """The token is forged, revoked or expired (the visitor is not told which)."""


@dataclass(frozen=True)
class ConsoleAccess:
    member: Member
    session: GroupSession


@dataclass(frozen=True)
class ConsoleClaims:
    """What a console token says, its signature checked but nothing looked up yet."""

    member_id: int
    nonce: str
    session_id: int


def _serializer(settings: Settings, purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(settings.SECRET_KEY, salt=f"entre-pairs/{purpose}")


def participant_token(settings: Settings, member: Member) -> str:
    return _serializer(settings, PARTICIPANT).dumps({"m": member.id, "n": member.link_nonce})


def console_token(settings: Settings, member: Member, session: GroupSession) -> str:
    return _serializer(settings, CONSOLE).dumps({"m": member.id, "n": member.link_nonce, "s": session.id})


def participant_url(settings: Settings, member: Member) -> str:
    return f"{settings.BASE_URL}/p/{participant_token(settings, member)}"


def console_url(settings: Settings, member: Member, session: GroupSession) -> str:
    return f"{settings.BASE_URL}/m/{console_token(settings, member, session)}"


def _load(settings: Settings, purpose: str, token: str) -> dict:
    try:
        data = _serializer(settings, purpose).loads(token)
    except BadSignature as error:
        raise InvalidLink() from error
    if not isinstance(data, dict):
        raise InvalidLink()
    return data


def _member(data: dict) -> Member:
    member_id = data.get("m")
    member = db.session.get(Member, member_id) if isinstance(member_id, int) else None
    if member is None or member.status is not MemberStatus.ACTIVE or not member.link_nonce:
        raise InvalidLink()
    if data.get("n") != member.link_nonce:
        raise InvalidLink()
    return member


def member_from_participant_token(settings: Settings, token: str) -> Member:
    return _member(_load(settings, PARTICIPANT, token))


def console_claims(settings: Settings, token: str) -> ConsoleClaims:
    """The token's claims after checking its signature only: the console's cheap poll checks the rest itself."""
    data = _load(settings, CONSOLE, token)
    member_id, nonce, session_id = data.get("m"), data.get("n"), data.get("s")
    if not (isinstance(member_id, int) and isinstance(session_id, int) and isinstance(nonce, str) and nonce):
        raise InvalidLink()
    return ConsoleClaims(member_id, nonce, session_id)


def console_access(settings: Settings, token: str, now: datetime) -> ConsoleAccess:
    data = _load(settings, CONSOLE, token)
    member = _member(data)
    session_id = data.get("s")
    session = db.session.get(GroupSession, session_id) if isinstance(session_id, int) else None
    if session is None or session.group_id != member.group_id or session.moderator_id != member.id:
        raise InvalidLink()
    if now > session.ends_at + timedelta(days=settings.LINK_VALID_DAYS_AFTER_SESSION):
        raise InvalidLink()
    return ConsoleAccess(member, session)


def supervisor_token(settings: Settings, supervisor: Supervisor) -> str:
    return _serializer(settings, SUPERVISOR).dumps({"v": supervisor.id, "n": supervisor.link_nonce})


def supervisor_url(settings: Settings, supervisor: Supervisor) -> str:
    return f"{settings.BASE_URL}/s/{supervisor_token(settings, supervisor)}"


def supervisor_from_token(settings: Settings, token: str) -> Supervisor:
    """A supervisor's page: no account, this link (revoked when the supervisor is removed)."""
    data = _load(settings, SUPERVISOR, token)
    supervisor_id = data.get("v")
    supervisor = db.session.get(Supervisor, supervisor_id) if isinstance(supervisor_id, int) else None
    if supervisor is None or not supervisor.link_nonce or data.get("n") != supervisor.link_nonce:
        raise InvalidLink()
    return supervisor
