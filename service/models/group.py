"""Peer-support groups, their members, and the coordinators who share them."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.base import Base, UTCDateTime, enum_column, utcnow
from service.models.consent import ConsentSource


class GroupStatus(str, enum.Enum):
    ACTIVE = "active"
    # Cancellations are going out; the personal data goes once they have (see domain.groups.delete_group).
    DELETING = "deleting"


class MemberRole(str, enum.Enum):
    MEMBER = "member"
    # A trained moderator from outside the group for its first sessions: not counted in the group's size.
    EXTERNAL_MODERATOR = "external_moderator"


class MemberStatus(str, enum.Enum):
    ACTIVE = "active"
    LEFT = "left"


class CoordinatorRole(str, enum.Enum):
    OWNER = "owner"
    SHARED = "shared"


def new_link_nonce() -> str:
    return secrets.token_urlsafe(12)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    timezone: Mapped[str] = mapped_column(String(64), default="America/Toronto")
    status: Mapped[GroupStatus] = mapped_column(enum_column(GroupStatus), default=GroupStatus.ACTIVE)
    # Invites titled "Rencontre d'équipe": a glance at a calendar reveals nothing. On by default (privacy).
    neutral_invite_title: Mapped[bool] = mapped_column(Boolean, default=True)
    # Prompts posted to the meeting chat (off: the moderator console carries them alone).
    chat_prompts_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # The coordinator confirmed running with 3, 9 or 10 members, outside the guide's 4 to 8.
    size_exception_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The first N sessions are led by the external moderator; then trained members take turns.
    external_moderator_sessions: Mapped[int] = mapped_column(Integer, default=0)
    # The organisation's community of practice (one per language): members kept by ``domain.practice``.
    practice: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    members: Mapped[list[Member]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True, order_by="Member.id"
    )
    coordinator_links: Mapped[list[GroupCoordinator]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def active_members(self) -> list[Member]:
        return [m for m in self.members if m.role is MemberRole.MEMBER and m.status is MemberStatus.ACTIVE]

    @property
    def external_moderator(self) -> Member | None:
        for member in self.members:
            if member.role is MemberRole.EXTERNAL_MODERATOR and member.status is MemberStatus.ACTIVE:
                return member
        return None


class Member(Base):
    """A person invited to a group's sessions. Personal data: deleted with the group, minimised on leaving."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("group_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, 24), default=MemberRole.MEMBER)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320))
    # The address lower-cased: e-mail addresses are compared case-insensitively.
    email_key: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    # Whom this person reports to (an e-mail address), only to refuse hierarchy inside the group.
    reports_to_email: Mapped[str | None] = mapped_column(String(320))
    is_trained_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[MemberStatus] = mapped_column(enum_column(MemberStatus), default=MemberStatus.ACTIVE)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every personal link; changing it revokes the links already sent.
    link_nonce: Mapped[str] = mapped_column(String(32), default=new_link_nonce)
    # In a community of practice: the supervisor this member is (empty for a moderator).
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("supervisors.id", ondelete="SET NULL"))
    # The volunteer of the pool this member came from (if any); their consent is the volunteer's.
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteers.id", ondelete="SET NULL"), index=True)
    # Consent before contact: no session invitation goes out while this is empty (see domain.consent).
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_source: Mapped[ConsentSource | None] = mapped_column(enum_column(ConsentSource, 24))
    consent_declared_by: Mapped[int | None] = mapped_column(ForeignKey("coordinators.id", ondelete="SET NULL"))
    # When the welcome-and-consent e-mail was last sent to this member.
    consent_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    group: Mapped[Group] = relationship(back_populates="members")

    @property
    def has_consented(self) -> bool:
        return self.consent_at is not None

    @property
    def first_name(self) -> str:
        """What the moderator console shows: the first word of the display name."""
        return self.display_name.split()[0] if self.display_name.strip() else ""


class GroupCoordinator(Base):
    __tablename__ = "group_coordinators"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("coordinators.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[CoordinatorRole] = mapped_column(enum_column(CoordinatorRole), default=CoordinatorRole.OWNER)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[Group] = relationship(back_populates="coordinator_links")
