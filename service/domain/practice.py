"""The moderators' community of practice: one ordinary group per organisation (and language), kept up to date.

It reuses everything a group has — sessions, the recurring Zoom meeting, invitations, prompts, the console —
with sessions of kind ``practice``. Its members are not chosen by anyone: :func:`sync_organisation` computes
them (``practice_eligibility``) and applies the difference through the ordinary paths, so joiners get the series
from the next occurrence and leavers get cancellations. It runs after every change to a schedule or a moderator
(``practice_watch`` enqueues it after the commit) and on the worker's periodic sweep.

Group rules, where they apply: the supervisors lead (they are the community's trained moderators; none is a
colleague's boss, so the no-hierarchy rule does not concern them); two moderators of whom one reports to the
other are shown to the coordinator (membership is automatic, so it cannot be refused); the 4-to-8 size is the
round table's, and a small community is allowed: it grows as moderators become eligible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from service.domain import invitations
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.errors import DomainError, NotFound, Violation
from service.domain.groups import replan_moderators, withdraw_member
from service.domain.practice_eligibility import (
    SUPERVISOR,
    WINDOW,
    Eligible,
    Moderation,
    Person,
    community_for,
    eligible_members,
)
from service.domain.practice_watch import NOT_MODERATED
from service.domain.rules import MemberDraft, check_hierarchy, is_known_timezone
from service.domain.scheduling import SeriesPlan, schedule_series
from service.extensions import db
from service.i18n import LANGUAGES, N_, gettext
from service.models import (
    ConsentSource,
    Group,
    GroupSession,
    Member,
    MemberRole,
    MemberStatus,
    Organisation,
    PracticeOptOut,
    SeriesStatus,
    SessionSeries,
    SessionStatus,
    Supervisor,
)
from service.protocol import SessionKind

COMMUNITY_NAME = N_("Communauté de pratique")
RUNNING_GRACE = timedelta(minutes=90)


# --- reading ---------------------------------------------------------------------------------------------

def communities(organisation_id: int) -> dict[str, Group]:
    """The organisation's communities of practice, by language."""
    groups = db.session.execute(
        select(Group).where(Group.organisation_id == organisation_id, Group.practice.is_(True)).order_by(Group.id)
    ).scalars().all()
    return {group.language: group for group in groups}


def moderations(organisation_id: int, now: datetime) -> list[Moderation]:
    """Every session moderated in the window around ``now`` by someone still in their group."""
    rows = db.session.execute(
        select(Member, GroupSession.starts_at)
        .join(GroupSession, GroupSession.moderator_id == Member.id)
        .join(Group, Group.id == GroupSession.group_id)
        .where(Group.organisation_id == organisation_id, Group.practice.is_(False),
               GroupSession.kind.notin_(NOT_MODERATED), GroupSession.status != SessionStatus.CANCELLED,
               GroupSession.starts_at >= now - WINDOW, GroupSession.starts_at <= now + WINDOW,
               Member.status == MemberStatus.ACTIVE)
    ).all()
    return [Moderation(m.email_key, m.display_name, m.email, m.language, m.role is MemberRole.EXTERNAL_MODERATOR,
                       starts_at, m.reports_to_email) for m, starts_at in rows]


def supervisors_of(organisation_id: int) -> list[Supervisor]:
    return list(db.session.execute(
        select(Supervisor).where(Supervisor.organisation_id == organisation_id).order_by(Supervisor.display_name,
                                                                                          Supervisor.id)
    ).scalars())


def opted_out(organisation_id: int) -> set[str]:
    return set(db.session.execute(
        select(PracticeOptOut.email_key).where(PracticeOptOut.organisation_id == organisation_id)).scalars())


def eligible_now(organisation_id: int, now: datetime | None = None) -> dict[str, Eligible]:
    now = now or now_utc()
    organisation = db.session.get(Organisation, organisation_id)
    people = [(s.id, Person(s.email_key, s.display_name, s.email, s.language)) for s in supervisors_of(organisation_id)]
    return eligible_members(moderations(organisation_id, now), people, opted_out(organisation_id),
                            bool(organisation and organisation.practice_includes_external), now)


def role_of(member: Member) -> str:
    return "supervisor" if member.supervisor_id is not None else "moderator"


