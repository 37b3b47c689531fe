"""The JSON API's request bodies, validated by pydantic; their JSON Schemas go into the OpenAPI document.

Types and shapes only: the rules (group size, hierarchy, working hours...) stay in the domain services, which
answer with violations naming the offending field.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# Dates far from now are typing mistakes (and years 1 or 9999 overflow time-zone arithmetic).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def _plausible(value):
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"the year must be between {EARLIEST_YEAR} and {LATEST_YEAR}")
    return value


Moment = Annotated[datetime, AfterValidator(_plausible)]
Day = Annotated[date, AfterValidator(_plausible)]
Text = Annotated[str, Field(max_length=320)]
Language = Literal["fr", "en"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=320)


class MemberIn(Body):
    display_name: Annotated[str, Field(max_length=120)]
    email: Text
    language: Language = "fr"
    reports_to_email: Text | None = None
    is_trained_moderator: bool = False


class ExternalModeratorIn(Body):
    display_name: Annotated[str, Field(max_length=120)]
    email: Text
    language: Language = "fr"


class GroupIn(Body):
    name: Annotated[str, Field(max_length=200)]
    language: Language = "fr"
    timezone: Annotated[str, Field(max_length=64)] = "America/Toronto"
    members: Annotated[list[MemberIn], Field(max_length=60)]
    size_exception_confirmed: bool = False
    neutral_invite_title: bool = True
    chat_prompts_enabled: bool = True
    external_moderator: ExternalModeratorIn | None = None
    external_moderator_sessions: Annotated[int, Field(ge=0, le=60)] = 0


class GroupSettingsIn(Body):
    name: Annotated[str, Field(max_length=200)]
    language: Language
    timezone: Annotated[str, Field(max_length=64)]
    neutral_invite_title: bool = True
    chat_prompts_enabled: bool = True
    size_exception_confirmed: bool = False


class SessionIn(Body):
    kind: Literal["kickoff", "regular", "rehearsal"]
    starts_at: Annotated[Moment, Field(description="Wall-clock time in the group's zone (no offset), or with an "
                                                     "offset.")]
    duration_minutes: Annotated[int, Field(ge=1, le=600)] | None = None
    moderator_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    supervisor_agreement: bool = False


class SeriesIn(Body):
    first_date: Day
    local_time: time
    duration_minutes: Annotated[int, Field(ge=1, le=600)] = 30
    interval_weeks: Literal[1, 2] = 1
    occurrence_count: Annotated[int, Field(ge=1, le=60)] | None = None
    until_date: Day | None = None
    supervisor_agreement: bool = False


class RescheduleSessionIn(Body):
    starts_at: Moment
    duration_minutes: Annotated[int, Field(ge=1, le=600)] | None = None
    supervisor_agreement: bool = False


class RescheduleSeriesIn(Body):
    local_time: time
    duration_minutes: Annotated[int, Field(ge=1, le=600)]
    weekday: Annotated[int, Field(ge=0, le=6, description="0 = Monday")] | None = None
    supervisor_agreement: bool = False


class ModeratorIn(Body):
    moderator_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class ShareIn(Body):
    email: Text


class PollSlotIn(Body):
    weekday: Annotated[int, Field(ge=-1000, le=1000, description="1 = Monday ... 7 = Sunday")]
    local_time: Annotated[time, Field(description="HH:MM in the group's zone")]
    duration_minutes: Annotated[int, Field(ge=-10000, le=10000)] = 30


class PollIn(Body):
    # The domain answers "2 to 12" in the caller's language; the schema only keeps absurd sizes out.
    slots: Annotated[list[PollSlotIn], Field(max_length=100)]
    interval_weeks: Annotated[int, Field(ge=-1000, le=1000)] = 1
    occurrence_count: Annotated[int, Field(ge=-1000, le=1000)]
    closes_at: Annotated[Moment, Field(description="Wall-clock time in the group's zone (no offset), or with an "
                                                   "offset.")]


class PollDecisionIn(Body):
    slot: Annotated[int, Field(ge=-1000, le=1000, description="index of the chosen slot, from 0")]
    first_date: Day
    supervisor_agreement: bool = False


REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    GroupIn, GroupSettingsIn, MemberIn, SessionIn, SeriesIn, RescheduleSessionIn, RescheduleSeriesIn, ModeratorIn,
    ShareIn, PollSlotIn, PollIn, PollDecisionIn,
)
