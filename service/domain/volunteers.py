"""The pool of volunteers: adding people, listing them, and following their status.

Statuses: ``awaiting_consent`` (signed up or added, not confirmed yet), ``available`` (consented, in no group),
``in_group`` (a member of a group formed from the pool), ``withdrawn`` (transient: a withdrawal erases the row).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from service.domain.audit import Actor, record
from service.extensions import db
from service.models import Group, Volunteer, VolunteerStatus


def mark_in_group(volunteer_ids: Iterable[int], group: Group, actor: Actor | None = None) -> int:
    """The volunteers now belong to ``group`` (formed from the pool). In the caller's transaction; returns how many."""
    ids = sorted(set(volunteer_ids))
    if not ids:
        return 0
    volunteers = db.session.execute(
        select(Volunteer).where(Volunteer.id.in_(ids), Volunteer.organisation_id == group.organisation_id)
    ).scalars().all()
    for volunteer in volunteers:
        volunteer.status = VolunteerStatus.IN_GROUP
    record(actor or Actor.system(), "volunteers.placed", "group", group.id, organisation_id=group.organisation_id,
           count=len(volunteers))
    return len(volunteers)