def hierarchy_notes(group: Group) -> list[str]:
    """Moderators of the community of whom one reports to another (shown to the coordinator, never refused)."""
    drafts = [MemberDraft(m.display_name, m.email, m.language, m.reports_to_email)
              for m in group.active_members if m.supervisor_id is None]
    return [v.message(group.language) for v in check_hierarchy(drafts) if v.code == "hierarchy_in_group"]


# --- keeping members up to date --------------------------------------------------------------------------

@dataclass
class SyncReport:
    joined: int = 0
    left: int = 0
    changed: list[int] = field(default_factory=list)  # community group ids


def _join(group: Group, person: Eligible) -> Member:
    former = next((m for m in group.members if m.email_key == person.email_key), None)
    if former is not None:  # someone who left and comes back: a fresh row, a fresh link
        group.members.remove(former)
        db.session.delete(former)
        db.session.flush()
    member = Member(role=MemberRole.MEMBER, display_name=person.display_name, email=person.email,
                    email_key=person.email_key, language=person.language, reports_to_email=person.reports_to_email,
                    is_trained_moderator=person.role == SUPERVISOR, supervisor_id=person.supervisor_id)
    _carry_consent(group, member, person)
    group.members.append(member)
    db.session.flush()
    invitations.member_joined(member)
    return member


def _carry_consent(community: Group, member: Member, person: Eligible) -> None:
    """Consent before contact holds here too. A supervisor was named by a coordinator for this very role; a
    moderator's consent is the one they gave as a member of the group they moderate (stepping out stays open)."""
    if person.role == SUPERVISOR:
        member.consent_at, member.consent_source = now_utc(), ConsentSource.COORDINATOR_DECLARED
        return
    given = db.session.execute(
        select(Member.consent_at, Member.consent_source)
        .join(Group, Group.id == Member.group_id)
        .where(Group.organisation_id == community.organisation_id, Group.id != community.id,
               Member.email_key == person.email_key, Member.consent_at.is_not(None))
        .order_by(Member.consent_at.desc()).limit(1)
    ).first()
    if given is not None:
        member.consent_at, member.consent_source = given


def _apply(group: Group, wanted: dict[str, Eligible], report: SyncReport) -> None:
    current = {m.email_key: m for m in group.active_members}
    leads_changed = False
    for key, member in current.items():
        if key not in wanted:
            leads_changed |= member.supervisor_id is not None
            withdraw_member(member)
            report.left += 1
    for key, person in wanted.items():
        member = current.get(key)
        if member is None:
            _join(group, person)
            leads_changed |= person.role == SUPERVISOR
            report.joined += 1
            continue
        member.display_name, member.reports_to_email = person.display_name, person.reports_to_email
        if member.supervisor_id != person.supervisor_id:  # a moderator named supervisor, or the reverse
            member.supervisor_id = person.supervisor_id
            member.is_trained_moderator = person.role == SUPERVISOR
            leads_changed = True
    if leads_changed or report.joined or report.left:
        db.session.flush()
        db.session.expire(group, ["members"])
        replan_moderators(group)
    if report.joined or report.left:
        report.changed.append(group.id)


def sync_organisation(organisation_id: int, now: datetime | None = None) -> SyncReport:
    """Bring every community of the organisation to its eligible members (one unit of work; commits)."""
    report = SyncReport()
    groups = communities(organisation_id)
    if groups:
        eligible = eligible_now(organisation_id, now)
        languages = set(groups)
        for language, group in groups.items():
            wanted = {key: person for key, person in eligible.items()
                      if community_for(person, languages) in (None, language)}
            _apply(group, wanted, report)
        if report.joined or report.left:
            record(Actor.system(), "practice.synced", "organisation", organisation_id, organisation_id=organisation_id,
                   joined=report.joined, left=report.left)
    db.session.commit()
    return report


# --- the community and its series ------------------------------------------------------------------------

def community(organisation_id: int, language: str, timezone: str) -> Group:
    """The organisation's community in ``language``, created (empty) if it does not exist yet."""
    group = communities(organisation_id).get(language)
    if group is None:
        group = Group(organisation_id=organisation_id, name=gettext(language, COMMUNITY_NAME), language=language,
                      timezone=timezone, practice=True, size_exception_confirmed=True)
        db.session.add(group)
        db.session.flush()
    return group


