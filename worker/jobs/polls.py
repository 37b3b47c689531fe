"""Poll jobs: send one poll e-mail (queue ``mail``), and the sweep's share of the polls' upkeep.

Thin on purpose: the rules live in ``service.domain.polls`` and ``service.domain.poll_letters``.
"""

from __future__ import annotations

from service.domain import poll_letters, polls


def send_poll_letter(letter_id: int) -> str:
    return poll_letters.deliver(letter_id)


def sweep_polls() -> dict[str, int]:
    """Close polls past their time, send each 48-hour reminder once, re-enqueue letters due, erase spent answers."""
    from worker import queues

    closed = polls.close_due_polls()
    reminded = polls.send_due_auto_reminders()
    due = poll_letters.letters_to_retry()
    queues.enqueue_poll_letters(due)
    erased = polls.erase_spent_answers()
    return {"polls_closed": closed, "poll_reminders": reminded, "poll_letters": len(due), "polls_erased": erased}
