"""How a person's consent to be contacted was obtained (Law 25: consent must be express, and provable)."""

from __future__ import annotations

import enum


class ConsentSource(str, enum.Enum):
    """How a person's consent was obtained: recorded, never the person's own words."""

    EMAIL_CONFIRMATION = "email_confirmation"  # they pressed "confirm" on the page their e-mail led to
    COORDINATOR_DECLARED = "coordinator_declared"  # a coordinator says it was collected another way (paper form)
    MIGRATED = "migrated"  # a member who was in a group before consent was recorded
