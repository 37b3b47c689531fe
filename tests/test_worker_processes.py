"""Kill anything, lose nothing, post nothing twice: the real worker and scheduler processes, really killed.

``python -m worker --queues prompts,sweep`` (two of them, beside one for the other queues) and ``python -m worker.scheduler`` (a leader and a standby) run as the Procfile
runs them, against the Zoom sandbox answering slowly (so that posts are in flight when the blow falls). Eight
groups have three prompts each falling due within a few seconds. Then: ``SIGKILL`` the worker whose job is
posting, ``SIGKILL`` the scheduler holding the lease, and empty Redis (its timetable, queues, locks, token).
Every prompt must still reach its chat exactly once, and every row must say so.
"""

from __future__ import annotations

import signal
import time
from dataclasses import replace
import pytest

from tests.fixtures.worker_fleet import (
    Fleet,
    claim_holders,
    fleet_environment,
    outcome,
    prepare_sessions,
    unfinished,
    wait_until,
)
from worker.lease import Lease

pytestmark = pytest.mark.slow

GROUPS, PROMPTS_EACH = 8, 3


@pytest.fixture
def app_settings(zoom_settings):
    return replace(zoom_settings, ZOOM_HOST_CONCURRENCY=10)


@pytest.fixture
def fleet(zoom_sandbox, test_environment, tmp_path):
    env = fleet_environment(test_environment, ZOOM_API_URL=zoom_sandbox.api_url,
                            ZOOM_OAUTH_URL=zoom_sandbox.oauth_url, ZOOM_HOST_CONCURRENCY=10,
                            SWEEP_INTERVAL_SECONDS=3)
    fleet = Fleet(env, tmp_path)
    yield fleet
    fleet.stop()
    for log in sorted(tmp_path.glob("*.log")):  # shown by pytest when the test failed
        print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")


def test_every_prompt_arrives_once_whatever_is_killed(app, actor, zoom_sandbox, redis_client, fleet):
    zoom_sandbox.configure(latency=0.8)
    session_ids, _ = prepare_sessions(actor, GROUPS, lead=5, spacing=2.5, prompts_per_session=PROMPTS_EACH)
    fleet.start_worker("mail-worker", queues="zoom,mail,default")  # invitations go out meanwhile
    for name in ("worker-a", "worker-b"):
        fleet.start_worker(name, queues="prompts,sweep")
    for name in ("scheduler-a", "scheduler-b"):
        fleet.start_scheduler(name)

    # 1. a worker dies in the middle of posting: its job had claimed rows and sent (some of) them
    assert wait_until(lambda: claim_holders(session_ids), timeout=30, interval=0.02)
    time.sleep(0.3)  # the posts are on their way (the sandbox answers after 0.8 s)
    holder_pid = int(claim_holders(session_ids)[0].split(":")[1])
    victim = fleet.worker_of(holder_pid)
    assert victim in ("worker-a", "worker-b")
    fleet.kill(victim, signal.SIGKILL)

    # 2. the scheduler releasing the jobs dies; the standby must take over within seconds
    leader = Lease(redis_client, "scheduler").holder()
    assert leader in ("scheduler-a", "scheduler-b")
    fleet.kill(leader, signal.SIGKILL)
    standby = "scheduler-b" if leader == "scheduler-a" else "scheduler-a"
    assert wait_until(lambda: Lease(redis_client, "scheduler").holder() == standby, timeout=6, interval=0.1)

    # 3. Redis loses everything: the timetable, the queued jobs, the claim heartbeats, the lease
    time.sleep(1.0)
    redis_client.flushdb()
    fleet.start_worker("worker-c", queues="prompts,sweep")  # restarted, as a Procfile host would

    assert wait_until(lambda: unfinished(session_ids) == 0, timeout=120, interval=1.0), "prompts still pending"
    result = outcome(zoom_sandbox, session_ids)
    assert result.expected == GROUPS * PROMPTS_EACH
    assert (result.lost, result.duplicated) == (0, 0)
    assert result.statuses == {"posted": GROUPS * PROMPTS_EACH}
    assert result.retried >= 1  # the killed job's claims were released, checked in the chat and settled
