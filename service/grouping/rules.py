"""The rules a group must always meet, checked on a candidate partition.

The search calls ``group_problems`` on every group it proposes; the service calls ``check_partition`` on a
coordinator's edited proposal (and again when it is accepted); the property tests call both.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from service.grouping.pool import Pool
from service.grouping.score import largest_team
from service.grouping.slots import mask_windows
from service.grouping.values import DEFAULT_SESSION_MINUTES, MAX_MEMBERS, MIN_MEMBERS, Person, ProposedGroup

TOO_SMALL = "too_small"
TOO_LARGE = "too_large"
MIXED_LANGUAGES = "mixed_languages"
HIERARCHY = "hierarchy_in_group"
NO_COMMON_SLOT = "no_common_slot"
DUPLICATE = "duplicate_person"


@dataclass(frozen=True)
class Problem:
    """A broken rule. ``people`` names who is involved (for the hierarchy: the person and the one above them)."""

    code: str
    people: tuple[Hashable, ...] = ()


def group_problems(pool: Pool, members: Sequence[int]) -> list[Problem]:
    """Every rule ``members`` (positions in ``pool``) break, in a fixed order; empty when the group is valid."""
    problems: list[Problem] = []
    keys = [pool.people[member].key for member in members]
    if len(members) < MIN_MEMBERS:
        problems.append(Problem(TOO_SMALL))
    elif len(members) > MAX_MEMBERS:
        problems.append(Problem(TOO_LARGE))
    if len({pool.language[member] for member in members}) > 1:
        problems.append(Problem(MIXED_LANGUAGES))
    chosen = set(members)
    for position, member in enumerate(members):
        for other in sorted(pool.related[member] & chosen):
            if other in members[position + 1:]:
                problems.append(Problem(HIERARCHY, (keys[position], pool.people[other].key)))
    if members and not pool.common_mask(members):
        problems.append(Problem(NO_COMMON_SLOT))
    return problems


def summarise(pool: Pool, members: Sequence[int]) -> ProposedGroup:
    """What the coordinator reads about a group (positions in ``pool``, in the order given)."""
    mask = pool.common_mask(members)
    team, shared = largest_team(pool, members)
    languages = {pool.language[member] for member in members}
    return ProposedGroup(
        members=tuple(pool.people[member].key for member in members),
        language=next(iter(languages)) if len(languages) == 1 else None,
        common_windows=mask_windows(mask, pool.session_minutes),
        common_slot_count=mask.bit_count(),
        team=team,
        team_share=round(shared / len(members), 4) if members else 0.0,
        has_trained_moderator=any(pool.moderator[member] for member in members),
    )


def review(people: Sequence[Person], groups: Sequence[Sequence[Hashable]],
           reports_to: Mapping[str, str | None] | None = None,
           session_minutes: int = DEFAULT_SESSION_MINUTES) -> list[tuple[ProposedGroup, list[Problem]]]:
    """Each group (lists of person keys) of a partition of ``people``: its summary and the rules it breaks; a
    person named in two groups is a problem of the second one. Keys that are not among ``people`` must be refused
    by the caller."""
    pool = Pool(people, reports_to, session_minutes)
    position = {person.key: index for index, person in enumerate(pool.people)}
    seen: set[Hashable] = set()
    answer: list[tuple[ProposedGroup, list[Problem]]] = []
    for group in groups:
        duplicates = tuple(key for key in group if key in seen)
        seen.update(group)
        members = [position[key] for key in dict.fromkeys(group)]
        problems = group_problems(pool, members)
        if duplicates:
            problems.insert(0, Problem(DUPLICATE, duplicates))
        answer.append((summarise(pool, members), problems))
    return answer


def check_partition(people: Sequence[Person], groups: Sequence[Sequence[Hashable]],
                    reports_to: Mapping[str, str | None] | None = None,
                    session_minutes: int = DEFAULT_SESSION_MINUTES) -> list[list[Problem]]:
    """Only the problems of ``review``."""
    return [problems for _, problems in review(people, groups, reports_to, session_minutes)]
