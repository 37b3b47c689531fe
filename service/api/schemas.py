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


# Consent before contact: without it the person gets the welcome-and-consent e-mail and no invitation until they
# confirm. True: you collected their consent another way (a paper form); the audit trail records that you said so.
ConsentDeclared = Annotated[bool, Field(description="You collected this person's consent another way (a paper "
                                                    "form); recorded in the audit trail with your name and the time.")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=320)


class MemberIn(Body):
    display_name: Annotated[str, Field(max_length=120)]
    email: Text
    language: Language = "fr"
    reports_to_email: Text | None = None
    is_trained_moderator: bool = False
    consent_already_given: ConsentDeclared = False


class ExternalModeratorIn(Body):
    display_name: Annotated[str, Field(max_length=120)]
    email: Text
    language: Language = "fr"
    consent_already_given: ConsentDeclared = False


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


# ------------------------------------------------------------------------------- organisation and volunteers
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, 24-hour clock")]


class AvailabilityIn(Body):
    weekday: Annotated[int, Field(ge=1, le=7, description="1 = Monday ... 7 = Sunday")]
    start: Clock
    end: Clock


class VolunteerIn(Body):
    display_name: Annotated[str, Field(max_length=120)]
    email: Text
    language: Language = "fr"
    team: Annotated[str, Field(max_length=64)] | None = Field(None, description="A team key of the organisation")
    reports_to_email: Text | None = None
    availability: Annotated[list[AvailabilityIn], Field(max_length=50, description="In the organisation's time "
                                                                                    "zone")] = []
    is_trained_moderator: bool = False
    consent_already_given: ConsentDeclared = False


class VolunteerImportIn(Body):
    csv: Annotated[str, Field(max_length=2_000_000, description="The CSV file's text; the header names the "
                                                               "columns (display_name, email, language, team, "
                                                               "reports_to_email, availability, "
                                                               "is_trained_moderator, wants_training, "
                                                               "consent_already_given)")]


class TeamIn(Body):
    key: Annotated[str, Field(max_length=64)]
    name_fr: Annotated[str, Field(max_length=120)]
    name_en: Annotated[str, Field(max_length=120)]


class ResourceIn(Body):
    name: Annotated[str, Field(max_length=200)]
    contact: Annotated[str, Field(max_length=200)]
    detail: Annotated[str, Field(max_length=320)] = ""


class SupportResourcesIn(Body):
    fr: Annotated[list[ResourceIn], Field(max_length=20)] = []
    en: Annotated[list[ResourceIn], Field(max_length=20)] = []


class WorkingHoursIn(Body):
    weekdays: Annotated[list[Annotated[int, Field(ge=1, le=7)]], Field(max_length=7, description="1 = Monday")]
    start: Clock
    end: Clock


class OrganisationIn(Body):
    """Only the fields given change."""

    name: Annotated[str, Field(max_length=200)] | None = None
    timezone: Annotated[str, Field(max_length=64)] | None = None
    signup_domains: Annotated[list[Annotated[str, Field(max_length=253)]], Field(max_length=50)] | None = None
    teams: Annotated[list[TeamIn], Field(max_length=200)] | None = None
    privacy_officer_name: Annotated[str, Field(max_length=120)] | None = None
    privacy_officer_contact: Text | None = None
    support_resources: SupportResourcesIn | None = None
    working_hours: WorkingHoursIn | None = Field(None, description="When a session asks for the supervisors' "
                                                                    "agreement (default Monday-Friday 08:00-17:00)")

# ------------------------------------------------------------------------------- groups proposed from the pool
VolunteerId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class GroupingIn(Body):
    volunteer_ids: Annotated[list[VolunteerId], Field(max_length=5000, description="Only these volunteers (only "
                                                      "those available are placed); default: every available one.")] \
        | None = None
    target_size: Annotated[int, Field(ge=4, le=8)] = 6


class ProposedGroupIn(Body):
    volunteer_ids: Annotated[list[VolunteerId], Field(max_length=60)]


class GroupingCheckIn(Body):
    groups: Annotated[list[ProposedGroupIn], Field(min_length=1, max_length=500)]


class AcceptedGroupIn(Body):
    name: Annotated[str, Field(max_length=200)]
    volunteer_ids: Annotated[list[VolunteerId], Field(max_length=60)]


class GroupingAcceptIn(Body):
    groups: Annotated[list[AcceptedGroupIn], Field(min_length=1, max_length=500)]


REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    GroupIn, GroupSettingsIn, MemberIn, SessionIn, SeriesIn, RescheduleSessionIn, RescheduleSeriesIn, ModeratorIn,
    ShareIn, GroupingIn, GroupingCheckIn, GroupingAcceptIn, VolunteerIn, VolunteerImportIn, OrganisationIn,
)
