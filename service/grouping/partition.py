"""A partition under construction: groups as lists of pool positions, each person's group, and the moves the
search makes. Every change goes through ``add``/``remove``, so the per-person index never drifts."""

from __future__ import annotations

from service.grouping.pool import Pool
from service.grouping.score import UNPLACED, group_score


class Partition:
    def __init__(self, pool: Pool, target_size: int) -> None:
        self.pool = pool
        self.target_size = target_size
        self.groups: list[list[int]] = []  # an emptied group stays as [] so that group numbers never move
        self.group_of: list[int | None] = [None] * len(pool)

    def new_group(self, members: list[int]) -> int:
        self.groups.append([])
        number = len(self.groups) - 1
        for member in members:
            self.add(member, number)
        return number

    def add(self, person: int, number: int) -> None:
        self.groups[number].append(person)
        self.group_of[person] = number

    def remove(self, person: int) -> None:
        number = self.group_of[person]
        if number is not None:
            self.groups[number].remove(person)
            self.group_of[person] = None

    def dissolve(self, number: int) -> list[int]:
        members = list(self.groups[number])
        for member in members:
            self.remove(member)
        return members

    def mask(self, number: int) -> int:
        return self.pool.common_mask(self.groups[number])

    def score(self, members: list[int]) -> float:
        return group_score(self.pool, members, self.target_size)

    def unplaced_penalty(self, person_count: int) -> float:
        return UNPLACED * person_count

    def live_groups(self) -> list[int]:
        return [number for number, members in enumerate(self.groups) if members]
