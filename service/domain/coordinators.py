"""Who may act as a coordinator: logging in (identity provider or local), and bearer tokens for the JSON API.

A coordinator is matched by e-mail address (lower-cased). The first login of an allowed person creates their
:class:`~service.models.Coordinator` in an organisation chosen by :func:`organisation_for_new_coordinator`.
API tokens are random; only their SHA-256 digest is stored, so the database never holds a usable token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from config import Settings
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.rules import clean_text, normalise_email
from service.extensions import db
from service.models import ApiToken, Coordinator, Organisation

# "ep_" makes a leaked token recognisable to secret scanners; 32 random bytes make it unguessable.
TOKEN_PREFIX = "ep_"


class LoginRefused(Exception):
    """The person is not (or no longer) allowed to coordinate. Deliberately carries no detail."""


def is_allowed(settings: Settings, email: str) -> bool:
    """Whether an address may log in, from ``COORDINATOR_ALLOWED_EMAILS`` / ``COORDINATOR_ALLOWED_DOMAINS``."""
    email = email.lower()
    domain = email.rsplit("@", 1)[-1]
    allowed_emails = {value.lower() for value in settings.COORDINATOR_ALLOWED_EMAILS}
    allowed_domains = {value.lower().lstrip("@") for value in settings.COORDINATOR_ALLOWED_DOMAINS}
    return email in allowed_emails or domain in allowed_domains


def organisation_for_new_coordinator(settings: Settings, email: str, name: str | None = None) -> Organisation:
    """``name`` (or ``ORGANISATION_NAME``) if given, created when new; else the oldest one; else a new one."""
    wanted = clean_text(name or settings.ORGANISATION_NAME)
    if wanted:
        existing = db.session.execute(select(Organisation).where(Organisation.name == wanted)).scalars().first()
        return existing or Organisation(name=wanted, timezone=settings.DEFAULT_TIMEZONE)
    oldest = db.session.execute(select(Organisation).order_by(Organisation.id)).scalars().first()
    return oldest or Organisation(name=email.rsplit("@", 1)[-1], timezone=settings.DEFAULT_TIMEZONE)


def find_coordinator(email: str) -> Coordinator | None:
    return db.session.execute(select(Coordinator).where(Coordinator.email == email.lower())).scalar_one_or_none()


def coordinator_for_login(settings: Settings, email: str | None, display_name: str | None,
                          language: str | None = None, allow_unlisted: bool = False) -> Coordinator:
    """The coordinator logging in with this (verified) address, created on a first login if allowed.

    Someone created by ``flask create-coordinator`` may log in even when the allow-lists do not name them;
    ``allow_unlisted`` (the local development login without allow-lists) lets anyone in.
    """
    address = normalise_email(email)
    if address is None:
        raise LoginRefused()
    coordinator = find_coordinator(address)
    if coordinator is None:
        if not (allow_unlisted or is_allowed(settings, address)):
            raise LoginRefused()
        coordinator = Coordinator(
            organisation=organisation_for_new_coordinator(settings, address),
            email=address.lower(),
            display_name=clean_text(display_name)[:120] or address.split("@", 1)[0],
            language=language if language in ("fr", "en") else settings.DEFAULT_LANGUAGE,
        )
        db.session.add(coordinator)
        db.session.flush()
        record(Actor.coordinator(coordinator), "coordinator.created", "coordinator", coordinator.id)
    if not coordinator.is_active:
        raise LoginRefused()
    coordinator.last_login_at = now_utc()
    record(Actor.coordinator(coordinator), "coordinator.logged_in", "coordinator", coordinator.id)
    db.session.commit()
    return coordinator


def session_key(coordinator: Coordinator) -> str:
    """The value every browser session of this coordinator carries (created on their first login after an end)."""
    if coordinator.session_key is None:
        coordinator.session_key = secrets.token_urlsafe(32)
        db.session.commit()
    return coordinator.session_key


def end_sessions(coordinator: Coordinator) -> None:
    """End every browser session of the coordinator, on every device, now (logging out does it)."""
    coordinator.session_key = None
    record(Actor.coordinator(coordinator), "coordinator.sessions_ended", "coordinator", coordinator.id)
    db.session.commit()


@dataclass(frozen=True)
class IssuedToken:
    coordinator: Coordinator
    token: str  # shown once, never stored
    # An existing coordinator named with another organisation: where they stay (not moved) or came from (moved).
    kept_in: Organisation | None = None
    moved_from: Organisation | None = None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_coordinator(settings: Settings, email: str, display_name: str | None = None,
                       organisation_name: str | None = None, label: str = "cli", move: bool = False) -> IssuedToken:
    """Create (or find) a coordinator and issue them a new API token.

    An existing coordinator stays in their organisation even when another one is named — unless ``move``: a
    coordinator sees only their organisation's groups, so moving them is never a side effect of a typo.
    """
    address = normalise_email(email)
    if address is None:
        raise ValueError("not a valid e-mail address")
    coordinator = find_coordinator(address)
    kept_in = moved_from = None
    if coordinator is None:
        coordinator = Coordinator(
            organisation=organisation_for_new_coordinator(settings, address, organisation_name),
            email=address.lower(),
            display_name=clean_text(display_name)[:120] or address.split("@", 1)[0],
            language=settings.DEFAULT_LANGUAGE,
        )
        db.session.add(coordinator)
        db.session.flush()
        record(Actor.coordinator(coordinator), "coordinator.created", "coordinator", coordinator.id)
    elif clean_text(organisation_name) and clean_text(organisation_name) != coordinator.organisation.name:
        if move:
            moved_from = coordinator.organisation
            coordinator.organisation = organisation_for_new_coordinator(settings, address, organisation_name)
            db.session.flush()
            record(Actor.coordinator(coordinator), "coordinator.moved", "coordinator", coordinator.id,
                   from_organisation=moved_from.id, to_organisation=coordinator.organisation_id)
        else:
            kept_in = coordinator.organisation
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(coordinator=coordinator, token_digest=token_digest(token), label=clean_text(label)[:120])
    db.session.add(api_token)
    db.session.flush()
    record(Actor.coordinator(coordinator), "api_token.created", "api_token", api_token.id)
    db.session.commit()
    return IssuedToken(coordinator, token, kept_in, moved_from)


def coordinator_for_token(token: str) -> Coordinator | None:
    """The active coordinator a bearer token belongs to, or ``None`` (unknown, revoked, or deactivated)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    api_token = db.session.execute(
        select(ApiToken).options(joinedload(ApiToken.coordinator))
        .where(ApiToken.token_digest == token_digest(token))
    ).scalar_one_or_none()
    if api_token is None or api_token.revoked_at is not None or not api_token.coordinator.is_active:
        return None
    now = now_utc()
    # Written at most once a minute: reading the API must not turn every request into a write.
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        api_token.last_used_at = now
        db.session.commit()
    return api_token.coordinator
