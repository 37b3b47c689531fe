"""Scheduled sessions: a recurring series and its occurrences, or a single session."""

from __future__ import annotations

import enum
import secrets
import uuid
from datetime import date, datetime, time, timedelta

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.base import Base, UTCDateTime, enum_column, utcnow
from service.protocol import SessionKind


def new_calendar_uid() -> str:
    """An iCalendar UID: random, stable for the event's whole life, naming nobody."""
    return f"{uuid.uuid4()}@entre-pairs"


def new_speaking_order_seed() -> str:
    """A secret random value per session: the round table's speaking order is drawn from it (never guessable)."""
    return secrets.token_hex(16)


class SeriesStatus(str, enum.Enum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class SessionStatus(str, enum.Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    ENDED = "ended"


class SessionSeries(Base):
    """A recurrence (weekly or every two weeks), one calendar event and one recurring Zoom meeting."""

    __tablename__ = "session_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    status: Mapped[SeriesStatus] = mapped_column(enum_column(SeriesStatus), default=SeriesStatus.ACTIVE)
    interval_weeks: Mapped[int] = mapped_column(Integer, default=1)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday, as in Python
    local_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    first_date: Mapped[date] = mapped_column(Date)
    # Exactly one of the two ends the series.
    occurrence_count: Mapped[int | None] = mapped_column(Integer)
    until_date: Mapped[date | None] = mapped_column(Date)
    calendar_uid: Mapped[str] = mapped_column(String(80), unique=True, default=new_calendar_uid)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Indexed: a meeting's sync reads its sessions (a scan of every session otherwise: 0.2 s at 5,000 groups).
    zoom_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("zoom_meetings.id", ondelete="SET NULL"),
                                                        index=True)
    # The coordinator confirmed the supervisors agreed (the time falls in working hours). Never sent to anyone.
    supervisor_agreement_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group = relationship("Group")
    sessions: Mapped[list[GroupSession]] = relationship(
        back_populates="series", order_by="GroupSession.original_starts_at", passive_deletes=True
    )
    zoom_meeting = relationship("ZoomMeeting", foreign_keys=[zoom_meeting_id])


class GroupSession(Base):
    """One meeting of a group: a single session, or one occurrence of a series."""

    __tablename__ = "group_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("session_series.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind))
    status: Mapped[SessionStatus] = mapped_column(enum_column(SessionStatus), default=SessionStatus.SCHEDULED)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2))
    # For an occurrence: where the series' rule placed it (its RECURRENCE-ID), even after it moves.
    original_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    moderator_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    # Which centring practice of the guide this session proposes.
    centring_variant: Mapped[int] = mapped_column(Integer, default=0)
    # Draws the round table's speaking order (stable for the session, unknown to anyone).
    speaking_order_seed: Mapped[str] = mapped_column(String(32), default=new_speaking_order_seed)

    # Indexed: a meeting's sync reads its sessions (a scan of every session otherwise: 0.2 s at 5,000 groups).
    zoom_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("zoom_meetings.id", ondelete="SET NULL"),
                                                        index=True)
    zoom_occurrence_id: Mapped[str | None] = mapped_column(String(32))

    # Single sessions carry their own calendar event; occurrences use the series' UID with a RECURRENCE-ID.
    calendar_uid: Mapped[str | None] = mapped_column(String(80), unique=True)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)

    actual_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by the moderator after the session, with no content: the coordinator checks in with the group.
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    supervisor_agreement_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Raised on every change a live console must show; consoles poll it (ETag) instead of the whole page.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group = relationship("Group")
    series: Mapped[SessionSeries | None] = relationship(back_populates="sessions")
    moderator = relationship("Member")
    zoom_meeting = relationship("ZoomMeeting", foreign_keys=[zoom_meeting_id])
    prompts = relationship(
        "Prompt", back_populates="session", order_by="Prompt.offset_seconds", cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status is SessionStatus.CANCELLED
