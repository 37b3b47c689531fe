"""A mail job waiting for its retry (RQ keeps it as a scheduled job) is run when due by the mail worker as the
Procfile starts it: the workers serving the mail queue run RQ's scheduler (``worker.__main__``). Without it a
consent letter or a supervisor's link that met "try again later" once was never sent."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from rq import Queue

from service.domain import supervisors
from tests.fixtures.invites import MAIL_FROM
from tests.fixtures.worker_fleet import Fleet, fleet_environment
from worker import queues

pytestmark = pytest.mark.slow  # a worker process


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def test_the_mail_worker_runs_a_retry_when_it_falls_due(app, actor, smtp, redis_client, test_environment, tmp_path):
    supervisor = supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr",
                                            actor)
    mail = Queue("mail", connection=redis_client)
    job_id = queues.supervisor_welcome_job_id(supervisor.id)
    mail.remove(job_id)
    # As RQ leaves a job after a temporary failure: scheduled for its retry (here, due now), not on the queue.
    mail.enqueue_at(datetime.now(timezone.utc), "worker.jobs.practice.welcome_supervisor", supervisor.id,
                    job_id=job_id)
    assert mail.count == 0
    fleet = Fleet(fleet_environment(test_environment, SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port,
                                    SMTP_STARTTLS="false", MAIL_FROM=MAIL_FROM), tmp_path)
    try:
        fleet.start_worker("mail-worker", queues="zoom,mail,default")
        deadline = time.monotonic() + 30
        while not smtp.received and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        fleet.stop()
    assert [r.rcpt_tos for r in smtp.received] == [["sophie@acsm.example"]], (tmp_path / "mail-worker.log").read_text()
