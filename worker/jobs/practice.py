"""Community-of-practice jobs: bring its members up to date; e-mail the supervisors their link, and about a request
to talk.

Thin on purpose: the rules live in ``service.domain.practice`` and ``service.domain.talk_notices``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from service.domain import practice, supervisor_links, talk_notices
from service.domain.clock import now_utc
from worker import queues

log = logging.getLogger(__name__)

# A link e-mail whose job failed (every retry met a temporary mail failure) is tried again this long after.
FAILED_LINK_RETRY = timedelta(minutes=10)


def sync_organisation(organisation_id: int) -> dict[str, int]:
    report = practice.sync_organisation(organisation_id)
    return {"joined": report.joined, "left": report.left}


def notify_supervisors(request_id: int) -> str:
    return talk_notices.notify_supervisors(request_id)


def welcome_supervisor(supervisor_id: int) -> str:
    return talk_notices.welcome_supervisor(supervisor_id)


def resend_lost_links() -> int:
    """Part of the sweep: a supervisor's link e-mail is enqueued again when Redis lost its job, or when the job
    failed (the mail server kept answering "try later" through RQ's retries) a while ago."""
    redis = current_app.extensions["redis"]
    now = now_utc()
    again = [supervisor_id for supervisor_id in supervisor_links.links_to_check(now)
             if _lost_or_failed_before(queues.supervisor_welcome_job_id(supervisor_id), redis,
                                       now - FAILED_LINK_RETRY)]
    for supervisor_id in again:
        queues.enqueue_supervisor_welcome(supervisor_id)
    if again:
        log.warning("enqueued again %s supervisor link e-mail(s) whose job was lost or failed", len(again))
    return len(again)


def _lost_or_failed_before(job_id: str, redis, moment) -> bool:
    try:
        job = Job.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return True
    return job.get_status() == JobStatus.FAILED and job.ended_at is not None and job.ended_at < moment


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
