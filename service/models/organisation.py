"""Organisations and the coordinators who run their groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from service.models.base import Base, UTCDateTime, utcnow


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The organisation's own support resources (its EAP first), per language:
    # {"fr": [{"name": ..., "contact": ..., "detail": ...}], "en": [...]}
    support_resources: Mapped[dict] = mapped_column(JSON, default=dict)
    # Supervisors' pages flag, gently, a moderator with more sessions than this over 4 weeks (either side of today).
    moderator_load_threshold: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    # External moderators join the community of practice too (the coordinator decides).
    practice_includes_external: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Where the organisation's people work: volunteers' availability is read in this zone (new organisations get
    # DEFAULT_TIMEZONE, see domain.coordinators).
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")
    # Work e-mail domains allowed on the public sign-up page (lower-case, no "@").
    signup_domains: Mapped[list] = mapped_column(JSON, default=list)
    # Teams, fields or directions people choose from: [{"key", "name_fr", "name_en"}].
    teams: Mapped[list] = mapped_column(JSON, default=list)
    # The person in charge of the protection of personal information (Law 25 requires one; the notice names them).
    privacy_officer_name: Mapped[str] = mapped_column(String(120), default="")
    privacy_officer_contact: Mapped[str] = mapped_column(String(320), default="")
    # Working hours that ask for the supervisors' agreement: {"weekdays": [1..7], "start": "HH:MM", "end": "HH:MM"}.
    # Empty: Monday to Friday, 8 h to 17 h.
    working_hours: Mapped[dict] = mapped_column(JSON, default=dict)
    # The secret part of the public sign-up page's address; a coordinator can rotate it. Empty: no page.
    signup_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coordinators: Mapped[list[Coordinator]] = relationship(back_populates="organisation")


class Coordinator(Base):
    """HR or wellness staff who form groups and schedule their sessions."""

    __tablename__ = "coordinators"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    # Stored lower-cased: it is how the identity provider's answer is matched.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(2), default="fr")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Every signed-in browser session of this coordinator carries this random value; replacing it (logging out,
    # being blocked) ends them all at once, server side. None: no session is valid. Random rather than a counter,
    # so that a session of a removed coordinator never fits a later one given the same id.
    session_key: Mapped[str | None] = mapped_column(String(64))

    organisation: Mapped[Organisation] = relationship(back_populates="coordinators")
    api_tokens: Mapped[list[ApiToken]] = relationship(back_populates="coordinator", cascade="all, delete-orphan")

    @validates("is_active")
    def _blocking_ends_sessions(self, _key: str, active: bool) -> bool:
        if not active:
            self.session_key = None
        return active


class ApiToken(Base):
    """A bearer token for the JSON API. Only its SHA-256 digest is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("coordinators.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    coordinator: Mapped[Coordinator] = relationship(back_populates="api_tokens")
