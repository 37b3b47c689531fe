"""The audit trail: who did what, when — ids, states and counts only, never what anyone said or wrote."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import insert

from service.extensions import db
from service.models import ActorKind, AuditEvent

# Detail values allowed in the trail: plain facts, not text a person typed.
_ALLOWED_DETAIL_TYPES = (bool, int, float, enum.Enum, date, datetime)
_MAX_CODE_LENGTH = 40


class Actor:
    """Who acts: a coordinator (by id), the moderator of a session, a member, or the system."""

    def __init__(self, kind: ActorKind, actor_id: int | None = None, organisation_id: int | None = None):
        self.kind = kind
        self.id = actor_id
        self.organisation_id = organisation_id

    @classmethod
    def coordinator(cls, coordinator) -> Actor:
        return cls(ActorKind.COORDINATOR, coordinator.id, coordinator.organisation_id)

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM)

    def __repr__(self) -> str:
        return f"<Actor {self.kind.value} {self.id}>"


def _clean_details(details: dict[str, object]) -> dict[str, object]:
    clean: dict[str, object] = {}
    for key, value in details.items():
        if value is None or isinstance(value, _ALLOWED_DETAIL_TYPES):
            clean[key] = value.value if isinstance(value, enum.Enum) else (
                value.isoformat() if isinstance(value, (date, datetime)) else value)
        elif isinstance(value, str) and len(value) <= _MAX_CODE_LENGTH and value.replace("_", "").isalnum():
            clean[key] = value  # a code such as "weekly", never free text
        else:
            raise ValueError(f"audit detail {key!r} is not a plain fact")
    return clean


def record(actor: Actor, action: str, target_type: str, target_id: int | None, organisation_id: int | None = None,
           **details: object) -> None:
    """Add one line to the trail, in the caller's transaction (it goes or stays with the change it records).

    A plain INSERT, not an ORM object: nothing reads the line back while the change is being made.
    """
    db.session.execute(insert(AuditEvent.__table__).values(
        organisation_id=organisation_id if organisation_id is not None else actor.organisation_id,
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        details=_clean_details(details),
    ))
