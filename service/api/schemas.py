"""The JSON API's request bodies, validated by pydantic; their JSON Schemas go into the OpenAPI document.

The document says exactly what is accepted, and the validation here is that document: strict types (``0`` is not
``false``, ``"30"`` not ``30``), no unknown field, texts with the rules' lengths and at least one visible
character, dates and times in one written form, time zones from the list the rules know. Every body a new
operation declares with :class:`Body` gets the same. What depends on more than one field or on the database (group
size, hierarchy, working hours...) stays in the domain services, which answer with violations naming the field.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from service.domain.rules import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, is_known_timezone
from service.i18n import N_
from service.routing import ID_MAXIMUM, ID_MINIMUM

# Dates far from now are typing mistakes (and years 1 or 9999 overflow time-zone arithmetic).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
# At least one character that rules.clean_text keeps (it drops control characters and collapses whitespace):
# written with explicit code points so that Python, JSON Schema and pydantic's regex engine read it alike.
VISIBLE = "[^\\x00-\\x20\\x7f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
# ISO 8601 as the API takes it: a wall-clock time in the group's zone, or with an offset (or Z).
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_PATTERN = r"^[0-9]{2}:[0-9]{2}(:[0-9]{2})?$"
MOMENT_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$"


def _parsed(kind):
    def parse(value: str):
        try:
            parsed = kind.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("value_invalid", N_("Cette date ou cette heure n’existe pas.")) from None
        if kind is not time and not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
            raise PydanticCustomError("year_out_of_range", N_("L’année doit être entre 2000 et 2100."))
        return parsed

    return AfterValidator(parse)


def _known_timezone(value: str) -> str:
    if not is_known_timezone(value):
        raise PydanticCustomError(
            "timezone_unknown",
            N_("Ce fuseau horaire n’existe pas. Choisissez-en un dans la liste, par exemple America/Toronto."))
    return value


Moment = Annotated[str, Field(pattern=MOMENT_PATTERN, description="Wall-clock time in the group's zone (no "
                                                                  "offset), or with an offset."), _parsed(datetime)]
Day = Annotated[str, Field(pattern=DATE_PATTERN), _parsed(date)]
LocalTime = Annotated[str, Field(pattern=TIME_PATTERN), _parsed(time)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH, pattern=VISIBLE)]
Text = Annotated[str, Field(max_length=EMAIL_MAX_LENGTH)]


@lru_cache(maxsize=1)
def timezone_names() -> tuple[str, ...]:
    return tuple(sorted(zone for zone in available_timezones() if is_known_timezone(zone)))


def _timezone_enum(schema: dict) -> None:
    """The zones the rules know, written into the document when it is built (not at import)."""
    schema.update(enum=list(timezone_names()), description="An IANA time zone, e.g. America/Toronto.")


Timezone = Annotated[str, AfterValidator(_known_timezone), Field(json_schema_extra=_timezone_enum)]
Language = Literal["fr", "en"]
RowId = Annotated[int, Field(ge=ID_MINIMUM, le=ID_MAXIMUM)]

# Answers to the scheduling questions (a 422 whose violation names the flag as its ``field``).
DaylightSavingConfirmed = Annotated[bool, Field(description=(
    "Keep a time the clocks skip (moved one hour later) or repeat (the first one is taken) on some date; "
    "otherwise 422 nonexistent_local_time / ambiguous_local_time."))]
BeforeKickoffConfirmed = Annotated[bool, Field(description=(
    "Schedule a regular session before the group's kick-off; otherwise 422 before_kickoff."))]
SecondKickoffConfirmed = Annotated[bool, Field(description=(
    "Schedule a second kick-off; otherwise 422 kickoff_exists, whose violation carries the existing kick-off's "
    "session_id (move it with PATCH instead)."))]


# Consent before contact: without it the person gets the welcome-and-consent e-mail and no invitation until they
# confirm. True: you collected their consent another way (a paper form); the audit trail records that you said so.
ConsentDeclared = Annotated[bool, Field(description="You collected this person's consent another way (a paper "
                                                    "form); recorded in the audit trail with your name and the time.")]


class Body(BaseModel):
    # strict: JSON types as written (validated in JSON mode, so dates may still be strings).
    model_config = ConfigDict(extra="forbid", strict=True, str_max_length=EMAIL_MAX_LENGTH)


class MemberIn(Body):
    display_name: Name
    email: Text
    language: Language = "fr"
    reports_to_email: Text | None = None
    is_trained_moderator: bool = False
    consent_already_given: ConsentDeclared = False


class ExternalModeratorIn(Body):
    display_name: Name
    email: Text
    language: Language = "fr"
    consent_already_given: ConsentDeclared = False


class GroupIn(Body):
    name: Name
    language: Language = "fr"
    timezone: Timezone = "America/Toronto"
    members: Annotated[list[MemberIn], Field(max_length=60)]
    size_exception_confirmed: bool = False
    neutral_invite_title: bool = True
    chat_prompts_enabled: bool = True
    external_moderator: ExternalModeratorIn | None = None
    external_moderator_sessions: Annotated[int, Field(ge=0, le=60)] = 0


class GroupSettingsIn(Body):
    name: Name
    language: Language
    timezone: Timezone
    neutral_invite_title: bool = True
    chat_prompts_enabled: bool = True
    size_exception_confirmed: bool = False


class SessionIn(Body):
    kind: Literal["kickoff", "regular", "rehearsal"]
    starts_at: Moment
    duration_minutes: Annotated[int, Field(ge=1, le=600)] | None = None
    moderator_id: RowId | None = None
    supervisor_agreement: bool = False
    daylight_saving_confirmed: DaylightSavingConfirmed = False
    before_kickoff_confirmed: BeforeKickoffConfirmed = False
    second_kickoff_confirmed: SecondKickoffConfirmed = False


class SeriesIn(Body):
    first_date: Day
    local_time: LocalTime
    duration_minutes: Annotated[int, Field(ge=1, le=600)] = 30
    interval_weeks: Literal[1, 2] = 1
    occurrence_count: Annotated[int, Field(ge=1, le=60)] | None = None
    until_date: Day | None = None
    supervisor_agreement: bool = False
    daylight_saving_confirmed: DaylightSavingConfirmed = False
    before_kickoff_confirmed: BeforeKickoffConfirmed = False


class RescheduleSessionIn(Body):
    starts_at: Moment
    duration_minutes: Annotated[int, Field(ge=1, le=600)] | None = None
    supervisor_agreement: bool = False
    daylight_saving_confirmed: DaylightSavingConfirmed = False


class RescheduleSeriesIn(Body):
    local_time: LocalTime
    duration_minutes: Annotated[int, Field(ge=1, le=600)]
    weekday: Annotated[int, Field(ge=0, le=6, description="0 = Monday")] | None = None
    supervisor_agreement: bool = False
    daylight_saving_confirmed: DaylightSavingConfirmed = False


class ModeratorIn(Body):
    moderator_id: RowId


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
    moderator_load_threshold: Annotated[int, Field(ge=1, le=30)] | None = Field(
        None, description="Sessions moderated in 4 weeks (past or ahead) above which the supervisors' page flags a "
                          "moderator's load (default 4)")

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


# ------------------------------------------------------------------------------- availability polls
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
    ShareIn, GroupingIn, GroupingCheckIn, GroupingAcceptIn, VolunteerIn, VolunteerImportIn, OrganisationIn, PollSlotIn, PollIn,
    PollDecisionIn,
)


class SupervisorIn(Body):
    display_name: Annotated[str, Field(max_length=120)]
    email: Text
    language: Language = "fr"


class PracticeSeriesIn(Body):
    first_date: Day
    local_time: time
    timezone: Annotated[str, Field(max_length=64)] = "America/Toronto"
    duration_minutes: Annotated[int, Field(ge=1, le=600)] = 30
    interval_weeks: Literal[1, 2] = 1
    occurrence_count: Annotated[int, Field(ge=1, le=60)]
    language: Language = "fr"
    supervisor_agreement: bool = False


REQUEST_MODELS += (SupervisorIn, PracticeSeriesIn)
