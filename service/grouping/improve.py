"""Local improvement: moves and swaps between groups of one language, kept only when the total score rises and
every rule still holds. A waiting person is a move from "nowhere" (worth ``UNPLACED``); hill climbing with a
fixed number of passes, so the same input and seed always give the same answer."""

from __future__ import annotations

import random
from collections import defaultdict

from service.grouping.partition import Partition
from service.grouping.score import UNPLACED
from service.grouping.values import MAX_MEMBERS, MIN_MEMBERS

MAX_PASSES = 6
RANDOM_TARGETS = 3  # groups of the same language tried besides those of the person's own team
EPSILON = 1e-9


def _masks_without_each(pool, members: list[int]) -> list[int]:
    """The common mask of ``members`` without each one in turn (prefix and suffix ANDs: linear, not quadratic)."""
    count = len(members)
    prefix, suffix = [-1] * (count + 1), [-1] * (count + 1)
    for index, member in enumerate(members):
        prefix[index + 1] = prefix[index] & pool.mask[member]
    for index in range(count - 1, -1, -1):
        suffix[index] = suffix[index + 1] & pool.mask[members[index]]
    return [prefix[index] & suffix[index + 1] for index in range(count)]


def _best_change(partition: Partition, person: int, targets: list[int], scores: dict[int, float],
                 masks: dict[int, tuple[int, list[int]]]):
    """The move or swap of ``person`` that raises the total score most, as (group, member swapped or None)."""
    pool = partition.pool
    mask, related = pool.mask[person], pool.related[person]
    origin = partition.group_of[person]
    origin_members = partition.groups[origin] if origin is not None else []
    origin_without = [member for member in origin_members if member != person]
    origin_mask = pool.common_mask(origin_without) if origin_without else -1
    origin_without_score = partition.score(origin_without) if origin is not None else 0.0
    origin_score = scores[origin] if origin is not None else -UNPLACED
    best_gain, best = EPSILON, None
    for number in targets:
        members = partition.groups[number]
        if not members or pool.language[members[0]] != pool.language[person]:
            continue
        conflicts = [member for member in members if member in related] if related else []
        if len(conflicts) > 1:
            continue
        if number not in masks:
            masks[number] = (pool.common_mask(members), _masks_without_each(pool, members))
        group_mask, without_each = masks[number]
        # A move: the person joins, their group keeps enough people.
        if (not conflicts and group_mask & mask and len(members) < MAX_MEMBERS
                and (origin is None or len(origin_members) > MIN_MEMBERS)):
            gain = partition.score(members + [person]) - scores[number] + (
                origin_without_score - origin_score if origin is not None else UNPLACED)
            if gain > best_gain:
                best_gain, best = gain, (number, None)
        # A swap: the person and one member trade places (the one above or below them, if there is one).
        for index, other in enumerate(members):
            if (conflicts and other != conflicts[0]) or not without_each[index] & mask:
                continue
            if origin is not None and (not origin_mask & pool.mask[other]
                                       or any(member in pool.related[other] for member in origin_without)):
                continue
            joined = [member for member in members if member != other] + [person]
            if origin is None:
                gain = partition.score(joined) - scores[number]
            else:
                gain = partition.score(joined) + partition.score(origin_without + [other]) - scores[number] \
                    - origin_score
            if gain > best_gain:
                best_gain, best = gain, (number, other)
    return best


def improve(partition: Partition, waiting: list[int], rng: random.Random) -> list[int]:
    """Improves ``partition`` in place; returns who is still waiting."""
    pool = partition.pool
    waiting_set = set(waiting)
    for _ in range(MAX_PASSES):
        numbers = partition.live_groups()
        scores = {number: partition.score(partition.groups[number]) for number in numbers}
        masks: dict[int, tuple[int, list[int]]] = {}  # a group's common mask and its masks without each member
        by_language: dict[str, list[int]] = defaultdict(list)
        by_team: dict[tuple[str, str | None], set[int]] = defaultdict(set)
        without_moderator: dict[str, list[int]] = defaultdict(list)
        for number in numbers:
            members = partition.groups[number]
            language = pool.language[members[0]]
            by_language[language].append(number)
            for member in members:
                by_team[(language, pool.team[member])].add(number)
            if not any(pool.moderator[member] for member in members):
                without_moderator[language].append(number)
        people = [person for number in numbers for person in partition.groups[number]] + sorted(waiting_set)
        rng.shuffle(people)
        changed = False
        for person in people:
            language, origin = pool.language[person], partition.group_of[person]
            same_language = by_language[language]
            if not same_language:
                continue
            targets = set(by_team[(language, pool.team[person])]) if pool.team[person] is not None else set()
            if pool.moderator[person] and without_moderator[language]:
                lacking = without_moderator[language]
                targets.update(rng.sample(lacking, min(RANDOM_TARGETS, len(lacking))))
            targets.update(rng.sample(same_language, min(RANDOM_TARGETS, len(same_language))))
            targets.discard(origin)
            change = _best_change(partition, person, sorted(targets), scores, masks)
            if change is None:
                continue
            number, other = change
            partition.remove(person)
            if other is not None:
                partition.remove(other)
                if origin is not None:
                    partition.add(other, origin)
                else:
                    waiting_set.add(other)
            partition.add(person, number)
            waiting_set.discard(person)
            for touched in (number, origin):
                if touched is not None:
                    scores[touched] = partition.score(partition.groups[touched])
                    masks.pop(touched, None)
            by_team[(language, pool.team[person])].add(number)
            if other is not None and origin is not None:
                by_team[(language, pool.team[other])].add(origin)
            changed = True
        if not changed:
            break
    return sorted(waiting_set)
