"""``python -m worker``: an RQ worker for every queue, inside the application's context."""

from __future__ import annotations

import logging

from rq import Worker

from service.app import create_app
from worker.queues import ALL_QUEUES


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    with app.app_context():
        Worker(list(ALL_QUEUES), connection=app.extensions["redis"]).work()


if __name__ == "__main__":
    main()
