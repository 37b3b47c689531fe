"""Sharing a session's time between its steps.

Times are handed out in whole units (a minute for ordinary sessions, 15 seconds for a rehearsal) so that
the agenda shows round figures; the largest-remainder method keeps the total exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Share:
    key: str
    weight: float
    minimum_units: int = 1


def allocate(total_units: int, shares: Sequence[Share]) -> dict[str, int]:
    """Split ``total_units`` in proportion to the weights, each share getting at least its minimum.

    Each unit handed out or taken back goes where it brings the split closest to the exact proportions;
    ties go to the share listed first, so list the most important step first.
    """
    minimum = sum(share.minimum_units for share in shares)
    if total_units < minimum:
        raise ValueError(f"{total_units} units cannot cover the minimum of {minimum}")
    total_weight = sum(share.weight for share in shares)
    exact = [total_units * share.weight / total_weight for share in shares]
    units = [max(share.minimum_units, int(part)) for share, part in zip(shares, exact)]
    order = range(len(shares))
    while sum(units) < total_units:
        neediest = max(order, key=lambda i: (exact[i] - units[i], -i))
        units[neediest] += 1
    while sum(units) > total_units:
        richest = max(
            (i for i in order if units[i] > shares[i].minimum_units), key=lambda i: (units[i] - exact[i], -i)
        )
        units[richest] -= 1
    return {share.key: count for share, count in zip(shares, units)}
