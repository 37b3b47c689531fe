"""Consent jobs (queue ``mail``): the welcome-and-consent e-mail. Thin: the rules live in ``service.domain``."""

from __future__ import annotations

from service.domain import consent_mail


def send_consent_letter(kind: str, person_id: int, reminder: bool = False) -> str:
    """Send it if the person is still there (and, for a welcome, still has not confirmed). Temporary mail failures
    propagate: RQ retries the job (see ``queues.enqueue_consent_letter``)."""
    return consent_mail.deliver(kind, person_id, reminder)
