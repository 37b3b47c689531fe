"""What coordinators (and the system on their behalf) did: who, what, when. Never personal content."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, UTCDateTime, enum_column, utcnow


class ActorKind(str, enum.Enum):
    COORDINATOR = "coordinator"
    MODERATOR = "moderator"
    MEMBER = "member"
    SYSTEM = "system"
    SUPERVISOR = "supervisor"  # through their personal link (``models.practice.Supervisor``)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign keys: the trail outlives the groups and people it mentions (by id only).
    organisation_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_kind: Mapped[ActorKind] = mapped_column(enum_column(ActorKind))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int | None] = mapped_column(Integer)
    # Counts, states and other non-personal facts only (see domain.audit.record).
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
