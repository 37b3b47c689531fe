"""One calendar message (REQUEST or CANCEL) to one member, and how its delivery went."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.base import Base, UTCDateTime, enum_column, utcnow


class InviteMethod(str, enum.Enum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class InviteStatus(str, enum.Enum):
    PENDING = "pending"  # to send (``next_attempt_at`` says when, if it is waiting)
    SENDING = "sending"  # claimed by a worker (``claimed_at``, ``claimed_by``)
    SENT = "sent"  # accepted by the mail server (``sent_at``)
    FAILED = "failed"  # refused for good, or every attempt failed; ``last_error`` says why
    # Not sent, and not needed: a later message to the same person carries this change
    # (``superseded_by_id``), or it became pointless (the person left, nothing had been delivered to cancel).
    SUPERSEDED = "superseded"


class Invite(Base):
    __tablename__ = "invites"
    __table_args__ = (
        # One message per member and change: what makes "never sent twice" checkable.
        UniqueConstraint("member_id", "calendar_uid", "sequence", "method", "recurrence_key"),
        Index("ix_invites_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    # The address the message goes to, as it was when the change happened: a member whose address changes
    # gets the cancellation at the old one and the invitation at the new one.
    email: Mapped[str] = mapped_column(String(320))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("session_series.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("group_sessions.id", ondelete="CASCADE"), index=True)
    calendar_uid: Mapped[str] = mapped_column(String(80))
    method: Mapped[InviteMethod] = mapped_column(enum_column(InviteMethod, 10))
    sequence: Mapped[int] = mapped_column(Integer)
    # The occurrence's RECURRENCE-ID (UTC, ISO) when the message is about one occurrence only, else ''.
    recurrence_key: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[InviteStatus] = mapped_column(enum_column(InviteStatus), default=InviteStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The worker job sending it (``worker.claims``): alive while its heartbeat lasts, released soon after.
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("invites.id", ondelete="SET NULL"))
    # A digest of the join link (and passcode) a sent request carried: shows which copies a new link must update.
    link_digest: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    member = relationship("Member")
    series = relationship("SessionSeries")
    session = relationship("GroupSession")
    superseded_by = relationship("Invite", remote_side=[id])

    @property
    def is_whole_object(self) -> bool:
        """About the whole calendar object (series or single event), not one occurrence of it."""
        return self.recurrence_key == ""
