"""Forming groups and changing their membership. Every function here is one unit of work and commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from service import dispatch
from service.domain import consent, invitations, polls
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.errors import DomainError, Violation
from service.domain.rules import (
    MemberDraft,
    check_group_settings,
    check_hierarchy,
    check_member,
    check_members,
    check_size,
    clean_text,
    email_key,
    normalise_email,
)
from service.extensions import db
from service.i18n import N_
from service.models import (
    CoordinatorRole,
    Group,
    GroupCoordinator,
    GroupSession,
    GroupStatus,
    Invite,
    InviteStatus,
    MeetingStatus,
    Member,
    MemberRole,
    MemberStatus,
    SeriesStatus,
    SessionSeries,
    SessionStatus,
    ZoomMeeting,
)
from service.domain.moderation import group_history, moderator_for
from service.domain.prompts import REASON_SESSION_CANCELLED, stop_pending_prompts
from service.protocol import SessionKind


@dataclass
class GroupDraft:
    name: str
    language: str
    timezone: str
    members: list[MemberDraft] = field(default_factory=list)
    size_exception_confirmed: bool = False
    neutral_invite_title: bool = True
    chat_prompts_enabled: bool = True
    external_moderator: MemberDraft | None = None
    external_moderator_sessions: int = 0


def validate_group(draft: GroupDraft) -> list[Violation]:
    """Every rule a group must meet, with messages placed on the form's fields. Pure: changes nothing."""
    violations = check_group_settings(draft.name, draft.language, draft.timezone)
    violations += check_members(draft.members, draft.size_exception_confirmed, draft.external_moderator)
    if draft.external_moderator_sessions < 0 or draft.external_moderator_sessions > 60:
        violations.append(Violation("external_sessions_out_of_range",
                                    N_("Indiquez un nombre de rencontres entre 0 et 60."),
                                    "external_moderator_sessions"))
    elif draft.external_moderator_sessions and draft.external_moderator is None:
        violations.append(Violation("external_moderator_missing",
                                    N_("Indiquez la personne modératrice externe qui animera les premières rencontres, ou "
                                       "mettez le nombre de rencontres à 0."),
                                    "external_moderator-email"))
    return violations


def _new_member(draft: MemberDraft, actor: Actor, role: MemberRole = MemberRole.MEMBER) -> Member:
    email = normalise_email(draft.email)
    assert email is not None  # validated before
    return consent.with_consent(draft, actor, Member(
        role=role,
        display_name=clean_text(draft.display_name),
        email=email,
        email_key=email_key(email),
        language=draft.language,
        reports_to_email=normalise_email(draft.reports_to_email) if draft.reports_to_email else None,
        is_trained_moderator=draft.is_trained_moderator or role is MemberRole.EXTERNAL_MODERATOR,
        volunteer_id=draft.volunteer_id,
    ))


def create_group(draft: GroupDraft, actor: Actor) -> Group:
    group = add_group(draft, actor)
    db.session.commit()
    return group


def add_group(draft: GroupDraft, actor: Actor) -> Group:
    """``create_group`` without the commit, for a caller forming several groups in one transaction."""
    violations = validate_group(draft)
    if violations:
        raise DomainError(violations)
    group = Group(
        organisation_id=actor.organisation_id,
        name=clean_text(draft.name),
        language=draft.language,
        timezone=draft.timezone,
        size_exception_confirmed=draft.size_exception_confirmed,
        neutral_invite_title=draft.neutral_invite_title,
        chat_prompts_enabled=draft.chat_prompts_enabled,
        external_moderator_sessions=draft.external_moderator_sessions if draft.external_moderator else 0,
    )
    group.members = [_new_member(m, actor) for m in draft.members]
    if draft.external_moderator is not None:
        group.members.append(_new_member(draft.external_moderator, actor, MemberRole.EXTERNAL_MODERATOR))
    if actor.id is not None:
        group.coordinator_links.append(GroupCoordinator(coordinator_id=actor.id, role=CoordinatorRole.OWNER))
    db.session.add(group)
    db.session.flush()
    record(actor, "group.created", "group", group.id, members=len(draft.members))
    consent.members_added(group.members, actor)
    return group


def update_group_settings(group: Group, name: str, language: str, timezone: str, neutral_invite_title: bool,
                          chat_prompts_enabled: bool, size_exception_confirmed: bool, actor: Actor) -> Group:
    violations = check_group_settings(name, language, timezone)
    violations += check_size(len(group.active_members), size_exception_confirmed)
    if violations:
        raise DomainError(violations)
    group.name = clean_text(name)
    group.language = language
    group.timezone = timezone
    group.neutral_invite_title = neutral_invite_title
    group.chat_prompts_enabled = chat_prompts_enabled
    group.size_exception_confirmed = size_exception_confirmed
    record(actor, "group.updated", "group", group.id)
    db.session.commit()
    return group


