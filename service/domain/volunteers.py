"""The pool of volunteers: adding people, listing them, and following their status.

Statuses: ``awaiting_consent`` (signed up or added, not confirmed yet), ``available`` (consented, in no group),
``in_group`` (a member of a group formed from the pool), ``withdrawn`` (the person left: their row is erased at
once, so the status is what the withdrawal answers, never something stored for long).

Every way in — the public sign-up page, a coordinator's form, the API, a CSV import — goes through
:func:`check_volunteer` and :func:`add_volunteers`: the same rules, the same messages, nothing half-saved.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import select

from service.domain import consent
from service.domain.groups import member_leaves
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.errors import DomainError, Violation
from service.domain.organisation_settings import team_keys
from service.domain.rules import NAME_MAX_LENGTH, clean_text, email_key, normalise_email
from service.extensions import db
from service.grouping.hierarchy import superiors_of
from service.i18n import LANGUAGES, N_
from service.models import ActorKind, Group, Member, MemberStatus, Organisation, Volunteer, VolunteerStatus

MAX_SLOTS = 50
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class VolunteerDraft:
    display_name: str
    email: str
    language: str = "fr"
    team_key: str | None = None
    reports_to_email: str | None = None
    availability: Sequence[dict] = field(default_factory=tuple)
    is_trained_moderator: bool = False
    wants_training: bool = False
    consent_already_given: bool = False


def check_availability(slots: Sequence[dict], prefix: str) -> list[Violation]:
    if len(slots) > MAX_SLOTS:
        return [Violation("availability_too_long", N_("Indiquez au plus %(max)s plages de disponibilité."),
                          f"{prefix}availability", {"max": MAX_SLOTS})]
    for index, slot in enumerate(slots):
        weekday, start, end = slot.get("weekday"), slot.get("start"), slot.get("end")
        if (not isinstance(weekday, int) or isinstance(weekday, bool) or not 1 <= weekday <= 7
                or not isinstance(start, str) or not isinstance(end, str)
                or not _CLOCK.match(start) or not _CLOCK.match(end)):
            return [Violation("availability_invalid",
                              N_("Une disponibilité se donne par jour (1 = lundi … 7 = dimanche) et par heures "
                                 "(HH:MM)."), f"{prefix}availability-{index}")]
        if time.fromisoformat(start) >= time.fromisoformat(end):
            return [Violation("availability_order", N_("La fin d’une disponibilité doit suivre son début."),
                              f"{prefix}availability-{index}")]
    return []


def check_volunteer(draft: VolunteerDraft, organisation: Organisation, prefix: str = "") -> list[Violation]:
    """One person's fields, against the organisation's teams. Pure apart from reading the organisation."""
    violations = []
    name = clean_text(draft.display_name)
    if not name:
        violations.append(Violation("name_required", N_("Indiquez le nom de cette personne."),
                                    f"{prefix}display_name"))
    elif len(name) > NAME_MAX_LENGTH:
        violations.append(Violation("name_too_long", N_("Un nom doit compter au plus %(max)s caractères."),
                                    f"{prefix}display_name", {"max": NAME_MAX_LENGTH}))
    email = normalise_email(draft.email)
    if email is None:
        violations.append(Violation("email_invalid", N_("Cette adresse courriel n’est pas valide (exemple : "
                                                        "prenom.nom@exemple.ca)."), f"{prefix}email"))
    if draft.reports_to_email:
        manager = normalise_email(draft.reports_to_email)
        if manager is None:
            violations.append(Violation("reports_to_invalid",
                                        N_("L’adresse de la personne à qui elle se rapporte n’est pas valide. "
                                           "Laissez le champ vide si vous ne la connaissez pas."),
                                        f"{prefix}reports_to_email"))
        elif email is not None and email_key(manager) == email_key(email):
            violations.append(Violation("reports_to_self", N_("Une personne ne peut pas se rapporter à elle-même."),
                                        f"{prefix}reports_to_email"))
    if draft.language not in LANGUAGES:
        violations.append(Violation("language_unknown", N_("Choisissez le français ou l’anglais."),
                                    f"{prefix}language"))
    if draft.team_key and draft.team_key not in team_keys(organisation):
        violations.append(Violation("team_unknown",
                                    N_("L’équipe « %(team)s » n’existe pas dans cette organisation. Choisissez-en "
                                       "une de la liste, ou ajoutez-la dans les paramètres."), f"{prefix}team",
                                    {"team": str(draft.team_key)[:64]}))
    violations += check_availability(draft.availability, prefix)
    return violations


def check_reporting_cycle(organisation: Organisation, drafts: Sequence[VolunteerDraft],
                          field_of=lambda index: f"{index}-reports_to_email") -> list[Violation]:
    """A reporting loop (A reports to B who reports to A) among the pool and the newcomers is refused."""
    chain: dict[str, str | None] = {
        key: manager for key, manager in db.session.execute(
            select(Volunteer.email_key, Volunteer.reports_to_email)
            .where(Volunteer.organisation_id == organisation.id)).all()
    }
    index_of: dict[str, int] = {}
    for index, draft in enumerate(drafts):
        email = normalise_email(draft.email)
        if email is None:
            continue
        manager = normalise_email(draft.reports_to_email) if draft.reports_to_email else None
        chain[email_key(email)] = email_key(manager) if manager else None
        index_of[email_key(email)] = index
    # Only a loop through a newcomer is theirs to fix (a public sign-up may have left one elsewhere: the grouping
    # keeps everyone on it apart).
    # Every newcomer on a loop gets the message on their own line: the report names each line to correct.
    return [Violation("reporting_cycle",
                      N_("Ces personnes se rapportent l’une à l’autre en boucle (%(count)s personnes) : "
                         "corrigez l’adresse de la personne à qui chacune se rapporte."),
                      field_of(index), {"count": len(superiors_of(chain, key)) + 1})
            for key, index in sorted(index_of.items(), key=lambda item: item[1])
            if (manager := chain.get(key)) is not None and (manager == key or key in superiors_of(chain, manager))]


def new_volunteer(organisation: Organisation, draft: VolunteerDraft) -> Volunteer:
    email = normalise_email(draft.email)
    manager = normalise_email(draft.reports_to_email) if draft.reports_to_email else None
    return Volunteer(
        organisation_id=organisation.id, display_name=clean_text(draft.display_name), email=email,
        email_key=email_key(email), language=draft.language, team_key=draft.team_key or None,
        reports_to_email=email_key(manager) if manager else None,
        availability=[{"weekday": s["weekday"], "start": s["start"], "end": s["end"]} for s in draft.availability],
        is_trained_moderator=draft.is_trained_moderator, wants_training=draft.wants_training,
        status=VolunteerStatus.AWAITING_CONSENT,
    )


def find(organisation: Organisation, email: str) -> Volunteer | None:
    return db.session.execute(select(Volunteer).where(Volunteer.organisation_id == organisation.id,
                                                      Volunteer.email_key == email_key(email))).scalar_one_or_none()


def check_new(organisation: Organisation, drafts: Sequence[VolunteerDraft],
              prefix_of=lambda index: "") -> list[Violation]:
    """Every rule for adding these people to the pool (each valid, no address twice, none already in the pool, no
    reporting loop). Changes nothing."""
    violations: list[Violation] = []
    seen: dict[str, int] = {}
    for index, draft in enumerate(drafts):
        prefix = prefix_of(index)
        violations += check_volunteer(draft, organisation, prefix)
        email = normalise_email(draft.email)
        if email is None:
            continue
        key = email_key(email)
        if key in seen:
            violations.append(Violation("email_duplicate", N_("Cette adresse figure déjà plus haut (ligne "
                                                              "%(line)s)."), f"{prefix}email",
                                        {"line": seen[key] + 2 if prefix.startswith("line-") else seen[key] + 1}))
        elif find(organisation, email) is not None:
            violations.append(Violation("already_in_pool", N_("Cette personne fait déjà partie des volontaires."),
                                        f"{prefix}email"))
        seen.setdefault(key, index)
    # Checked even when other lines have problems, so that one report names everything to correct.
    violations += check_reporting_cycle(organisation, drafts, lambda i: f"{prefix_of(i)}reports_to_email")
    return violations


def add_volunteers(organisation: Organisation, drafts: Sequence[VolunteerDraft], actor: Actor,
                   prefix_of=lambda index: "") -> list[Volunteer]:
    """Add people to the pool (a coordinator, the API or an import): all valid, or nothing is saved.

    Whoever is not declared as having consented receives the welcome-and-consent e-mail after the commit.
    """
    violations = check_new(organisation, drafts, prefix_of)
    if violations:
        raise DomainError(violations)
    now = now_utc()
    created = []
    for draft in drafts:
        volunteer = new_volunteer(organisation, draft)
        if draft.consent_already_given:
            consent.declare(volunteer, actor, now)
            volunteer.status = VolunteerStatus.AVAILABLE
        db.session.add(volunteer)
        created.append(volunteer)
    db.session.flush()
    declared = [v for v in created if v.consent_at is not None]
    for volunteer in created:
        if volunteer.consent_at is None:
            consent.ask_for_consent(volunteer, now)
    record(actor, "volunteers.added", "organisation", organisation.id, organisation_id=organisation.id,
           count=len(created), consent_declared=len(declared))
    for volunteer in declared:  # who said so (the actor) and when (the line's time), per person
        record(actor, "volunteer.consent_declared", "volunteer", volunteer.id, organisation_id=organisation.id)
    db.session.commit()
    return created


def list_volunteers(organisation: Organisation, team: str | None = None, language: str | None = None,
                    status: VolunteerStatus | None = None) -> list[Volunteer]:
    query = select(Volunteer).where(Volunteer.organisation_id == organisation.id)
    if team:
        query = query.where(Volunteer.team_key == team)
    if language:
        query = query.where(Volunteer.language == language)
    if status is not None:
        query = query.where(Volunteer.status == status)
    people = db.session.execute(query.order_by(Volunteer.id)).scalars()
    return sorted(people, key=lambda person: (alphabetical_key(person.display_name), person.id))


def alphabetical_key(name: str) -> str:
    """« Émile » between « Dan » and « Fanny », as a reader expects (the databases' byte order put every accented
    capital after Z, and SQLite and PostgreSQL disagreed)."""
    decomposed = unicodedata.normalize("NFD", name)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def counts_by_status(organisation: Organisation) -> dict[VolunteerStatus, int]:
    counts = {status: 0 for status in VolunteerStatus}
    for volunteer_status in db.session.execute(
            select(Volunteer.status).where(Volunteer.organisation_id == organisation.id)).scalars():
        counts[volunteer_status] += 1
    return counts


def volunteer_for(organisation: Organisation, volunteer_id: int) -> Volunteer | None:
    volunteer = db.session.get(Volunteer, volunteer_id)
    return volunteer if volunteer is not None and volunteer.organisation_id == organisation.id else None


def mark_in_group(volunteer_ids: Iterable[int], group: Group, actor: Actor | None = None) -> int:
    """The volunteers now belong to ``group`` (formed from the pool). In the caller's transaction; returns how many."""
    ids = sorted(set(volunteer_ids))
    if not ids:
        return 0
    volunteers = db.session.execute(
        select(Volunteer).where(Volunteer.id.in_(ids), Volunteer.organisation_id == group.organisation_id)
    ).scalars().all()
    for volunteer in volunteers:
        volunteer.status = VolunteerStatus.IN_GROUP
    record(actor or Actor.system(), "volunteers.placed", "group", group.id, organisation_id=group.organisation_id,
           count=len(volunteers))
    return len(volunteers)


def withdraw(volunteer: Volunteer, actor: Actor | None = None) -> None:
    """The person leaves the pool: they leave any group they are in (cancellations go out), and they are erased."""
    actor = actor or Actor(ActorKind.SYSTEM, None, volunteer.organisation_id)
    members = db.session.execute(
        select(Member).where(Member.volunteer_id == volunteer.id, Member.status == MemberStatus.ACTIVE)
    ).scalars().all()
    for member in members:
        member_leaves(member, actor)  # commits each departure (its cancellations are written)
    volunteer_id, organisation_id = volunteer.id, volunteer.organisation_id
    db.session.delete(volunteer)
    record(actor, "volunteer.withdrawn", "volunteer", volunteer_id, organisation_id=organisation_id,
           groups_left=len(members), status=VolunteerStatus.WITHDRAWN)
    db.session.commit()

