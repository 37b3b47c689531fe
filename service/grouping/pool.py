"""The pool indexed for the search: people as positions 0..n-1 with their slot mask and the people of the pool
above or below them, so that every rule check is a few integer and set operations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from service.grouping.hierarchy import all_superiors
from service.grouping.slots import slot_mask
from service.grouping.values import DEFAULT_SESSION_MINUTES, Person


class Pool:
    def __init__(self, people: Sequence[Person], reports_to: Mapping[str, str | None] | None = None,
                 session_minutes: int = DEFAULT_SESSION_MINUTES) -> None:
        # Sorted by key: the same people in any order give the same proposal.
        self.people: list[Person] = sorted(people, key=lambda person: person.key)
        self.session_minutes = session_minutes
        self.mask = [slot_mask(person.availability, session_minutes) for person in self.people]
        self.language = [person.language for person in self.people]
        self.team = [person.team for person in self.people]
        self.moderator = [person.is_trained_moderator for person in self.people]
        self.related = self._related(reports_to or {})

    def __len__(self) -> int:
        return len(self.people)

    def _related(self, outside_links: Mapping[str, str | None]) -> list[frozenset[int]]:
        """For each person, the people of the pool above or below them. The organisation's other lines
        (``outside_links``: people who are not in the pool) still link a chain; the pool's own lines win."""
        chain: dict[str, str | None] = dict(outside_links)
        for person in self.people:
            chain[person.email] = person.reports_to
        positions: dict[str, list[int]] = defaultdict(list)
        for index, person in enumerate(self.people):
            positions[person.email].append(index)
        superiors = all_superiors(chain, [person.email for person in self.people])
        related: list[set[int]] = [set() for _ in self.people]
        for index, person in enumerate(self.people):
            for boss in superiors[person.email]:
                for other in positions.get(boss, ()):
                    if other != index:
                        related[index].add(other)
                        related[other].add(index)
        return [frozenset(links) for links in related]

    def common_mask(self, members: Sequence[int]) -> int:
        mask = -1
        for member in members:
            mask &= self.mask[member]
        return mask if members else 0

    def fits(self, person: int, members: Sequence[int], mask: int) -> bool:
        """Whether ``person`` can join ``members`` (whose common mask is ``mask``) without breaking a rule other
        than the size: same language, nobody above or below them, a slot left for everyone."""
        if members and self.language[members[0]] != self.language[person]:
            return False
        if not mask & self.mask[person]:
            return False
        related = self.related[person]
        return not related or not any(member in related for member in members)
