"""Which groups a coordinator reaches: the one place that decides it, for the pages and the API alike.

A coordinator reaches the groups linked to them through :class:`~service.models.GroupCoordinator` (those they
created, and those another coordinator of the same organisation shared with them). Anything else is
:class:`NotFound` — never "forbidden", which would confirm that the group exists.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from service.domain.audit import Actor, record
from service.domain.errors import NotFound, refuse
from service.domain.rules import normalise_email
from service.extensions import db
from service.i18n import N_
from service.models import (
    Coordinator,
    CoordinatorRole,
    Group,
    GroupCoordinator,
    GroupSession,
    Invite,
    Member,
    Poll,
    SessionSeries,
)


def _visible_group_ids(coordinator: Coordinator):
    return select(GroupCoordinator.group_id).where(GroupCoordinator.coordinator_id == coordinator.id)


def coordinated_groups(coordinator: Coordinator) -> list[Group]:
    """Every group the coordinator reaches, including those being deleted, by name."""
    return list(db.session.execute(
        select(Group).where(Group.id.in_(_visible_group_ids(coordinator)),
                            Group.organisation_id == coordinator.organisation_id).order_by(Group.name, Group.id)
    ).scalars())


def group_for(coordinator: Coordinator, group_id: object) -> Group:
    if not isinstance(group_id, int) or isinstance(group_id, bool):
        raise NotFound()
    # Its members come with it: nearly every operation on a group reads them (rules, invitations, timelines).
    group = db.session.execute(
        select(Group).options(joinedload(Group.members))
        .where(Group.id == group_id, Group.organisation_id == coordinator.organisation_id,
               Group.id.in_(_visible_group_ids(coordinator)))
    ).unique().scalar_one_or_none()
    if group is None:
        raise NotFound()
    return group


def _of_group(model, group: Group, object_id: object):
    """A row of ``model`` that belongs to ``group`` (by its ``group_id``), else :class:`NotFound`."""
    row = db.session.get(model, object_id) if isinstance(object_id, int) and not isinstance(object_id, bool) else None
    if row is None or row.group_id != group.id:
        raise NotFound()
    return row


def session_for(coordinator: Coordinator, group: Group, session_id: object) -> GroupSession:
    return _of_group(GroupSession, group, session_id)


def series_for(coordinator: Coordinator, group: Group, series_id: object) -> SessionSeries:
    return _of_group(SessionSeries, group, series_id)


def member_for(coordinator: Coordinator, group: Group, member_id: object) -> Member:
    return _of_group(Member, group, member_id)


def poll_for(coordinator: Coordinator, group: Group, poll_id: object) -> Poll:
    return _of_group(Poll, group, poll_id)


def invite_for(coordinator: Coordinator, group: Group, invite_id: object) -> Invite:
    invite = db.session.get(Invite, invite_id) if isinstance(invite_id, int) else None
    if invite is None or invite.member is None or invite.member.group_id != group.id:
        raise NotFound()
    return invite


def coordinators_of(group: Group) -> list[Coordinator]:
    return list(db.session.execute(
        select(Coordinator).join(GroupCoordinator, GroupCoordinator.coordinator_id == Coordinator.id)
        .where(GroupCoordinator.group_id == group.id).order_by(Coordinator.display_name, Coordinator.id)
    ).scalars())


def share_group(group: Group, email: str, actor: Actor) -> Coordinator:
    """Share the group with another coordinator of the same organisation (who then sees and changes it too)."""
    address = normalise_email(email)
    other = None
    if address is not None:
        other = db.session.execute(
            select(Coordinator).where(Coordinator.email == address.lower(),
                                      Coordinator.organisation_id == group.organisation_id,
                                      Coordinator.is_active.is_(True))
        ).scalar_one_or_none()
    if other is None:
        raise refuse("coordinator_unknown",
                     N_("Aucune personne coordonnatrice de votre organisation n’a cette adresse. Elle doit "
                        "s’être connectée une première fois."), "email")
    if any(link.coordinator_id == other.id for link in group.coordinator_links):
        return other
    group.coordinator_links.append(GroupCoordinator(coordinator_id=other.id, role=CoordinatorRole.SHARED))
    record(actor, "group.shared", "group", group.id, coordinator=other.id)
    db.session.commit()
    return other


def stop_sharing(group: Group, coordinator_id: int, actor: Actor) -> None:
    """Remove a coordinator's access; a group always keeps at least one coordinator."""
    links = list(group.coordinator_links)
    link = next((link for link in links if link.coordinator_id == coordinator_id), None)
    if link is None:
        return
    if len(links) == 1:
        raise refuse("last_coordinator", N_("Ce groupe doit garder au moins une personne coordonnatrice."))
    group.coordinator_links.remove(link)
    record(actor, "group.unshared", "group", group.id, coordinator=coordinator_id)
    db.session.commit()
