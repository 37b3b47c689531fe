"""Community-of-practice jobs: bring its members up to date; e-mail the supervisors about a request to talk.

Thin on purpose: the rules live in ``service.domain.practice`` and ``service.domain.talk_notices``.
"""

from __future__ import annotations

from service.domain import practice, talk_notices


def sync_organisation(organisation_id: int) -> dict[str, int]:
    report = practice.sync_organisation(organisation_id)
    return {"joined": report.joined, "left": report.left}


def notify_supervisors(request_id: int) -> str:
    return talk_notices.notify_supervisors(request_id)


def welcome_supervisor(supervisor_id: int) -> str:
    return talk_notices.welcome_supervisor(supervisor_id)


def sync_every_organisation() -> int:
    """For the periodic sweep: every organisation with a community (schedules move as time passes)."""
    from sqlalchemy import select

    from service.extensions import db
    from service.models import Group

    organisations = db.session.execute(select(Group.organisation_id).where(Group.practice.is_(True)).distinct()
                                       ).scalars().all()
    for organisation_id in organisations:
        practice.sync_organisation(organisation_id)
    return len(organisations)
