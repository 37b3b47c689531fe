"""The console's "did anything change?" answer, cheap enough for a thousand open consoles.

A poll verifies the link's signature (no database), then reads two Redis keys in one round trip: the session's
published revision and a short-lived grant saying this link was checked against the database a moment ago.
Only when the grant is missing (about once a minute per console, or after any change to the session) does it run
one query by primary key, which re-checks everything ``service.links.console_access`` checks (the member is the
session's moderator, still active, with the same link nonce, and the link has not expired).

A revoked link (the moderator left the group) can therefore read the revision number — nothing else — for at most
``GRANT_TTL_SECONDS``; the full state and every control check the database each time.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import select

from config import Settings
from service import links
from service.extensions import db
from service.models import GroupSession, Member, MemberStatus
from service.revisions import grant_key, publish, revision_key

log = logging.getLogger(__name__)

# How long a checked link is trusted without the database. Each grant lives a random share of this (from 3/4 to
# all of it) so that consoles opened together do not all go back to the database in the same second.
GRANT_TTL_SECONDS = 60


@dataclass(frozen=True)
class Poll:
    session_id: int
    revision: int

    @property
    def etag(self) -> str:
        return f"{self.session_id}.{self.revision}"


def _grant_value(member_id: int, nonce: str, valid_until: datetime) -> str:
    return f"{member_id}|{nonce}|{int(valid_until.timestamp())}"


def _grant_allows(value: bytes | None, member_id: int, nonce: str, now: datetime) -> bool:
    if value is None:
        return False
    stored_member, stored_nonce, until = value.decode().split("|")
    return stored_member == str(member_id) and stored_nonce == nonce and now.timestamp() <= int(until)


def from_database(settings: Settings, session_id: int, member_id: int, nonce: str,
                  now: datetime) -> tuple[int, datetime] | None:
    """(revision, link valid until) when the link is good, else ``None``. One query by primary key."""
    row = db.session.execute(
        select(GroupSession.revision, GroupSession.starts_at, GroupSession.duration_minutes, Member.link_nonce,
               Member.status)
        .join(Member, Member.id == GroupSession.moderator_id)
        .where(GroupSession.id == session_id, Member.id == member_id)
    ).first()
    if row is None:
        return None
    revision, starts_at, duration, link_nonce, status = row
    valid_until = starts_at + timedelta(minutes=duration, days=settings.LINK_VALID_DAYS_AFTER_SESSION)
    if status is not MemberStatus.ACTIVE or not link_nonce or link_nonce != nonce or now > valid_until:
        return None
    return revision, valid_until


def poll(settings: Settings, token: str, now: datetime) -> Poll:
    """The session's current revision for a console link; raises :class:`links.InvalidLink`."""
    claims = links.console_claims(settings, token)
    redis: Redis = current_app.extensions["redis"]
    try:
        published, grant = redis.mget(revision_key(claims.session_id), grant_key(claims.session_id))
    except RedisError:
        log.warning("console poll without Redis for session %s: reading the database", claims.session_id)
        published, grant = None, None
        redis = None
    if published is not None and _grant_allows(grant, claims.member_id, claims.nonce, now):
        return Poll(claims.session_id, int(published))

    checked = from_database(settings, claims.session_id, claims.member_id, claims.nonce, now)
    if checked is None:
        raise links.InvalidLink()
    revision, valid_until = checked
    if redis is not None:
        try:
            revision = publish(redis, claims.session_id, revision)
            redis.set(grant_key(claims.session_id), _grant_value(claims.member_id, claims.nonce, valid_until),
                      ex=random.randint(GRANT_TTL_SECONDS * 3 // 4, GRANT_TTL_SECONDS))
        except RedisError:
            log.warning("could not cache the console grant of session %s", claims.session_id)
    return Poll(claims.session_id, revision)
