"""Naming and removing the organisation's supervisors (experienced peer supporters; no account, a personal link).

Requests to talk belong to the organisation, not to one supervisor: every supervisor's page shows them, so a
supervisor removed while some are open leaves them to the others. When none is left, the coordinator's page
says so (:func:`unattended_requests`).
"""

from __future__ import annotations

from sqlalchemy import func, select

from service.domain import practice, supervisor_links
from service.domain.audit import Actor, record
from service.domain.errors import DomainError, NotFound, Violation
from service.domain.rules import MemberDraft, check_member, clean_text, email_key, normalise_email
from service.extensions import db
from service.i18n import N_
from service.models import Group, Member, MemberStatus, Supervisor, TalkRequest


def add_supervisor(organisation_id: int, display_name: str, email: str, language: str, actor: Actor) -> Supervisor:
    violations = check_member(MemberDraft(display_name, email, language), "")
    if not violations:
        key = email_key(normalise_email(email) or "")
        taken = db.session.execute(select(Supervisor.id).where(Supervisor.organisation_id == organisation_id,
                                                               Supervisor.email_key == key)).first()
        if taken:
            violations.append(Violation("supervisor_duplicate", N_("Cette personne est déjà superviseure."), "email"))
    if violations:
        raise DomainError(violations)
    address = normalise_email(email)
    supervisor = Supervisor(organisation_id=organisation_id, display_name=clean_text(display_name), email=address,
                            email_key=email_key(address), language=language)
    db.session.add(supervisor)
    db.session.flush()
    record(actor, "supervisor.added", "supervisor", supervisor.id, organisation_id=organisation_id)
    supervisor_links.request(supervisor)
    db.session.commit()
    practice.sync_organisation(organisation_id)  # they join the community (and its series) at once
    return supervisor


def supervisor_for(organisation_id: int, supervisor_id: object) -> Supervisor:
    row = db.session.get(Supervisor, supervisor_id) if isinstance(supervisor_id, int) and not isinstance(
        supervisor_id, bool) else None
    if row is None or row.organisation_id != organisation_id:
        raise NotFound()
    return row


def remove_supervisor(supervisor: Supervisor, actor: Actor) -> int:
    """The link stops working, they leave the community (unless they also moderate). Returns the open requests
    left to the remaining supervisors — or, with none left, to the coordinator's attention."""
    organisation_id = supervisor.organisation_id
    for member in db.session.execute(select(Member).where(Member.supervisor_id == supervisor.id)).scalars():
        member.supervisor_id = None
        member.is_trained_moderator = False
    supervisor.link_nonce = ""
    db.session.flush()
    open_requests = count_open_requests(organisation_id)
    record(actor, "supervisor.removed", "supervisor", supervisor.id, organisation_id=organisation_id,
           open_requests=open_requests)
    db.session.delete(supervisor)
    db.session.commit()
    practice.sync_organisation(organisation_id)
    return open_requests


def count_open_requests(organisation_id: int) -> int:
    return db.session.execute(select(func.count(TalkRequest.id)).where(
        TalkRequest.organisation_id == organisation_id, TalkRequest.done_at.is_(None))).scalar_one()


def unattended_requests(organisation_id: int) -> int:
    """Open requests to talk that no supervisor can see (none is named): the coordinator is told."""
    if practice.supervisors_of(organisation_id):
        return 0
    return count_open_requests(organisation_id)


def also_in_groups(supervisor: Supervisor) -> int:
    """How many of the organisation's groups this supervisor is also a member of (allowed, but shown)."""
    return db.session.execute(
        select(func.count(Member.id)).join(Group, Group.id == Member.group_id)
        .where(Group.organisation_id == supervisor.organisation_id, Group.practice.is_(False),
               Member.email_key == supervisor.email_key, Member.status == MemberStatus.ACTIVE)
    ).scalar_one()
