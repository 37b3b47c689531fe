"""Consent jobs (queue ``mail``): the welcome-and-consent e-mail. Thin: the rules live in ``service.domain``."""

from __future__ import annotations

import logging

from service.domain import consent, consent_mail
from service.domain.clock import now_utc
from worker import queues

log = logging.getLogger(__name__)


def send_consent_letter(kind: str, person_id: int, reminder: bool = False) -> str:
    """Send it if the person is still there (and, for a welcome, still has not confirmed). Temporary mail failures
    propagate: RQ retries the job (see ``queues.enqueue_consent_letter``)."""
    return consent_mail.deliver(kind, person_id, reminder)


def resend_lost_letters() -> int:
    """Part of the sweep: a welcome-and-consent e-mail whose job Redis lost is enqueued again (consent before
    contact must not become "never contacted")."""
    letters = {queues.consent_letter_job_id(kind, person_id): (kind, person_id)
               for kind, person_id in consent.letters_to_check(now_utc())}
    lost = [letters[job_id] for job_id in sorted(queues.lost(letters))]
    for kind, person_id in lost:
        queues.enqueue_consent_letter(kind, person_id, False)
    if lost:
        log.warning("enqueued again %s welcome-and-consent e-mail(s) whose job was lost", len(lost))
    return len(lost)
