"""Grouping volunteers into peer-support groups, as pure code: no Flask, database, Redis or mail import.

``hierarchy`` reads the reporting chain. The rest (slots, rules, the proposal search) works on plain values too,
so the API, the coordinator page, the tests and ``bench/grouping.py`` all ask the same questions.
"""

from service.grouping.hierarchy import all_superiors, find_cycle, superiors_of
from service.grouping.proposal import propose
from service.grouping.reasons import REASONS
from service.grouping.rules import Problem, check_partition, review
from service.grouping.slots import mask_windows, slot_mask, window_from_mapping, window_to_mapping
from service.grouping.values import (
    DEFAULT_SESSION_MINUTES,
    DEFAULT_TARGET_SIZE,
    Person,
    Proposal,
    ProposedGroup,
    Unplaced,
    Window,
)

__all__ = [
    "DEFAULT_SESSION_MINUTES", "DEFAULT_TARGET_SIZE", "REASONS", "Person", "Problem", "Proposal", "ProposedGroup",
    "Unplaced", "Window", "all_superiors", "check_partition", "find_cycle", "mask_windows", "propose",
    "review", "slot_mask", "superiors_of", "window_from_mapping", "window_to_mapping",
]
