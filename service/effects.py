"""Work to start once the current database transaction has committed.

Jobs are enqueued only after the rows that describe them are committed, so a worker never looks for a row
that is not there yet, and a rolled-back request enqueues nothing. The rows stay the truth: if an enqueue
fails (Redis down), the worker's sweep finds the pending rows later.

Everything a commit starts goes to Redis in one pipeline — one round trip, however many jobs, timetable
entries and console revisions a change brings (a coordinator is waiting for the answer).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app, has_app_context
from redis.client import Pipeline
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING = "entre_pairs_after_commit"

RedisWork = Callable[[Pipeline], object]


def after_commit(session: Session, work: RedisWork) -> None:
    """Add ``work`` (commands written into the shared pipeline) to what this transaction starts on commit."""
    session.info.setdefault(_PENDING, []).append(work)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    pending: list[RedisWork] = session.info.pop(_PENDING, [])
    if not pending or not has_app_context():
        return
    try:
        with current_app.extensions["redis"].pipeline(transaction=False) as pipe:
            for work in pending:
                work(pipe)
            pipe.execute()
    except Exception:  # the sweep will find the committed rows; the request must not fail for it
        log.exception("could not start background work after commit; the sweep will pick it up")


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
