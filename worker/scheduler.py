"""``python -m worker.scheduler``: the process that releases prompt jobs on time and starts the sweep.

Run one or more (Procfile ``scheduler``). They share a lease (``worker.lease``): the holder works, the others
stand by and one of them takes over within ``LEASE_SECONDS`` of the holder dying.

The holder looks at the timetable (``worker.timetable``) every ``SCHEDULER_POLL_SECONDS`` (20 ms) and enqueues
each prompt job ``PROMPT_RELEASE_LEAD_SECONDS`` (0.3 s) before its instant; the job then sleeps until the exact
instant. Picking up, forking and connecting happen during that lead, so the post itself starts within a few
milliseconds of its time, where RQ's own scheduler (whole seconds, one tick a second) starts jobs up to ~1 s
late and needs up to ~13 minutes to notice that its scheduler died (``../shared/notes/rq.md``).

Every ``SWEEP_INTERVAL_SECONDS`` it also enqueues the sweep (``worker.jobs.sweep``), whichever scheduler holds
the lease. A Redis outage is waited out: the loop logs it, retries, and the sweep rebuilds what Redis lost.
"""

from __future__ import annotations

import logging
import signal
import threading
import time

from redis import Redis
from redis.exceptions import RedisError

from config import Settings
from worker import queues
from worker.lease import Lease
from worker.timetable import Timetable, instant_ms

log = logging.getLogger(__name__)

LEASE_SECONDS = 3.0
SWEEP_MARK = "entre_pairs:sweep_enqueued"


class Scheduler:
    def __init__(self, redis: Redis, settings: Settings, name: str | None = None):
        self.redis = redis
        self.timetable = Timetable(redis)
        self.lease = Lease(redis, "scheduler", ttl=LEASE_SECONDS, holder=name)
        self.lead = settings.PROMPT_RELEASE_LEAD_SECONDS
        self.poll = settings.SCHEDULER_POLL_SECONDS
        self.sweep_every = settings.SWEEP_INTERVAL_SECONDS
        self.stopping = threading.Event()
        self.leading = False

    def run(self) -> None:
        log.info("scheduler %s started (lead %.2f s, poll %.3f s, sweep every %.0f s)", self.lease.token,
                 self.lead, self.poll, self.sweep_every)
        renew_at = 0.0
        while not self.stopping.is_set():
            try:
                now = time.monotonic()
                if now >= renew_at:
                    self._hold_lease()
                    renew_at = now + LEASE_SECONDS / 4
                if not self.leading:
                    self.stopping.wait(LEASE_SECONDS / 4)
                    continue
                self.release_due()
                self._sweep_if_due()
                self.stopping.wait(self._pause())
            except RedisError as error:
                if self.leading:
                    log.warning("Redis unavailable (%s); stepping down and retrying", type(error).__name__)
                self.leading = False
                renew_at = 0.0
                self.stopping.wait(1.0)
        try:
            self.lease.release()
        except RedisError:
            pass
        log.info("scheduler %s stopped", self.lease.token)

    def stop(self, *_args) -> None:
        self.stopping.set()

    def _hold_lease(self) -> None:
        held = self.lease.hold()
        if held and not self.leading:
            log.info("scheduler %s now releases the prompt jobs", self.lease.token)
        elif self.leading and not held:
            log.warning("scheduler %s lost its lease; standing by", self.lease.token)
        self.leading = held

    def release_due(self) -> int:
        """Enqueue every timetable entry due within the lead; returns how many."""
        released = 0
        while True:
            due = self.timetable.take_due(time.time() + self.lead)
            for job_id, _instant in due:
                queues.enqueue_prompt_job(job_id, instant_ms(job_id), self.redis)
            released += len(due)
            if not due:
                return released

    def _sweep_if_due(self) -> None:
        if self.redis.set(SWEEP_MARK, 1, nx=True, px=int(self.sweep_every * 1000)):
            queues.enqueue_sweep(self.redis)

    def _pause(self) -> float:
        """Until the next entry is due for release, but no longer than one poll (new entries arrive any time)."""
        upcoming = self.timetable.next_instant()
        if upcoming is None:
            return self.poll
        return min(self.poll, max(0.0, upcoming - self.lead - time.time()))


def main(argv: list[str] | None = None) -> None:
    import argparse

    from service.app import create_app

    parser = argparse.ArgumentParser(prog="python -m worker.scheduler", description=__doc__.splitlines()[0])
    parser.add_argument("--name", default=None, help="how this scheduler appears in the logs and the lease")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    with app.app_context():
        scheduler = Scheduler(app.extensions["redis"], app.extensions["settings"], name=args.name)
        signal.signal(signal.SIGTERM, scheduler.stop)
        signal.signal(signal.SIGINT, scheduler.stop)
        scheduler.run()


if __name__ == "__main__":
    main()
