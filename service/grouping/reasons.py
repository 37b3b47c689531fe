"""Why someone was not placed: the first rule, in this order, that leaves them fewer than three possible
companions; if every rule alone leaves enough, no group of four or more with a common slot could take them."""

from __future__ import annotations

from service.grouping.pool import Pool
from service.grouping.values import MIN_MEMBERS

NO_AVAILABILITY = "no_availability"
NO_COMMON_LANGUAGE_GROUP = "no_common_language_group"
NO_COMPATIBLE_SLOT = "no_compatible_slot"
HIERARCHY = "hierarchy"
TOO_FEW_COMPATIBLE = "too_few_compatible"

REASONS = (NO_AVAILABILITY, NO_COMMON_LANGUAGE_GROUP, NO_COMPATIBLE_SLOT, HIERARCHY, TOO_FEW_COMPATIBLE)


def unplaced_reason(pool: Pool, person: int, same_language: list[int]) -> str:
    """``same_language``: everyone of the pool with the person's language and at least one slot."""
    mask = pool.mask[person]
    if not mask:
        return NO_AVAILABILITY
    others = [other for other in same_language if other != person]
    if len(others) < MIN_MEMBERS - 1:
        return NO_COMMON_LANGUAGE_GROUP
    sharing = [other for other in others if pool.mask[other] & mask]
    if len(sharing) < MIN_MEMBERS - 1:
        return NO_COMPATIBLE_SLOT
    if len([other for other in sharing if other not in pool.related[person]]) < MIN_MEMBERS - 1:
        return HIERARCHY
    return TOO_FEW_COMPATIBLE
