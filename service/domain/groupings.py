"""Groups proposed from the pool of volunteers, checked again as the coordinator edits them, then formed.

The search itself is pure (``service.grouping``); this module reads the pool at this moment, hands it over as plain
values, translates the answer's reasons and problems, and forms the accepted groups through the same path as a
group formed by hand (``groups.add_group``), all in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from service import grouping
from service.grouping import reasons
from service.domain import volunteers as pool_of
from service.domain.audit import Actor, record
from service.domain.errors import DomainError, Violation
from service.domain.groups import GroupDraft, add_group
from service.domain.rules import MemberDraft, email_key
from service.extensions import db
from service.grouping import rules as grouping_rules
from service.grouping.slots import window_from_mapping
from service.i18n import N_
from service.models import Group, Member, MemberStatus, Organisation, Volunteer, VolunteerStatus

NOT_AVAILABLE = "not_available"
MAX_GROUPS = 500

REASON_MESSAGES = {
    reasons.NO_AVAILABILITY: N_("Aucune plage horaire indiquée : ajoutez ses disponibilités."),
    reasons.NO_COMMON_LANGUAGE_GROUP: N_("Moins de quatre personnes disponibles parlent sa langue."),
    reasons.NO_COMPATIBLE_SLOT: N_("Moins de trois autres personnes de sa langue partagent une de ses "
                                            "plages horaires."),
    reasons.HIERARCHY: N_("Trop peu de personnes de sa langue et de ses plages horaires sont hors de sa "
                                   "ligne hiérarchique (au-dessus ou en dessous)."),
    reasons.TOO_FEW_COMPATIBLE: N_("Aucun groupe possible : les personnes compatibles avec elle n’ont pas "
                                            "de plage commune à quatre ou plus, ou leurs groupes sont complets."),
    NOT_AVAILABLE: N_("Cette personne n’est pas disponible (consentement attendu, déjà dans un groupe ou retirée)."),
}

PROBLEM_MESSAGES = {
    grouping_rules.TOO_SMALL: N_("Un groupe compte au moins %(min)s personnes."),
    grouping_rules.TOO_LARGE: N_("Un groupe compte au plus %(max)s personnes."),
    grouping_rules.MIXED_LANGUAGES: N_("Tout le groupe doit parler la même langue."),
    grouping_rules.HIERARCHY: N_("%(first)s et %(second)s ont un lien hiérarchique (direct ou plus haut) : ces "
                                 "deux personnes ne peuvent pas faire partie du même groupe."),
    grouping_rules.NO_COMMON_SLOT: N_("Aucune plage horaire ne convient à tout le groupe."),
    grouping_rules.DUPLICATE: N_("Déjà dans un autre groupe : %(names)s."),
    NOT_AVAILABLE: N_("Plus disponible (retrait, consentement attendu ou déjà dans un groupe) : %(names)s."),
}


@dataclass(frozen=True)
class GroupCheck:
    """One group of a proposal or of an edited proposal, as the page and the API show it."""

    volunteers: tuple[Volunteer, ...]
    language: str | None
    common_windows: tuple[grouping.Window, ...]
    common_slot_count: int
    team: str | None
    team_share: float
    has_trained_moderator: bool
    problems: tuple[Violation, ...]

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class UnplacedVolunteer:
    volunteer: Volunteer
    reason: str

    @property
    def message_id(self) -> str:
        return REASON_MESSAGES[self.reason]


@dataclass(frozen=True)
class GroupingProposal:
    groups: tuple[GroupCheck, ...]
    unplaced: tuple[UnplacedVolunteer, ...]


def _everyone(organisation: Organisation) -> dict[int, Volunteer]:
    return {volunteer.id: volunteer for volunteer in db.session.execute(
        select(Volunteer).where(Volunteer.organisation_id == organisation.id).order_by(Volunteer.id)).scalars()}


def count_available(organisation: Organisation) -> int:
    return db.session.execute(select(func.count()).select_from(Volunteer).where(
        Volunteer.organisation_id == organisation.id, Volunteer.status == VolunteerStatus.AVAILABLE)).scalar_one()


def volunteers_by_id(organisation: Organisation, ids: Sequence[int]) -> dict[int, Volunteer]:
    """The organisation's volunteers among ``ids`` (others are silently absent: erased, or someone else's)."""
    if not ids:
        return {}
    return {volunteer.id: volunteer for volunteer in db.session.execute(
        select(Volunteer).where(Volunteer.organisation_id == organisation.id, Volunteer.id.in_(sorted(set(ids)))))
        .scalars()}


def _chain(organisation: Organisation, everyone: dict[int, Volunteer]) -> dict[str, str | None]:
    """Every reporting line the organisation knows: its volunteers (whatever their status) and the members of its
    groups — people outside the pool still link a chain."""
    chain: dict[str, str | None] = {}
    for member_key, manager in db.session.execute(
            select(Member.email_key, Member.reports_to_email).join(Group, Member.group_id == Group.id)
            .where(Group.organisation_id == organisation.id, Member.status == MemberStatus.ACTIVE)):
        chain[member_key] = email_key(manager) if manager else None
    for volunteer in everyone.values():
        chain[volunteer.email_key] = email_key(volunteer.reports_to_email) if volunteer.reports_to_email else None
    return chain


def _person(volunteer: Volunteer) -> grouping.Person:
    windows = [window_from_mapping(item) for item in volunteer.availability or () if isinstance(item, dict)]
    return grouping.Person(
        key=volunteer.id, email=volunteer.email_key, language=volunteer.language,
        availability=tuple(window for window in windows if window is not None), team=volunteer.team_key,
        reports_to=email_key(volunteer.reports_to_email) if volunteer.reports_to_email else None,
        is_trained_moderator=volunteer.is_trained_moderator)


def _unknown(everyone: dict[int, Volunteer], ids: Sequence[int], field: str) -> list[Violation]:
    missing = sorted({volunteer_id for volunteer_id in ids if volunteer_id not in everyone})
    if not missing:
        return []
    return [Violation("volunteer_unknown", N_("Ces volontaires ne font pas ou plus partie du bassin de votre organisation (retrait ?) : %(ids)s."),
                      field, {"ids": ", ".join(str(volunteer_id) for volunteer_id in missing[:20])})]


def propose(organisation: Organisation, volunteer_ids: Sequence[int] | None = None,
            target_size: int = grouping.DEFAULT_TARGET_SIZE) -> GroupingProposal:
    """Groups for the organisation's available volunteers (or those of ``volunteer_ids``). Changes nothing."""
    everyone = _everyone(organisation)
    if volunteer_ids is not None:
        violations = _unknown(everyone, volunteer_ids, "volunteer_ids")
        if violations:
            raise DomainError(violations)
        chosen = [everyone[volunteer_id] for volunteer_id in sorted(set(volunteer_ids))]
    else:
        chosen = [volunteer for volunteer in everyone.values() if volunteer.status is VolunteerStatus.AVAILABLE]
    available = [volunteer for volunteer in chosen if volunteer.status is VolunteerStatus.AVAILABLE]
    proposal = grouping.propose([_person(volunteer) for volunteer in available], _chain(organisation, everyone),
                                target_size=target_size)
    groups = tuple(_described(everyone, group, []) for group in proposal.groups)
    unplaced = [UnplacedVolunteer(everyone[item.key], item.reason) for item in proposal.unplaced]
    unplaced += [UnplacedVolunteer(volunteer, NOT_AVAILABLE) for volunteer in chosen
                 if volunteer.status is not VolunteerStatus.AVAILABLE]
    return GroupingProposal(groups, tuple(sorted(unplaced, key=lambda item: item.volunteer.id)))


