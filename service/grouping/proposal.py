"""The proposal: groups of the available volunteers that always meet the rules and are as good as the search can
make them, and everyone else with the reason they were left out.

Per language: groups inside each team first (the shared lived experience), built around the session starts most
of the team can make; then the people left over, across teams, around availability "clusters"; then everyone
still waiting into a group with room, or into new groups completed from groups that can spare a member; then
local improvement (moves and swaps) over the whole language. Deterministic for a given
``seed``.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence

from service.grouping.forming import form_groups, form_groups_by_slot, insert_where_best, recruit
from service.grouping.improve import improve
from service.grouping.partition import Partition
from service.grouping.pool import Pool
from service.grouping.reasons import unplaced_reason
from service.grouping.rules import group_problems, summarise
from service.grouping.values import (
    DEFAULT_SESSION_MINUTES,
    DEFAULT_TARGET_SIZE,
    MAX_MEMBERS,
    MIN_MEMBERS,
    Person,
    Proposal,
    ProposedGroup,
    Unplaced,
)


def propose(people: Sequence[Person], reports_to: Mapping[str, str | None] | None = None, *,
            target_size: int = DEFAULT_TARGET_SIZE, session_minutes: int = DEFAULT_SESSION_MINUTES,
            seed: int = 0) -> Proposal:
    """Groups for ``people`` (keys unique and mutually comparable). ``reports_to`` adds the reporting lines of
    people outside the pool, which still link a chain."""
    pool = Pool(people, reports_to, session_minutes)
    partition = Partition(pool, min(max(target_size, MIN_MEMBERS), MAX_MEMBERS))
    rng = random.Random(seed)
    by_language: dict[str, list[int]] = defaultdict(list)
    for person in range(len(pool)):
        if pool.mask[person]:
            by_language[pool.language[person]].append(person)
    waiting: list[int] = []
    for language in sorted(by_language):
        waiting += _group_language(partition, by_language[language], rng)
    waiting = improve(partition, waiting, rng)
    # Last, anyone still waiting joins any group of their language with room where every rule holds (the moves
    # of the improvement only look at some groups): nobody is left out who could simply be added.
    live = partition.live_groups()
    insert_where_best(partition, waiting, [number for number in live if partition.groups[number]])
    return _answer(partition, by_language)


def _group_language(partition: Partition, people: list[int], rng: random.Random) -> list[int]:
    pool = partition.pool
    if len(people) < MIN_MEMBERS:
        return people
    by_team: dict[str, list[int]] = defaultdict(list)
    leftovers: list[int] = []
    for person in people:
        if pool.team[person] is None:
            leftovers.append(person)
        else:
            by_team[pool.team[person]].append(person)
    first = len(partition.groups)
    for team in sorted(by_team):
        team_first = len(partition.groups)
        left = form_groups_by_slot(partition, by_team[team], rng)
        team_numbers = list(range(team_first, len(partition.groups)))
        left = insert_where_best(partition, left, team_numbers)
        # A new group of the team may take members from the team's other groups, but no group of one team goes
        # below one under the target for it: a group at the bare minimum breaks the rule when one person leaves.
        leftovers += recruit(partition, left, team_numbers, max(MIN_MEMBERS, partition.target_size - 1))
    leftovers = form_groups(partition, sorted(leftovers), rng)
    numbers = [number for number in range(first, len(partition.groups)) if partition.groups[number]]
    leftovers = insert_where_best(partition, leftovers, numbers)
    return recruit(partition, leftovers, numbers)


def _answer(partition: Partition, by_language: Mapping[str, list[int]]) -> Proposal:
    pool = partition.pool
    groups: list[ProposedGroup] = []
    for number in partition.live_groups():
        members = sorted(partition.groups[number])
        if group_problems(pool, members):  # never expected; a broken group is not proposed, whatever happens
            for member in members:
                partition.remove(member)
            continue
        groups.append(summarise(pool, members))
    groups.sort(key=lambda group: (group.language or "", group.team or "", group.members))
    unplaced = tuple(
        Unplaced(pool.people[person].key, unplaced_reason(pool, person, by_language.get(pool.language[person], [])))
        for person in range(len(pool)) if partition.group_of[person] is None)
    return Proposal(tuple(groups), unplaced)
