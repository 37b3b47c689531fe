"""Availability polls: candidate weekly slots, each member's private answers, and the e-mails about them.

Answers are stored per member only so that the person can change them; nobody ever reads one person's answers
(pages, API, e-mails and the audit trail show counts). Once the poll is decided or closed, the counts are kept
(``final_counts``) and the answers themselves are erased (``service.domain.polls.erase_spent_answers``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.base import Base, UTCDateTime, enum_column, utcnow


class PollStatus(str, enum.Enum):
    OPEN = "open"
    DECIDED = "decided"
    CLOSED = "closed"  # reached its closing time, or closed without a decision


class PollLetterKind(str, enum.Enum):
    INVITATION = "invitation"  # please answer
    REMINDER = "reminder"  # the coordinator's one reminder, to those who have not answered
    AUTO_REMINDER = "auto_reminder"  # the service's own reminder, 48 h before closing
    DECISION = "decision"  # what the group chose


class PollLetterStatus(str, enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"  # not needed any more (the person left, or answered before the reminder went)


class Poll(Base):
    __tablename__ = "polls"
    __table_args__ = (Index("ix_polls_status_closes_at", "status", "closes_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    status: Mapped[PollStatus] = mapped_column(enum_column(PollStatus), default=PollStatus.OPEN)
    # [{"weekday": 1..7, "local_time": "HH:MM", "duration_minutes": n}] in the group's zone, in the order proposed.
    slots: Mapped[list] = mapped_column(JSON)
    interval_weeks: Mapped[int] = mapped_column(Integer, default=1)
    occurrence_count: Mapped[int] = mapped_column(Integer)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Each reminder goes once: the flag is claimed by one conditional UPDATE before anything is written.
    manual_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    auto_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_slot: Mapped[int | None] = mapped_column(Integer)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("session_series.id", ondelete="SET NULL"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # decided or closed
    # The counts as they stood when the poll ended; the answers behind them are erased after a short while.
    final_counts: Mapped[dict | None] = mapped_column(JSON)
    answers_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    group = relationship("Group")
    series = relationship("SessionSeries")


class PollResponse(Base):
    """One member's answers to one poll: ``choices[i]`` is "yes", "if_need_be" or "no" for slot ``i``."""

    __tablename__ = "poll_responses"
    __table_args__ = (UniqueConstraint("poll_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    choices: Mapped[list] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PollLetter(Base):
    """One e-mail about a poll to one member; the unique key makes "at most once per kind" checkable."""

    __tablename__ = "poll_letters"
    __table_args__ = (UniqueConstraint("poll_id", "member_id", "kind"),
                      Index("ix_poll_letters_status_updated_at", "status", "updated_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PollLetterKind] = mapped_column(enum_column(PollLetterKind, 16))
    status: Mapped[PollLetterStatus] = mapped_column(enum_column(PollLetterStatus), default=PollLetterStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    poll = relationship("Poll")
    member = relationship("Member")