def check(organisation: Organisation, groups: Sequence[Sequence[int]]) -> tuple[GroupCheck, ...]:
    """An edited proposal (lists of volunteer ids) checked against the rules and the pool as it is now."""
    everyone = _everyone(organisation)
    violations: list[Violation] = []
    for index, ids in enumerate(groups):
        violations += _unknown(everyone, ids, f"groups.{index}.volunteer_ids")
    if violations:
        raise DomainError(violations)
    people = [_person(everyone[volunteer_id]) for volunteer_id in sorted({i for ids in groups for i in ids})]
    reviewed = grouping.review(people, [list(ids) for ids in groups], _chain(organisation, everyone))
    return tuple(_described(everyone, summary, problems) for summary, problems in reviewed)


def _described(everyone: dict[int, Volunteer], summary: grouping.ProposedGroup,
               problems: Sequence[grouping.Problem]) -> GroupCheck:
    members = tuple(everyone[volunteer_id] for volunteer_id in summary.members)
    violations = [_violation(problem, everyone) for problem in problems]
    gone = [volunteer for volunteer in members if volunteer.status is not VolunteerStatus.AVAILABLE]
    if gone:
        violations.append(Violation(NOT_AVAILABLE, PROBLEM_MESSAGES[NOT_AVAILABLE], "volunteer_ids",
                                    {"names": ", ".join(volunteer.display_name for volunteer in gone)}))
    return GroupCheck(
        volunteers=members, language=summary.language, common_windows=summary.common_windows,
        common_slot_count=summary.common_slot_count, team=summary.team, team_share=summary.team_share,
        has_trained_moderator=summary.has_trained_moderator, problems=tuple(violations))


