"""How good a group is, beyond the rules: the preferences of the guide as one number.

Placing people comes first (``UNPLACED`` outweighs every preference); then a group whose members all share
one team (« un vécu commun »), a trained moderator in each group, sizes near the target, and room to choose a
time (common slots count up to ``SLOT_CAP``: beyond that a group has plenty of choice).
"""

from __future__ import annotations

from collections.abc import Sequence

from service.grouping.pool import Pool

UNPLACED = 100.0
SAME_TEAM_MEMBER = 1.0  # per member of the group's largest team
WHOLE_TEAM_MEMBER = 2.0  # and again per member when the whole group shares that team
MODERATOR = 4.0
SIZE_GAP = 1.5  # per person away from the target size
SLOT = 0.4
SLOT_CAP = 6


def largest_team(pool: Pool, members: Sequence[int]) -> tuple[str | None, int]:
    """The team most members share (ties: the first in alphabetical order) and how many they are; people
    without a team share it with nobody."""
    counts: dict[str, int] = {}
    for member in members:
        team = pool.team[member]
        if team is not None:
            counts[team] = counts.get(team, 0) + 1
    if not counts:
        return None, 0
    most = max(counts.values())
    return min(team for team, count in counts.items() if count == most), most


def group_score(pool: Pool, members: Sequence[int], target_size: int) -> float:
    if not members:
        return 0.0
    size = len(members)
    _, shared = largest_team(pool, members)
    score = SAME_TEAM_MEMBER * shared + (WHOLE_TEAM_MEMBER * size if shared == size else 0.0)
    moderator = pool.moderator
    for member in members:
        if moderator[member]:
            score += MODERATOR
            break
    score -= SIZE_GAP * abs(size - target_size)
    score += SLOT * min(pool.common_mask(members).bit_count(), SLOT_CAP)
    return score
