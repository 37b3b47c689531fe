"""The reporting chain as plain values: who is above whom, and whether the chain loops.

Both functions take a mapping ``person key → key of the person they report to`` (``None`` or absent: nobody).
Keys are whatever identifies a person (normalised e-mail addresses in the service). A person who is not in
the pool still counts as a link: if Ana reports to Ben, who is not a volunteer, and Ben reports to Chloé,
then Chloé is above Ana as long as Ben's own line is in the mapping.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


def find_cycle(reports_to: Mapping[Key, Key | None]) -> list[Key] | None:
    """One loop in the chain, in chain order (``[a, b]`` when a reports to b who reports to a; ``[a]`` for a person
    reporting to themself), or ``None`` if there is none. The same mapping always gives the same loop."""
    state: dict[Key, int] = {}  # 1: on the current walk, 2: done (no loop reachable from it)
    for start in reports_to:
        if state.get(start) == 2:
            continue
        walk: list[Key] = []
        person: Key | None = start
        while person is not None and state.get(person) is None:
            state[person] = 1
            walk.append(person)
            person = reports_to.get(person)
        if person is not None and state.get(person) == 1:
            return walk[walk.index(person):]
        for visited in walk:
            state[visited] = 2
    return None


def superiors_of(reports_to: Mapping[Key, Key | None], person: Key) -> frozenset[Key]:
    """Everyone above ``person``: the person they report to, that person's own, and so on up (a loop stops the
    walk instead of running forever; ``person`` is never their own superior)."""
    above: set[Key] = set()
    current = reports_to.get(person)
    while current is not None and current != person and current not in above:
        above.add(current)
        current = reports_to.get(current)
    return frozenset(above)


def all_superiors(reports_to: Mapping[Key, Key | None], people: list[Key] | None = None) -> dict[Key, frozenset[Key]]:
    """``superiors_of`` for every person of ``people`` (default: every key of the mapping), sharing the work
    along common chains so that thousands of people cost about one walk each."""
    memo: dict[Key, frozenset[Key]] = {}

    def above(person: Key) -> frozenset[Key]:
        if person in memo:
            return memo[person]
        chain: list[Key] = []
        seen: set[Key] = set()
        current: Key | None = person
        while current is not None and current not in memo and current not in seen:
            seen.add(current)
            chain.append(current)
            current = reports_to.get(current)
        if current is not None and current not in memo:
            # A loop: everyone on it and below it gets the plain walk (rare; the service refuses loops).
            for link in chain:
                memo[link] = superiors_of(reports_to, link)
            return memo[person]
        inherited: frozenset[Key] = memo[current] | {current} if current is not None else frozenset()
        for link in reversed(chain):
            memo[link] = inherited - {link}
            inherited = memo[link] | {link}
        return memo[person]

    return {person: above(person) for person in (people if people is not None else list(reports_to))}


def are_related(superiors: Mapping[Key, frozenset[Key]], first: Key, second: Key) -> bool:
    """True if one of the two is above the other."""
    return second in superiors.get(first, frozenset()) or first in superiors.get(second, frozenset())
