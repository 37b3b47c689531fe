"""The pool of volunteers: people who signed up (or were added) to join a peer-support group.

Personal data: kept while the person is waiting for a group or in one; erased when they withdraw, and an
unconfirmed sign-up is erased after a week (see ``domain.consent``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.models.base import Base, UTCDateTime, enum_column, utcnow
from service.models.consent import ConsentSource
from service.models.group import new_link_nonce


class VolunteerStatus(str, enum.Enum):
    AWAITING_CONSENT = "awaiting_consent"
    AVAILABLE = "available"
    IN_GROUP = "in_group"
    WITHDRAWN = "withdrawn"


class Volunteer(Base):
    __tablename__ = "volunteers"
    __table_args__ = (UniqueConstraint("organisation_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2), default="fr")
    team_key: Mapped[str | None] = mapped_column(String(64))
    # Whom this person reports to, lower-cased: only to keep bosses and their staff apart.
    reports_to_email: Mapped[str | None] = mapped_column(String(320))
    # [{"weekday": 1..7 (Monday = 1), "start": "HH:MM", "end": "HH:MM"}] in the organisation's time zone.
    availability: Mapped[list] = mapped_column(JSON, default=list)
    is_trained_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    wants_training: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[VolunteerStatus] = mapped_column(enum_column(VolunteerStatus, 24),
                                                    default=VolunteerStatus.AWAITING_CONSENT, index=True)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_source: Mapped[ConsentSource | None] = mapped_column(enum_column(ConsentSource, 24))
    # The coordinator who declared consent collected another way (the audit trail says so too).
    consent_declared_by: Mapped[int | None] = mapped_column(ForeignKey("coordinators.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the welcome (or a reminder) was last sent: limits reminders to one a day.
    last_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every personal link (confirm, withdraw); changing it revokes them.
    link_nonce: Mapped[str] = mapped_column(String(32), default=new_link_nonce)

    @property
    def has_consented(self) -> bool:
        return self.consent_at is not None
