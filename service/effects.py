"""Work to start once the current database transaction has committed.

Jobs are enqueued only after the rows that describe them are committed, so a worker never looks for a row
that is not there yet, and a rolled-back request enqueues nothing. The rows stay the truth: if an enqueue
fails (Redis down), the worker's sweep finds the pending rows later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING = "entre_pairs_after_commit"


def after_commit(session: Session, callback: Callable[[], object]) -> None:
    session.info.setdefault(_PENDING, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    callbacks = session.info.pop(_PENDING, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the sweep will find the committed rows; the request must not fail for it
            log.exception("could not start background work after commit; the sweep will pick it up")


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
