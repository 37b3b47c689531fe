"""Building groups out of a set of people: the greedy part of the search.

``form_groups`` splits people (of one language) into about ``len / target`` groups: it seeds one group per
availability "cluster" (the most constrained person first, then whoever overlaps least with the seeds so far),
then gives each person, most constrained first, to the group where the most common slots remain.
"""

from __future__ import annotations

import math
import random

from service.grouping.partition import Partition
from service.grouping.values import MAX_MEMBERS, MIN_MEMBERS


def group_count(people: int, target_size: int) -> int:
    """How many groups ``people`` make: near the target size, never above the maximum nor below the minimum."""
    count = max(math.ceil(people / MAX_MEMBERS), int(people / target_size + 0.5))
    return min(count, people // MIN_MEMBERS)


def _most_constrained_first(partition: Partition, people: list[int], rng: random.Random) -> list[int]:
    pool = partition.pool
    chosen = set(people)
    ties = {person: rng.random() for person in people}
    return sorted(people, key=lambda person: (pool.mask[person].bit_count(), -len(pool.related[person] & chosen),
                                              ties[person]))


def _seeds(partition: Partition, order: list[int], count: int) -> list[int]:
    """``count`` people whose availabilities differ most: each next seed shares the fewest slots with the nearest
    seed chosen so far (relative to their own slots)."""
    mask = partition.pool.mask
    rank = {person: position for position, person in enumerate(order)}
    seeds = [order[0]]
    nearest = {person: (mask[person] & mask[order[0]]).bit_count() / mask[person].bit_count()
               for person in order[1:]}
    while len(seeds) < count and nearest:
        seed = min(nearest, key=lambda person: (nearest[person], rank[person]))
        seeds.append(seed)
        del nearest[seed]
        for person in nearest:
            overlap = (mask[person] & mask[seed]).bit_count() / mask[person].bit_count()
            if overlap > nearest[person]:
                nearest[person] = overlap
    return seeds


def _best_group(partition: Partition, person: int, numbers: list[int], masks: dict[int, int],
                capacity: int) -> int | None:
    pool = partition.pool
    best: tuple[int, int, int] | None = None
    choice = None
    for number in numbers:
        members = partition.groups[number]
        if len(members) >= capacity or not pool.fits(person, members, masks[number]):
            continue
        rank = ((masks[number] & pool.mask[person]).bit_count(), -len(members), -number)
        if best is None or rank > best:
            best, choice = rank, number
    return choice


def form_groups(partition: Partition, people: list[int], rng: random.Random) -> list[int]:
    """Makes groups of ``people`` (all unplaced, one language) in ``partition``; returns who is left over."""
    count = group_count(len(people), partition.target_size)
    if count == 0:
        return list(people)
    order = _most_constrained_first(partition, people, rng)
    seeds = _seeds(partition, order, count)
    numbers = [partition.new_group([seed]) for seed in seeds]
    masks = {number: partition.pool.mask[seed] for number, seed in zip(numbers, seeds, strict=True)}
    capacity = min(MAX_MEMBERS, math.ceil(len(people) / count))
    # Balanced sizes first; only then may a group grow to the maximum to take someone who fits nowhere else.
    for limit in (capacity, MAX_MEMBERS):
        for person in order:
            if partition.group_of[person] is None:
                number = _best_group(partition, person, numbers, masks, limit)
                if number is not None:
                    partition.add(person, number)
                    masks[number] &= partition.pool.mask[person]
    for number in numbers:
        if len(partition.groups[number]) < MIN_MEMBERS:
            partition.dissolve(number)
    return [person for person in order if partition.group_of[person] is None]


def insert_where_best(partition: Partition, people: list[int], numbers: list[int]) -> list[int]:
    """Puts each person into the group of ``numbers`` (below the maximum, rules kept) where the total score gains
    most; returns who found no group."""
    pool = partition.pool
    left: list[int] = []
    for person in people:
        best_gain, choice = None, None
        for number in numbers:
            members = partition.groups[number]
            if not members or len(members) >= MAX_MEMBERS or not pool.fits(person, members, pool.common_mask(members)):
                continue
            gain = partition.score(members + [person]) - partition.score(members)
            if best_gain is None or gain > best_gain:
                best_gain, choice = gain, number
        if choice is None:
            left.append(person)
        else:
            partition.add(person, choice)
    return left


def recruit(partition: Partition, waiting: list[int], numbers: list[int], floor: int = MIN_MEMBERS) -> list[int]:
    """New groups around people nobody could take, completed with other waiting people first, then with members
    of groups that can spare one. No group ends below ``floor`` members (the rule's minimum by default; more where
    a smaller group is not worth it). Returns who is still waiting."""
    pool = partition.pool
    waiting = list(waiting)
    for founder in list(waiting):
        if founder not in waiting:
            continue
        members, mask = [founder], pool.mask[founder]
        taken: list[tuple[int, int]] = []  # (person, the group they came from)
        spare = {number: len(partition.groups[number]) - floor for number in numbers}
        while len(members) < partition.target_size:
            best: tuple[int, int, int] | None = None
            pick: tuple[int, int | None] | None = None
            for person in waiting:
                if person not in members and pool.fits(person, members, mask):
                    rank = (1, (mask & pool.mask[person]).bit_count(), -person)
                    if best is None or rank > best:
                        best, pick = rank, (person, None)
            for number in numbers:
                if spare[number] <= 0:
                    continue
                for person in partition.groups[number]:
                    if pool.fits(person, members, mask):
                        rank = (0, (mask & pool.mask[person]).bit_count(), -person)
                        if best is None or rank > best:
                            best, pick = rank, (person, number)
            if pick is None:
                break
            person, origin = pick
            members.append(person)
            mask &= pool.mask[person]
            if origin is not None:
                spare[origin] -= 1
                taken.append((person, origin))
                partition.remove(person)
        if len(members) >= floor:
            numbers.append(partition.new_group(members))
            waiting = [person for person in waiting if person not in members]
        else:
            for person, origin in taken:
                partition.add(person, origin)
    return waiting


def _bits(mask: int) -> list[int]:
    bits = []
    while mask:
        low = mask & -mask
        bits.append(low.bit_length() - 1)
        mask ^= low
    return bits


def form_groups_by_slot(partition: Partition, people: list[int], rng: random.Random) -> list[int]:
    """Makes groups around the busiest common slot: again and again, the session start most of the waiting people
    can make gets one group of them — those with the fewest other choices first, then whoever keeps the most
    slots in common. Returns who is left over."""
    pool = partition.pool
    order = _most_constrained_first(partition, people, rng)
    rank = {person: position for position, person in enumerate(order)}
    waiting = set(order)
    bits = {person: _bits(pool.mask[person]) for person in order}
    available: dict[int, set[int]] = {}
    for person in order:
        for bit in bits[person]:
            available.setdefault(bit, set()).add(person)
    while True:
        bit = max(sorted(available), key=lambda slot: len(available[slot]), default=None)
        if bit is None or len(available[bit]) < MIN_MEMBERS:
            break
        here = available[bit]
        size = math.ceil(len(here) / group_count(len(here), partition.target_size))
        # Fewest remaining choices first: people whose slots are mostly gone have no second chance.
        choices = {person: sum(len(available.get(b, ())) >= MIN_MEMBERS for b in bits[person]) for person in here}
        candidates = sorted(here, key=lambda person: (choices[person], rank[person]))
        members: list[int] = []
        mask = -1
        while len(members) < size:
            fitting = [person for person in candidates if person not in members and pool.fits(person, members, mask)]
            if not fitting:
                break
            has_moderator = any(pool.moderator[member] for member in members)
            person = min(fitting, key=lambda person: (
                choices[person],
                # One trained moderator per group: the first one is welcome, a second one is kept for another group.
                0 if pool.moderator[person] != has_moderator else 1,
                -(mask & pool.mask[person]).bit_count(), rank[person]))
            members.append(person)
            mask &= pool.mask[person]
        if len(members) < MIN_MEMBERS:
            # This slot cannot make a group (the reporting chain splits it): forget it and look at the next one.
            del available[bit]
            continue
        partition.new_group(members)
        for person in members:
            waiting.discard(person)
            for b in bits[person]:
                if b in available:
                    available[b].discard(person)
                    if not available[b]:
                        del available[b]
    return [person for person in order if person in waiting]
