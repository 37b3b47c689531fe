"""Fitting what is left of a session into the time left, in the protocol's own proportions.

When a moderator skipped ahead and wants to keep the planned end, the steps still to run share the time up to
that end in proportion to the lengths the protocol gave them: the question being discussed and the ones after
it all get their share, and the key message still comes last.
"""

from __future__ import annotations

from collections.abc import Sequence

from service.protocol.allocation import Share, allocate


def stretch(planned_seconds: Sequence[int], available_seconds: int) -> list[int]:
    """New lengths, in whole seconds, for the steps still to run (in order), summing exactly to
    ``available_seconds`` and proportional to ``planned_seconds``.

    With at least the planned total available, no step gets less than planned. A step planned at zero gets
    nothing; if every step is planned at zero, the last one takes the time (it is what remains to be said).
    """
    if available_seconds < 0:
        raise ValueError(f"{available_seconds} seconds cannot be shared")
    if any(seconds < 0 for seconds in planned_seconds):
        raise ValueError("a step cannot be planned to last less than nothing")
    if not planned_seconds:
        return []
    if sum(planned_seconds) == 0:
        return [0] * (len(planned_seconds) - 1) + [available_seconds]
    shares = [Share(str(index), seconds, minimum_units=0) for index, seconds in enumerate(planned_seconds)]
    lengths = allocate(available_seconds, shares)
    return [lengths[str(index)] for index in range(len(planned_seconds))]