def schedule_practice_series(organisation_id: int, plan: SeriesPlan, language: str, timezone: str, actor: Actor,
                             supervisor_agreement: bool = False, now: datetime | None = None) -> SessionSeries:
    """The community's series: members are brought up to date first, so the series reaches exactly them.

    No eligible moderator yet is fine (they join as they become eligible); a supervisor is needed: they lead.
    """
    violations = []
    if language not in LANGUAGES:
        violations.append(Violation("language_unknown", N_("Choisissez le français ou l’anglais."), "language"))
    if not is_known_timezone(timezone):
        violations.append(Violation("timezone_unknown", N_("Choisissez un fuseau horaire de la liste."), "timezone"))
    if not supervisors_of(organisation_id):
        violations.append(Violation("no_supervisor",
                                    N_("Nommez d’abord au moins une personne superviseure : c’est elle qui anime la "
                                       "communauté de pratique."), "supervisors"))
    if violations:
        raise DomainError(violations)
    created = language not in communities(organisation_id)
    group = community(organisation_id, language, timezone)
    group.timezone = timezone
    db.session.commit()
    sync_organisation(organisation_id, now)
    group = db.session.get(Group, group.id)
    try:
        return schedule_series(group, plan, actor, supervisor_agreement=supervisor_agreement, now=now,
                               kind=SessionKind.PRACTICE)
    except DomainError:
        if created:  # nothing half-saved: the community created for this series goes with it
            db.session.rollback()
            _discard_empty_community(group)
        raise


def _discard_empty_community(group: Group) -> None:
    """A community just created whose series was refused: nobody was sent anything yet, so it simply goes."""
    db.session.delete(group)
    db.session.commit()


def active_series(organisation_id: int) -> list[SessionSeries]:
    return list(db.session.execute(
        select(SessionSeries).join(Group, Group.id == SessionSeries.group_id)
        .where(Group.organisation_id == organisation_id, Group.practice.is_(True),
               SessionSeries.status == SeriesStatus.ACTIVE).order_by(SessionSeries.first_date)
    ).scalars())


def series_for(organisation_id: int, series_id: object) -> SessionSeries:
    """One of the organisation's community series, else :class:`NotFound`."""
    series = db.session.get(SessionSeries, series_id) if isinstance(series_id, int) and not isinstance(
        series_id, bool) else None
    if series is None or not series.group.practice or series.group.organisation_id != organisation_id:
        raise NotFound()
    return series


def practice_sessions(organisation_id: int, now: datetime | None = None, upcoming_only: bool = False
                      ) -> list[GroupSession]:
    query = (select(GroupSession).join(Group, Group.id == GroupSession.group_id)
             .where(Group.organisation_id == organisation_id, Group.practice.is_(True))
             .order_by(GroupSession.starts_at))
    if upcoming_only:  # a session running now is still "next" (its console is in use)
        query = query.where(GroupSession.status == SessionStatus.SCHEDULED,
                            GroupSession.starts_at > (now or now_utc()) - RUNNING_GRACE)
    return list(db.session.execute(query).scalars())


def update_settings(organisation: Organisation, threshold: int, include_external: bool, actor: Actor) -> None:
    """The load threshold the supervisors' pages use, and whether external moderators join the community."""
    organisation.moderator_load_threshold = threshold
    changed = organisation.practice_includes_external != include_external
    organisation.practice_includes_external = include_external
    record(actor, "practice.settings_changed", "organisation", organisation.id, organisation_id=organisation.id,
           threshold=threshold, include_external=include_external)
    db.session.commit()
    if changed:
        sync_organisation(organisation.id)


def step_out(organisation_id: int, email_key: str, actor: Actor) -> None:
    """A moderator leaves the community (and is not brought back while the opt-out stands)."""
    if db.session.get(PracticeOptOut, (organisation_id, email_key)) is None:
        db.session.add(PracticeOptOut(organisation_id=organisation_id, email_key=email_key))
    record(actor, "practice.stepped_out", "organisation", organisation_id, organisation_id=organisation_id)
    db.session.commit()
    sync_organisation(organisation_id)


def step_back_in(organisation_id: int, email_key: str, actor: Actor) -> None:
    optout = db.session.get(PracticeOptOut, (organisation_id, email_key))
    if optout is not None:
        db.session.delete(optout)
    record(actor, "practice.stepped_in", "organisation", organisation_id, organisation_id=organisation_id)
    db.session.commit()
    sync_organisation(organisation_id)
