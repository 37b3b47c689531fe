"""The periodic sweep (every ``SWEEP_INTERVAL_SECONDS``, enqueued by the scheduler): nothing stays lost.

- prompt rows claimed by a worker that died go back to ``pending`` (and are checked in the chat before re-posting),
  when no other prompt job has already taken them over (``worker.jobs.prompts``);
- every pending prompt due soon (or already due) is put back on the timetable — after Redis lost its data, or a
  job was lost between the scheduler and a worker; an instant already there is not doubled;
- invitations and Zoom meetings whose next attempt is due are enqueued again;
- requests to talk whose e-mail to the supervisors is due again are enqueued; every 10 minutes the communities
  of practice are brought up to date (a moderator's 8 weeks pass without any change to trigger it);
- welcome-and-consent e-mails whose job Redis lost are enqueued again (``worker.jobs.consent``), and so are the
  supervisors' link e-mails (``worker.jobs.practice``);
- polls: closing, the 48-hour reminder (once), their e-mails due, answers no longer needed (``worker.jobs.polls``);
- once an hour, what is no longer needed is deleted (``service.domain.retention``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from service.domain import meetings, posting, retention, talk_notices
from service.domain.clock import now_utc
from service.extensions import current_settings
from worker import queues
from worker.claims import attempted_by, dead_claimers
from worker.jobs.consent import resend_lost_letters
from worker.jobs.invites import retry_due_invites
from worker.jobs.practice import resend_lost_links, sync_every_organisation
from worker.jobs.polls import sweep_polls
from worker.timetable import Timetable

log = logging.getLogger(__name__)

RETENTION_EVERY_SECONDS = 3600
PRACTICE_SYNC_EVERY_SECONDS = 600


def sweep() -> dict[str, int]:
    settings = current_settings()
    redis = current_app.extensions["redis"]
    now = now_utc()
    dead = dead_claimers(redis, posting.stale_claimers(now))
    released = len(posting.release_claims(dead, attempted_by(redis, dead), now))
    if released:
        log.warning("released %s prompt(s) claimed by a worker that died; those it had sent are checked "
                    "in their channel before any re-post", released)
    horizon = now + timedelta(seconds=max(60.0, 4 * settings.SWEEP_INTERVAL_SECONDS))
    rescheduled = Timetable(redis).add(posting.due_instants(horizon))
    if rescheduled:
        log.info("put %s prompt instant(s) back on the timetable", rescheduled)
    invites = retry_due_invites()
    meeting_ids = meetings.meetings_needing_sync(now)
    queues.enqueue_meeting_syncs(meeting_ids)
    talk_ids = talk_notices.notices_due(now)
    for request_id in talk_ids:
        queues.enqueue_talk_notice(request_id)
    summary = {"released": released, "rescheduled": rescheduled, "invites": invites, "meetings": len(meeting_ids),
               "talk_notices": len(talk_ids)}
    if redis.set("entre_pairs:practice_sync_ran", 1, nx=True, ex=PRACTICE_SYNC_EVERY_SECONDS):
        summary["practice_synced"] = sync_every_organisation()
    summary.update(sweep_polls())
    summary["consent_letters"] = resend_lost_letters()
    summary["supervisor_links"] = resend_lost_links()
    if redis.set("entre_pairs:retention_ran", 1, nx=True, ex=RETENTION_EVERY_SECONDS):
        report = retention.run(now, settings.RETENTION_DAYS)
        log.info("retention: %s", report)
        summary["groups_purged"] = report.groups_purged
    return summary
