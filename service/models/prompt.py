"""A session's timeline, scheduled: one row per step, with its due time and, for chat steps, posting status.

The database is the truth for what is posted and when: the worker claims a row before posting it, and the
moderator console reads the same rows, so the chat and the console never disagree.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.base import Base, UTCDateTime, enum_column, utcnow


class PromptAudience(str, enum.Enum):
    EVERYONE = "everyone"  # posted to the meeting chat and shown on the console
    MODERATOR = "moderator"  # a cue shown on the console only


class PromptStatus(str, enum.Enum):
    PENDING = "pending"
    CLAIMED = "claimed"  # a worker is posting it now
    POSTED = "posted"
    SKIPPED = "skipped"  # not posted on purpose; ``reason`` says why
    FAILED = "failed"  # Zoom kept refusing while the prompt was still useful; ``reason`` says why


class Prompt(Base):
    __tablename__ = "prompts"
    __table_args__ = (
        UniqueConstraint("session_id", "step_key"),
        Index("ix_prompts_status_due_at", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("group_sessions.id", ondelete="CASCADE"), index=True)
    step_key: Mapped[str] = mapped_column(String(40))
    audience: Mapped[PromptAudience] = mapped_column(enum_column(PromptAudience))
    offset_seconds: Mapped[int] = mapped_column(Integer)
    duration_seconds: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Past this moment the step is over and posting its prompt would confuse the group.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[PromptStatus] = mapped_column(enum_column(PromptStatus), default=PromptStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # After a refused or unanswered post: not tried again before this (backoff, Zoom's Retry-After).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_message_id: Mapped[str | None] = mapped_column(String(120))
    reason: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    session = relationship("GroupSession", back_populates="prompts")