def _drafts_of(members: Sequence[Member]) -> list[MemberDraft]:
    return [
        MemberDraft(m.display_name, m.email, m.language, m.reports_to_email, m.is_trained_moderator) for m in members
    ]


def add_member(group: Group, draft: MemberDraft, actor: Actor) -> Member:
    """A member joins: the group rules still hold, and they get every upcoming session from now on."""
    current = group.active_members
    prefix = f"members-{len(current)}-"
    violations = check_member(draft, prefix)
    key = email_key(draft.email or "")
    if any(m.email_key == key and m.status is MemberStatus.ACTIVE for m in group.members):
        violations.append(Violation("email_duplicate", N_("Cette personne fait déjà partie du groupe."),
                                    f"{prefix}email"))
    if not violations:
        everyone = _drafts_of(current) + [draft]
        external = group.external_moderator
        violations += check_size(len(everyone), group.size_exception_confirmed)
        violations += check_hierarchy(everyone, _drafts_of([external])[0] if external else None)
    if violations:
        raise DomainError(violations)
    former = next((m for m in group.members if m.email_key == key), None)
    if former is not None:  # someone who left and comes back
        db.session.delete(former)
        db.session.flush()
    member = _new_member(draft, actor)
    group.members.append(member)
    db.session.flush()
    invitations.member_joined(member)
    polls.member_can_answer(member)
    record(actor, "member.added", "group", group.id)
    consent.members_added([member], actor)
    db.session.commit()
    return member


def update_member(member: Member, draft: MemberDraft, actor: Actor) -> Member:
    group = member.group
    index = group.active_members.index(member) if member in group.active_members else 0
    prefix = f"members-{index}-"
    violations = check_member(draft, prefix)
    key = email_key(draft.email or "")
    if any(m.email_key == key and m.id != member.id for m in group.members):
        violations.append(Violation("email_duplicate", N_("Cette adresse est déjà celle d’une autre personne du "
                                                          "groupe."), f"{prefix}email"))
    if not violations:
        others = [m for m in group.active_members if m.id != member.id]
        everyone = _drafts_of(others) + [draft]
        external = group.external_moderator
        violations += check_hierarchy(everyone, _drafts_of([external])[0] if external else None)
    if violations:
        raise DomainError(violations)
    address_changed = normalise_email(draft.email) != member.email
    if address_changed:
        # Invitations already sent went to the old address; it gets the cancellation, the new one the invites.
        invitations.member_left(member)
    member.display_name = clean_text(draft.display_name)
    member.email = normalise_email(draft.email)
    member.email_key = email_key(member.email)
    member.language = draft.language
    member.reports_to_email = normalise_email(draft.reports_to_email) if draft.reports_to_email else None
    member.is_trained_moderator = draft.is_trained_moderator
    if address_changed:
        db.session.flush()
        invitations.member_joined(member)
    if draft.consent_already_given:
        consent.declare_for_member(member, actor)
    record(actor, "member.updated", "group", group.id)
    db.session.commit()
    return member


def member_leaves(member: Member, actor: Actor) -> None:
    """Leaving is never questioned: future invitations are cancelled and nothing more is sent."""
    if member.status is MemberStatus.LEFT:
        return
    withdraw_member(member)
    record(actor, "member.left", "group", member.group_id)
    db.session.commit()


def withdraw_member(member: Member) -> None:
    """The member is out (in the caller's unit of work): cancellations go out, the sessions they were to lead
    lose their moderator."""
    _leave(member)
    consent.back_to_pool(member)
    polls.member_left(member)  # their answers leave the counts
    for session in db.session.execute(
        select(GroupSession).where(GroupSession.moderator_id == member.id, GroupSession.starts_at > now_utc(),
                                   GroupSession.status == SessionStatus.SCHEDULED)
    ).scalars():
        session.moderator = None
        session.revision += 1


def delete_group(group: Group, actor: Actor) -> None:
    """Cancel everything ahead, then the group and its members' personal data go (see :func:`purge_group`)."""
    now = now_utc()
    group.status = GroupStatus.DELETING
    for series in db.session.execute(
        select(SessionSeries).where(SessionSeries.group_id == group.id, SessionSeries.status == SeriesStatus.ACTIVE)
    ).scalars():
        series.status = SeriesStatus.CANCELLED
        invitations.series_cancelled(series)
    for session in db.session.execute(
        select(GroupSession).where(GroupSession.group_id == group.id, GroupSession.status == SessionStatus.SCHEDULED)
    ).scalars():
        if session.starts_at > now:
            session.status = SessionStatus.CANCELLED
            session.cancelled_at = now
            if session.series_id is None:
                invitations.session_cancelled(session)
        stop_pending_prompts(session, REASON_SESSION_CANCELLED)
    for meeting in db.session.execute(select(ZoomMeeting).where(ZoomMeeting.group_id == group.id)).scalars():
        if meeting.status not in (MeetingStatus.DELETED, MeetingStatus.DELETED_IN_ZOOM):
            meeting.status = MeetingStatus.PENDING
            db.session.flush()
            dispatch.sync_meeting(meeting.id)
    record(actor, "group.deleted", "group", group.id)
    db.session.commit()


