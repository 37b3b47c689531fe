"""``python -m worker``: an RQ worker for every queue (prompts first), inside the application's context.

``python -m worker --queues prompts,sweep`` listens to some queues only: on a busy installation, give prompts
workers of their own so that an e-mail being sent never delays a prompt.
"""

from __future__ import annotations

import argparse
import logging
import os

from redis import Redis
from rq import Worker

# The job modules are imported here, once, so that each job's forked child starts with them loaded instead of
# importing them (and Zoom's client, the protocol, the ORM mappings...) again for every job.
import worker.jobs.invites  # noqa: F401
import worker.jobs.meetings  # noqa: F401
import worker.jobs.practice  # noqa: F401
import worker.jobs.prompts  # noqa: F401
import worker.jobs.sweep  # noqa: F401
from service.app import create_app
from service.extensions import db
from worker.queues import ALL_QUEUES, MAIL


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m worker", description=__doc__.splitlines()[0])
    parser.add_argument("--queues", default=",".join(ALL_QUEUES), help="comma-separated, in listening order")
    parser.add_argument("--name", default=None, help="the worker's name (default: RQ's)")
    args = parser.parse_args(argv)
    queues = [name.strip() for name in args.queues.split(",") if name.strip()]
    unknown = set(queues) - set(ALL_QUEUES)
    if unknown:
        parser.error(f"unknown queue(s): {', '.join(sorted(unknown))}; known: {', '.join(ALL_QUEUES)}")

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    with app.app_context():
        # Each job runs in a forked child: it must not share the parent's database sockets.
        engine = db.engine
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
        # RQ's blocking dequeue waits longer than the application's Redis socket timeout: its own connection.
        connection = Redis.from_url(app.extensions["settings"].REDIS_URL, socket_connect_timeout=5,
                                    health_check_interval=30)
        # A mail job that met a temporary failure is retried later (``queues.MAIL_RETRY_INTERVALS``): RQ keeps it
        # as a scheduled job, and only a worker running RQ's scheduler puts it back on its queue when due. The
        # prompt workers need none (their timing is ``worker.scheduler``'s).
        Worker(queues, connection=connection, name=args.name).work(with_scheduler=MAIL in queues)


if __name__ == "__main__":
    main()
