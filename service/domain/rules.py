"""The group rules of the guide, as pure checks with translated, actionable messages.

« Idéalement, être un groupe de 4 à 8 membres, sans lien hiérarchique » — the coordinator may confirm an
exception between 3 and 10, never beyond. These functions take plain values (drafts), so the web form, the
JSON API and the live check as the coordinator types all ask the same questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from email_validator import EmailNotValidError, validate_email

from service.domain.errors import Violation
from service.i18n import LANGUAGES, N_
from service.protocol import (
    DURATION_RULES,
    MAX_MEMBERS,
    MAX_MEMBERS_EXCEPTION,
    MIN_MEMBERS,
    MIN_MEMBERS_EXCEPTION,
    SessionKind,
)

NAME_MAX_LENGTH = 120
EMAIL_MAX_LENGTH = 320

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class MemberDraft:
    display_name: str
    email: str
    language: str = "fr"
    reports_to_email: str | None = None
    is_trained_moderator: bool = False
    # The coordinator says this person already consented another way (a paper form): recorded as theirs.
    consent_already_given: bool = False
    # The volunteer of the pool this member comes from; a confirmed volunteer counts as consented.
    volunteer_id: int | None = None


def clean_text(value: str | None) -> str:
    """Trim, and turn line breaks and other control characters into spaces: names go into headers and files."""
    return " ".join(_CONTROL_CHARACTERS.sub(" ", value or "").split())


def normalise_email(value: str | None) -> str | None:
    """The address in canonical form, or ``None`` if it is not a valid address."""
    value = (value or "").strip()
    if not value or len(value) > EMAIL_MAX_LENGTH:
        return None
    try:
        return validate_email(value, check_deliverability=False, allow_smtputf8=False).normalized
    except EmailNotValidError:
        return None


def email_key(value: str) -> str:
    return value.strip().lower()


@lru_cache(maxsize=1)
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_timezone(name: str | None) -> bool:
    if not name or name not in _known_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_group_settings(name: str, language: str, timezone: str) -> list[Violation]:
    violations = []
    if not clean_text(name):
        violations.append(Violation("name_required", N_("Donnez un nom au groupe."), "name"))
    elif len(clean_text(name)) > NAME_MAX_LENGTH:
        violations.append(
            Violation("name_too_long", N_("Le nom du groupe doit compter au plus %(max)s caractères."), "name",
                      {"max": NAME_MAX_LENGTH})
        )
    if language not in LANGUAGES:
        violations.append(Violation("language_unknown", N_("Choisissez le français ou l’anglais."), "language"))
    if not is_known_timezone(timezone):
        violations.append(
            Violation(
                "timezone_unknown",
                N_("Ce fuseau horaire n’existe pas. Choisissez-en un dans la liste, par exemple America/Toronto."),
                "timezone",
            )
        )
    return violations


def check_member(draft: MemberDraft, prefix: str) -> list[Violation]:
    violations = []
    name = clean_text(draft.display_name)
    if not name:
        violations.append(Violation("member_name_required", N_("Indiquez le nom de cette personne."),
                                    f"{prefix}display_name"))
    elif len(name) > NAME_MAX_LENGTH:
        violations.append(Violation("member_name_too_long", N_("Un nom doit compter au plus %(max)s caractères."),
                                    f"{prefix}display_name", {"max": NAME_MAX_LENGTH}))
    if normalise_email(draft.email) is None:
        violations.append(
            Violation("email_invalid", N_("Cette adresse courriel n’est pas valide (exemple : prenom.nom@exemple.ca)."),
                      f"{prefix}email")
        )
    if draft.reports_to_email and normalise_email(draft.reports_to_email) is None:
        violations.append(
            Violation("reports_to_invalid",
                      N_("L’adresse de la personne à qui elle se rapporte n’est pas valide. Laissez le champ vide si vous ne la "
                         "connaissez pas."),
                      f"{prefix}reports_to_email")
        )
    if draft.language not in LANGUAGES:
        violations.append(Violation("language_unknown", N_("Choisissez le français ou l’anglais."),
                                    f"{prefix}language"))
    return violations


def check_members(
    members: Sequence[MemberDraft],
    size_exception_confirmed: bool,
    external_moderator: MemberDraft | None = None,
) -> list[Violation]:
    """Each member valid, addresses unique, the size within the rules, and no hierarchy inside the group.

    Fields are named as the form names them: ``members-<index>-<field>``.
    """
    violations: list[Violation] = []
    seen: dict[str, int] = {}
    for index, draft in enumerate(members):
        prefix = f"members-{index}-"
        violations += check_member(draft, prefix)
        key = email_key(draft.email or "")
        if key and key in seen:
            violations.append(
                Violation("email_duplicate",
                          N_("Cette adresse est déjà celle d’une autre personne du groupe (ligne %(line)s)."),
                          f"{prefix}email", {"line": seen[key] + 1})
            )
        elif key:
            seen[key] = index
    if external_moderator is not None:
        violations += check_member(external_moderator, "external_moderator-")
        key = email_key(external_moderator.email or "")
        if key and key in seen:
            violations.append(
                Violation("moderator_is_member",
                          N_("La personne modératrice externe ne peut pas être aussi membre du groupe."),
                          "external_moderator-email")
            )
    violations += check_size(len(members), size_exception_confirmed)
    violations += check_hierarchy(members, external_moderator)
    return violations


def check_size(count: int, exception_confirmed: bool) -> list[Violation]:
    if count < MIN_MEMBERS_EXCEPTION or count > MAX_MEMBERS_EXCEPTION:
        return [
            Violation(
                "size_out_of_bounds",
                N_("Un groupe compte de %(min)s à %(max)s membres (idéalement de 4 à 8); celui-ci en compte "
                   "%(count)s. Ajoutez ou retirez des personnes, ou formez deux groupes."),
                "members",
                {"min": MIN_MEMBERS_EXCEPTION, "max": MAX_MEMBERS_EXCEPTION, "count": count},
            )
        ]
    if not (MIN_MEMBERS <= count <= MAX_MEMBERS) and not exception_confirmed:
        return [
            Violation(
                "size_exception_unconfirmed",
                N_("Le guide recommande de 4 à 8 membres; ce groupe en compte %(count)s. Cochez « Je confirme "
                   "cette exception » pour continuer, ou ajustez le groupe."),
                "size_exception_confirmed",
                {"count": count},
            )
        ]
    return []


def check_hierarchy(members: Sequence[MemberDraft], external_moderator: MemberDraft | None = None) -> list[Violation]:
    """No one in the group (nor its moderator) may have formal authority over a member."""
    by_email = {email_key(m.email): m for m in members if m.email}
    if external_moderator is not None and external_moderator.email:
        by_email.setdefault(email_key(external_moderator.email), external_moderator)
    violations = []
    for index, member in enumerate(members):
        if not member.reports_to_email:
            continue
        manager_key = email_key(member.reports_to_email)
        field = f"members-{index}-reports_to_email"
        if manager_key == email_key(member.email or ""):
            violations.append(Violation("reports_to_self",
                                        N_("Une personne ne peut pas relever d’elle-même : corrigez l’adresse de la "
                                           "personne à qui elle se rapporte."), field))
            continue
        manager = by_email.get(manager_key)
        if manager is not None:
            violations.append(
                Violation(
                    "hierarchy_in_group",
                    N_("%(member)s relève de %(manager)s, qui fait aussi partie du groupe. Un groupe de soutien "
                       "entre pairs ne doit compter aucun lien hiérarchique : retirez l’une de ces deux personnes "
                       "du groupe, ou corrigez l’adresse de la personne à qui elle se rapporte s’il y a une erreur."),
                    field,
                    {"member": clean_text(member.display_name), "manager": clean_text(manager.display_name)},
                )
            )
    return violations


def check_session_time(kind: SessionKind, starts_at: datetime, duration_minutes: int, now: datetime,
                       field_prefix: str = "") -> list[Violation]:
    violations = []
    rule = DURATION_RULES[kind]
    if not rule.accepts(duration_minutes):
        violations.append(
            Violation("duration_out_of_range", N_("Cette rencontre dure de %(min)s à %(max)s minutes."),
                      f"{field_prefix}duration_minutes",
                      {"min": rule.minimum_minutes, "max": rule.maximum_minutes})
        )
    if starts_at <= now:
        violations.append(
            Violation("start_in_past", N_("Cette date est déjà passée : choisissez une date et une heure à venir."),
                      f"{field_prefix}starts_on")
        )
    return violations


@dataclass(frozen=True)
class WorkingHours:
    """The hours that ask for the supervisors' agreement (the guide requires it); each organisation sets its own."""

    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})  # ISO weekdays: Monday = 1 ... Sunday = 7
    start: time = time(8, 0)
    end: time = time(17, 0)

    @classmethod
    def from_setting(cls, value: dict | None) -> WorkingHours:
        """The organisation's stored setting (``{"weekdays", "start", "end"}``); empty or unreadable: the default."""
        if not value:
            return cls()
        try:
            return cls(frozenset(int(day) for day in value["weekdays"]), time.fromisoformat(value["start"]),
                       time.fromisoformat(value["end"]))
        except (KeyError, TypeError, ValueError):
            return cls()

    def as_setting(self) -> dict:
        return {"weekdays": sorted(self.weekdays), "start": self.start.strftime("%H:%M"),
                "end": self.end.strftime("%H:%M")}


DEFAULT_WORKING_HOURS = WorkingHours()


def falls_in_working_hours(local_start: datetime, duration_minutes: int,
                           hours: WorkingHours = DEFAULT_WORKING_HOURS) -> bool:
    """Whether a session overlaps working hours (by default Monday to Friday, 8 h to 17 h, in the group's zone)."""
    if local_start.isoweekday() not in hours.weekdays:
        return False
    start_of_day = local_start.replace(hour=hours.start.hour, minute=hours.start.minute, second=0, microsecond=0)
    end_of_day = local_start.replace(hour=hours.end.hour, minute=hours.end.minute, second=0, microsecond=0)
    local_end = local_start + timedelta(minutes=duration_minutes)
    return local_start < end_of_day and local_end > start_of_day
