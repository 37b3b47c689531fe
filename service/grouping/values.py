"""The plain values the grouping works on and answers with."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

# The guide's rule, one definition for the whole service (service.protocol is pure too).
from service.protocol import MAX_MEMBERS, MIN_MEMBERS

DEFAULT_TARGET_SIZE = 6
DEFAULT_SESSION_MINUTES = 30

__all__ = ["DEFAULT_SESSION_MINUTES", "DEFAULT_TARGET_SIZE", "MAX_MEMBERS", "MIN_MEMBERS", "Person",
           "Proposal", "ProposedGroup", "Unplaced", "Window"]


@dataclass(frozen=True, order=True)
class Window:
    """A weekly time window in the organisation's time zone: ``weekday`` 1 (Monday) to 7, minutes since midnight
    (``end`` up to 1440)."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class Person:
    """A volunteer as the grouping sees them. ``key`` identifies them in the answer (the volunteer id);
    ``email`` and ``reports_to`` are their place in the reporting chain (normalised addresses)."""

    key: Hashable
    email: str
    language: str
    availability: tuple[Window, ...] = ()
    team: str | None = None
    reports_to: str | None = None
    is_trained_moderator: bool = False


@dataclass(frozen=True)
class ProposedGroup:
    members: tuple[Hashable, ...]
    language: str | None  # None only for an edited group that mixes languages
    common_windows: tuple[Window, ...]  # merged windows in which every member can hold a whole session
    common_slot_count: int  # distinct session starts every member can make
    team: str | None  # the team most members share
    team_share: float  # share of the members in that team
    has_trained_moderator: bool


@dataclass(frozen=True)
class Unplaced:
    key: Hashable
    reason: str


@dataclass(frozen=True)
class Proposal:
    groups: tuple[ProposedGroup, ...]
    unplaced: tuple[Unplaced, ...]
