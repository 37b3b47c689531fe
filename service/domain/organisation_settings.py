"""The organisation's own settings, set by its coordinators: who may sign up, its teams, its privacy officer, its
support resources, the working hours that ask for the supervisors' agreement, and the moderator load above
which the supervisors' page flags a moderator (also set from the moderator support page).

``update`` takes plain values (from the page or the API), checks them all, and changes nothing unless every one
is valid. The public sign-up page's address carries ``signup_key``, a long random value a coordinator rotates
(the old address then stops working).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import time

from sqlalchemy import select

from service.domain.audit import Actor, record
from service.domain.errors import DomainError, Violation
from service.domain.rules import NAME_MAX_LENGTH, WorkingHours, clean_text, is_known_timezone
from service.extensions import db
from service.i18n import LANGUAGES, N_
from service.models import Organisation

MAX_TEAMS = 200
MAX_DOMAINS = 50
MAX_RESOURCES = 20
TEAM_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
SIGNUP_KEY_BYTES = 24  # 32 characters in the address: not guessable, not typed by anyone
# Sessions moderated in 4 weeks (past or ahead) above which the supervisors' page flags a moderator's load.
MODERATOR_LOAD_THRESHOLD_RANGE = (1, 30)


@dataclass(frozen=True)
class Team:
    key: str
    name_fr: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_en if language == "en" and self.name_en else self.name_fr

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "name_fr": self.name_fr, "name_en": self.name_en}


def teams_of(organisation: Organisation) -> list[Team]:
    return [Team(t.get("key", ""), t.get("name_fr", ""), t.get("name_en", "")) for t in organisation.teams or []]


def team_keys(organisation: Organisation) -> set[str]:
    return {team.key for team in teams_of(organisation)}


def working_hours_of(organisation_id: int | None) -> WorkingHours:
    organisation = db.session.get(Organisation, organisation_id) if organisation_id is not None else None
    return WorkingHours.from_setting(organisation.working_hours if organisation is not None else None)


def domain_allowed(organisation: Organisation, email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in {d.lower() for d in organisation.signup_domains or []}


def as_dict(organisation: Organisation) -> dict[str, object]:
    """Every setting, as the API answers and the page shows them."""
    return {
        "name": organisation.name,
        "timezone": organisation.timezone,
        "signup_domains": list(organisation.signup_domains or []),
        "teams": [team.as_dict() for team in teams_of(organisation)],
        "privacy_officer_name": organisation.privacy_officer_name,
        "privacy_officer_contact": organisation.privacy_officer_contact,
        "support_resources": {language: list((organisation.support_resources or {}).get(language, []))
                              for language in LANGUAGES},
        "working_hours": WorkingHours.from_setting(organisation.working_hours).as_setting(),
        "moderator_load_threshold": organisation.moderator_load_threshold,
        "signup_enabled": bool(organisation.signup_key),
    }


# --- checks ----------------------------------------------------------------------------------------------

def _check_name(value: object) -> list[Violation]:
    name = clean_text(value if isinstance(value, str) else "")
    if not name:
        return [Violation("organisation_name_required", N_("Indiquez le nom de l’organisation."), "name")]
    if len(name) > 200:
        return [Violation("organisation_name_too_long", N_("Le nom doit compter au plus %(max)s caractères."),
                          "name", {"max": 200})]
    return []


def _check_domains(domains: list[str]) -> list[Violation]:
    if len(domains) > MAX_DOMAINS:
        return [Violation("too_many_domains", N_("Indiquez au plus %(max)s domaines."), "signup_domains",
                          {"max": MAX_DOMAINS})]
    return [Violation("domain_invalid",
                      N_("« %(domain)s » n’est pas un domaine de courriel (exemple : cisss-exemple.gouv.qc.ca, "
                         "sans @)."), f"signup_domains-{index}", {"domain": domain[:80]})
            for index, domain in enumerate(domains) if not DOMAIN.match(domain)]


def _check_teams(teams: list[dict]) -> list[Violation]:
    violations: list[Violation] = []
    if len(teams) > MAX_TEAMS:
        return [Violation("too_many_teams", N_("Indiquez au plus %(max)s équipes."), "teams", {"max": MAX_TEAMS})]
    seen: set[str] = set()
    for index, team in enumerate(teams):
        key = team.get("key", "")
        if not TEAM_KEY.match(key):
            violations.append(Violation("team_key_invalid",
                                        N_("Le code d’une équipe s’écrit en minuscules, chiffres, « - » ou « _ » "
                                           "(exemple : soins-intensifs)."), f"teams-{index}-key"))
        elif key in seen:
            violations.append(Violation("team_key_duplicate", N_("Ce code est déjà celui d’une autre équipe."),
                                        f"teams-{index}-key"))
        seen.add(key)
        for field in ("name_fr", "name_en"):
            name = team.get(field, "")
            if not name:
                violations.append(Violation("team_name_required", N_("Indiquez le nom de l’équipe en français et "
                                                                     "en anglais."), f"teams-{index}-{field}"))
            elif len(name) > NAME_MAX_LENGTH:
                violations.append(Violation("team_name_too_long", N_("Le nom doit compter au plus %(max)s "
                                                                     "caractères."), f"teams-{index}-{field}",
                                            {"max": NAME_MAX_LENGTH}))
    return violations


def _check_resources(resources: dict[str, list[dict]]) -> list[Violation]:
    violations: list[Violation] = []
    for language, entries in resources.items():
        if len(entries) > MAX_RESOURCES:
            violations.append(Violation("too_many_resources", N_("Indiquez au plus %(max)s ressources par langue."),
                                        f"support_resources-{language}", {"max": MAX_RESOURCES}))
            continue
        for index, entry in enumerate(entries):
            if not entry.get("name") or not entry.get("contact"):
                violations.append(Violation("resource_incomplete",
                                            N_("Chaque ressource a un nom et un moyen de la joindre."),
                                            f"support_resources-{language}-{index}"))
    return violations


def _check_working_hours(value: dict) -> list[Violation]:
    try:
        days = [int(day) for day in value.get("weekdays", [])]
        start, end = time.fromisoformat(value["start"]), time.fromisoformat(value["end"])
    except (KeyError, TypeError, ValueError):
        return [Violation("working_hours_invalid", N_("Indiquez les jours et les heures de travail (HH:MM)."),
                          "working_hours")]
    if any(not 1 <= day <= 7 for day in days):
        return [Violation("working_hours_invalid", N_("Indiquez les jours et les heures de travail (HH:MM)."),
                          "working_hours-weekdays")]
    if start >= end:
        return [Violation("working_hours_order", N_("La fin des heures de travail doit suivre leur début."),
                          "working_hours-end")]
    return []


def check_moderator_load_threshold(value: object) -> list[Violation]:
    low, high = MODERATOR_LOAD_THRESHOLD_RANGE
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return [Violation("threshold_out_of_range", N_("Indiquez un nombre de %(min)s à %(max)s."),
                          "moderator_load_threshold", {"min": low, "max": high})]
    return []


def _clean_team(team: dict) -> dict[str, str]:
    return {"key": str(team.get("key", "")).strip().lower(), "name_fr": clean_text(team.get("name_fr")),
            "name_en": clean_text(team.get("name_en"))}


def _clean_resource(entry: dict) -> dict[str, str]:
    return {field: clean_text(entry.get(field))[:320] for field in ("name", "contact", "detail")}


def update(organisation: Organisation, changes: dict[str, object], actor: Actor) -> Organisation:
    """Apply the given settings (absent keys stay as they are); all valid or nothing changes."""
    violations: list[Violation] = []
    values: dict[str, object] = {}
    if "name" in changes:
        violations += _check_name(changes["name"])
        values["name"] = clean_text(str(changes["name"] or ""))
    if "timezone" in changes:
        if not is_known_timezone(str(changes["timezone"] or "")):
            violations.append(Violation("timezone_unknown", N_("Ce fuseau horaire n’existe pas. Choisissez-en un "
                                                               "dans la liste, par exemple America/Toronto."),
                                        "timezone"))
        values["timezone"] = changes["timezone"]
    if "signup_domains" in changes:
        domains = [str(d).strip().lower().lstrip("@") for d in changes["signup_domains"] or [] if str(d).strip()]
        violations += _check_domains(domains)
        values["signup_domains"] = sorted(set(domains))
    if "teams" in changes:
        teams = [_clean_team(dict(t)) for t in changes["teams"] or []]
        violations += _check_teams(teams)
        values["teams"] = teams
    for field, limit in (("privacy_officer_name", NAME_MAX_LENGTH), ("privacy_officer_contact", 320)):
        if field in changes:
            text = clean_text(str(changes[field] or ""))
            if len(text) > limit:
                violations.append(Violation("text_too_long", N_("Ce champ compte au plus %(max)s caractères."),
                                            field, {"max": limit}))
            values[field] = text
    if "support_resources" in changes:
        given = dict(changes["support_resources"] or {})
        resources = {language: [_clean_resource(dict(e)) for e in given.get(language) or []]
                     for language in LANGUAGES}
        violations += _check_resources(resources)
        values["support_resources"] = resources
    if "working_hours" in changes:
        wanted = dict(changes["working_hours"] or {})
        problems = _check_working_hours(wanted)
        violations += problems
        if not problems:
            values["working_hours"] = WorkingHours.from_setting(wanted).as_setting()
    if "moderator_load_threshold" in changes:
        violations += check_moderator_load_threshold(changes["moderator_load_threshold"])
        values["moderator_load_threshold"] = changes["moderator_load_threshold"]
    if violations:
        raise DomainError(violations)
    for field, value in values.items():
        setattr(organisation, field, value)
    record(actor, "organisation.updated", "organisation", organisation.id, organisation_id=organisation.id,
           fields=len(values))
    db.session.commit()
    return organisation


def rotate_signup_key(organisation: Organisation, actor: Actor) -> str:
    """A new address for the public sign-up page; the previous one stops working at once."""
    organisation.signup_key = secrets.token_urlsafe(SIGNUP_KEY_BYTES)
    record(actor, "organisation.signup_key_rotated", "organisation", organisation.id, organisation_id=organisation.id)
    db.session.commit()
    return organisation.signup_key


def close_signup(organisation: Organisation, actor: Actor) -> None:
    organisation.signup_key = None
    record(actor, "organisation.signup_closed", "organisation", organisation.id, organisation_id=organisation.id)
    db.session.commit()


def organisation_for_signup_key(key: str) -> Organisation | None:
    if not key or len(key) > 64:
        return None
    return db.session.execute(select(Organisation).where(Organisation.signup_key == key)).scalar_one_or_none()
