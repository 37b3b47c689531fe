"""Community-of-practice jobs: bring its members up to date; e-mail the supervisors their link, and about a request
to talk.

Thin on purpose: the rules live in ``service.domain.practice`` and ``service.domain.talk_notices``.
"""

from __future__ import annotations

import logging

from service.domain import practice, supervisor_links, talk_notices
from service.domain.clock import now_utc
from worker import queues

log = logging.getLogger(__name__)


def sync_organisation(organisation_id: int) -> dict[str, int]:
    report = practice.sync_organisation(organisation_id)
    return {"joined": report.joined, "left": report.left}


def notify_supervisors(request_id: int) -> str:
    return talk_notices.notify_supervisors(request_id)


def welcome_supervisor(supervisor_id: int) -> str:
    return talk_notices.welcome_supervisor(supervisor_id)


def resend_lost_links() -> int:
    """Part of the sweep: a supervisor's link e-mail whose job Redis lost is enqueued again (a temporary failure is
    retried by RQ itself, as a consent letter's is: ``queues.MAIL_RETRY_INTERVALS``)."""
    jobs = {queues.supervisor_welcome_job_id(supervisor_id): supervisor_id
            for supervisor_id in supervisor_links.links_to_check(now_utc())}
    lost = sorted(jobs[job_id] for job_id in queues.lost(jobs))
    for supervisor_id in lost:
        queues.enqueue_supervisor_welcome(supervisor_id)
    if lost:
        log.warning("enqueued again %s supervisor link e-mail(s) whose job was lost", len(lost))
    return len(lost)


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
