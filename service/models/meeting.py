"""The Zoom meeting behind a single session or a whole series (one recurring meeting per series)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, UTCDateTime, enum_column, utcnow


class MeetingStatus(str, enum.Enum):
    PENDING = "pending"  # to be created or updated by the worker
    WAITING = "waiting"  # cannot be created yet (no host has room); ``waiting_reason`` says why
    READY = "ready"  # exists in Zoom and matches our plans
    FAILED = "failed"  # Zoom refused it for good; ``last_error`` says why
    DELETED_IN_ZOOM = "deleted_in_zoom"  # someone deleted it in Zoom: the coordinator must act
    DELETED = "deleted"  # we deleted it (cancelled)


class ZoomMeeting(Base):
    __tablename__ = "zoom_meetings"
    # The sweep's question every few seconds: which meetings wait for a sync (few, among every group's).
    __table_args__ = (Index("ix_zoom_meetings_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    status: Mapped[MeetingStatus] = mapped_column(enum_column(MeetingStatus), default=MeetingStatus.PENDING)
    recurring: Mapped[bool] = mapped_column(Boolean, default=False)
    # Zoom's meeting id is an int64 that can exceed 10 digits: kept as text.
    zoom_id: Mapped[str | None] = mapped_column(String(32), index=True)
    host_user: Mapped[str | None] = mapped_column(String(320))
    join_url: Mapped[str | None] = mapped_column(Text)
    passcode: Mapped[str | None] = mapped_column(String(10))
    chat_channel_id: Mapped[str | None] = mapped_column(String(120))
    waiting_reason: Mapped[str | None] = mapped_column(String(60))
    last_error: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When a WAITING (or backed-off PENDING) meeting is tried again; the sweep picks it up then.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
