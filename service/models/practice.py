"""Support for the people who moderate: supervisors, the community of practice, debriefs and requests to talk.

A supervisor has no account: a personal signed link (``service.links``) opens their page. The community of
practice itself is an ordinary group (``Group.practice``) whose sessions are of kind ``practice``; its members are
kept up to date by ``service.domain.practice``.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, UTCDateTime, enum_column, utcnow


def new_supervisor_nonce() -> str:
    return secrets.token_urlsafe(12)


class Supervisor(Base):
    """An experienced peer supporter (often external) who supports the organisation's moderators."""

    __tablename__ = "supervisors"
    __table_args__ = (UniqueConstraint("organisation_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    # Part of the personal link; removing the supervisor empties it, which revokes the link.
    link_nonce: Mapped[str] = mapped_column(String(32), default=new_supervisor_nonce)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The e-mail with their link (``service.domain.supervisors.link_delivery``): when it was last asked for (on
    # joining, or the coordinator's « send again »), when the mail server accepted it, when it refused the address.
    link_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    link_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    link_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PracticeOptOut(Base):
    """A moderator who stepped out of the community of practice (by address, for the whole organisation)."""

    __tablename__ = "practice_opt_outs"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    email_key: Mapped[str] = mapped_column(String(320), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DebriefAnswer(str, enum.Enum):
    FINE = "fine"
    DEMANDING = "demanding"
    TALK = "talk"


class Debrief(Base):
    """How a session went for its moderator: one answer per session, nothing else (kept 30 days, then counted)."""

    __tablename__ = "debriefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("group_sessions.id", ondelete="SET NULL"), unique=True)
    answer: Mapped[DebriefAnswer] = mapped_column(enum_column(DebriefAnswer))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DebriefMonthlyCount(Base):
    """What stays of debriefs older than 30 days: how many of each answer, per organisation and month."""

    __tablename__ = "debrief_monthly_counts"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"),
                                                 primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the first day of the month
    answer: Mapped[DebriefAnswer] = mapped_column(enum_column(DebriefAnswer), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class TalkRequest(Base):
    """« J'aimerais en parler »: a moderator asks a supervisor to reach them. Names the moderator, nothing else.

    The e-mail to the supervisors is sent by the worker (``notify_*`` columns record its attempts); the request
    stays open on every supervisor's page until one marks it done.
    """

    __tablename__ = "talk_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    # One request per session at most (a debrief sent twice asks once).
    session_id: Mapped[int | None] = mapped_column(ForeignKey("group_sessions.id", ondelete="SET NULL"), unique=True)
    moderator_name: Mapped[str] = mapped_column(String(120))
    moderator_email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notify_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id", ondelete="SET NULL"))