def _violation(problem: grouping.Problem, everyone: dict[int, Volunteer]) -> Violation:
    names = [everyone[key].display_name for key in problem.people]
    params: dict[str, object] = {"min": grouping.values.MIN_MEMBERS, "max": grouping.values.MAX_MEMBERS}
    if problem.code == grouping_rules.HIERARCHY:
        params.update(first=names[0], second=names[1])
    params["names"] = ", ".join(names)
    return Violation(problem.code, PROBLEM_MESSAGES[problem.code], "volunteer_ids", params)


@dataclass(frozen=True)
class AcceptedGroup:
    name: str
    volunteer_ids: tuple[int, ...]


def accept(organisation: Organisation, drafts: Sequence[AcceptedGroup], actor: Actor) -> list[Group]:
    """Forms every group, or none: the rules and each volunteer's status are checked again now, inside the
    transaction (the rows are locked where the database can), and the volunteers become ``in_group``."""
    if not drafts:
        raise DomainError(Violation("groups_required", N_("Indiquez au moins un groupe."), "groups"))
    ids = sorted({volunteer_id for draft in drafts for volunteer_id in draft.volunteer_ids})
    db.session.execute(select(Volunteer.id).where(Volunteer.id.in_(ids)).with_for_update()).all()
    checks = check(organisation, [draft.volunteer_ids for draft in drafts])
    violations = [Violation(problem.code, problem.message_id, f"groups.{index}.{problem.field}", problem.params)
                  for index, found in enumerate(checks) for problem in found.problems]
    if violations:
        db.session.rollback()
        raise DomainError(violations)
    created: list[Group] = []
    try:
        for index, (draft, found) in enumerate(zip(drafts, checks, strict=True)):
            group_draft = GroupDraft(name=draft.name, language=found.language or "fr", timezone=organisation.timezone,
                                     members=[_member(volunteer) for volunteer in found.volunteers])
            try:
                group = add_group(group_draft, actor)
            except DomainError as error:
                raise DomainError([Violation(v.code, v.message_id, f"groups.{index}.{v.field}", v.params)
                                   for v in error.violations]) from None
            pool_of.mark_in_group([volunteer.id for volunteer in found.volunteers], group, actor)
            created.append(group)
        record(actor, "groupings.accepted", "organisation", organisation.id, organisation_id=organisation.id,
               groups=len(created), volunteers=len(ids))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return created


def _member(volunteer: Volunteer) -> MemberDraft:
    return MemberDraft(volunteer.display_name, volunteer.email, volunteer.language, volunteer.reports_to_email,
                       volunteer.is_trained_moderator, volunteer_id=volunteer.id)