# A group being deleted keeps its rows this long at most while its cancellations go out.
PURGE_GRACE = timedelta(hours=1)


def purge_group(group_id: int, now: datetime | None = None) -> bool:
    """Delete a group marked for deletion once its cancellations are out (or the grace period is over)."""
    group = db.session.get(Group, group_id)
    if group is None or group.status is not GroupStatus.DELETING:
        return False
    now = now or now_utc()
    outstanding = db.session.execute(
        select(Invite.id)
        .join(Member, Member.id == Invite.member_id)
        .where(Member.group_id == group_id, Invite.status.in_([InviteStatus.PENDING, InviteStatus.SENDING]))
    ).first()
    meetings_left = db.session.execute(
        select(ZoomMeeting.id).where(ZoomMeeting.group_id == group_id, ZoomMeeting.status == MeetingStatus.PENDING)
    ).first()
    if (outstanding or meetings_left) and now - group.updated_at < PURGE_GRACE:
        return False
    db.session.delete(group)
    record(Actor.system(), "group.purged", "group", group_id, organisation_id=group.organisation_id)
    db.session.commit()
    return True


def check_moderator_arrangement(group: Group, external: MemberDraft | None, sessions: int) -> list[Violation]:
    """The arrangement rules of :func:`validate_group`, for a group that already exists."""
    draft = GroupDraft(group.name, group.language, group.timezone, _drafts_of(group.active_members),
                       group.size_exception_confirmed, external_moderator=external,
                       external_moderator_sessions=sessions)
    fields = ("external_moderator", "external_moderator-", "external_moderator_sessions")
    return [v for v in validate_group(draft) if (v.field or "").startswith(fields)
            or v.code == "hierarchy_in_group"]


def set_moderator_arrangement(group: Group, external: MemberDraft | None, sessions: int, actor: Actor) -> Group:
    """Change who leads the first sessions (an external moderator, for how many) and re-plan the moderators.

    A different external moderator replaces the previous one, who leaves (their invitations are cancelled).
    Every upcoming session then gets the moderator the arrangement plans for it; only the people whose role
    changes receive an updated invitation.
    """
    violations = check_moderator_arrangement(group, external, sessions)
    if violations:
        raise DomainError(violations)
    current = group.external_moderator
    same_person = current is not None and external is not None and email_key(current.email) == email_key(
        external.email)
    if current is not None and not same_person:
        _leave(current)
    if external is not None:
        if same_person:
            current.display_name = clean_text(external.display_name)
            current.language = external.language
        else:
            former = next((m for m in group.members if m.email_key == email_key(external.email)
                           and m.status is MemberStatus.LEFT), None)
            if former is not None:
                db.session.delete(former)
                db.session.flush()
            group.members.append(_new_member(external, actor, MemberRole.EXTERNAL_MODERATOR))
            db.session.flush()
            consent.members_added([group.members[-1]], actor)
    group.external_moderator_sessions = sessions if external is not None else 0
    db.session.flush()
    _replan_moderators(group)
    record(actor, "group.moderation_changed", "group", group.id, external_sessions=group.external_moderator_sessions)
    db.session.commit()
    return group


def _leave(member: Member) -> None:
    """The member is out: personal links stop working and their calendar gets every cancellation."""
    member.status = MemberStatus.LEFT
    member.left_at = now_utc()
    member.link_nonce = ""
    db.session.flush()
    invitations.member_left(member)


def replan_moderators(group: Group) -> None:
    """Every upcoming session gets the moderator the group's arrangement plans for it (caller commits)."""
    _replan_moderators(group)


def _replan_moderators(group: Group) -> None:
    upcoming = db.session.execute(
        select(GroupSession).where(GroupSession.group_id == group.id, GroupSession.starts_at > now_utc(),
                                   GroupSession.status == SessionStatus.SCHEDULED,
                                   GroupSession.actual_started_at.is_(None))
        .order_by(GroupSession.starts_at)
    ).scalars().all()
    history = group_history(group)  # one read for them all; a new moderator changes no start
    for session in upcoming:
        if session.kind is SessionKind.REHEARSAL:
            continue
        planned = moderator_for(group, history.sessions_before(session.starts_at))
        previous = session.moderator
        if planned is None or (previous is not None and previous.id == planned.id):
            continue
        session.moderator = planned
        session.revision += 1
        invitations.session_changed(session, only=[m for m in (previous, planned) if m is not None])
