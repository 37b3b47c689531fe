"""Consent before contact (Law 25: express consent for sensitive information; double opt-in).

Nobody receives a session invitation before they said yes (``invitations.consented`` filters every recipient).
A person says yes in one of three ways, each recorded with its source and time:

- they press « Je confirme » on the page their welcome e-mail leads to (a POST: mail scanners open links);
- a coordinator declares it was collected another way (a paper form): recorded with the coordinator's id, and in
  the audit trail;
- they were members before consent was recorded (the migration marks them ``migrated``).

A volunteer who confirms becomes ``available``; a member who confirms receives every upcoming session, as a member
who joins does. Unconfirmed sign-ups are erased after a week (:func:`erase_unconfirmed`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from service.domain import invitations, polls
from service.domain.audit import Actor, record
from service.domain.clock import now_utc
from service.domain.rules import MemberDraft
from service.effects import after_commit
from service.extensions import db
from service.models import ActorKind, ConsentSource, Member, MemberStatus, Volunteer, VolunteerStatus

# Unconfirmed sign-ups are erased after this (the e-mail and the page say so).
UNCONFIRMED_KEPT = timedelta(days=7)
# A second sign-up with the same address sends a reminder at most this often (no mail bombing through the form).
REMINDER_INTERVAL = timedelta(hours=1)
# A welcome-and-consent e-mail asked for between these ages whose job is no longer in Redis was lost (Redis lost
# its data): a job that ran keeps its record for an hour (``queues.enqueue_consent_letter``), one that failed for
# good for much longer, so younger than that hour the absence of the record can only mean a loss.
LOST_LETTER_AGES = (timedelta(minutes=2), timedelta(minutes=50))


def declare(person: Volunteer | Member, actor: Actor, now: datetime) -> None:
    """A coordinator says this person consented another way (a paper form); the caller records it in the trail."""
    person.consent_at = now
    person.consent_source = ConsentSource.COORDINATOR_DECLARED
    person.consent_declared_by = actor.id if actor.kind is ActorKind.COORDINATOR else None


def with_consent(draft: MemberDraft, actor: Actor, member: Member) -> Member:
    """A new member's consent: the confirmed volunteer's they come from, or the coordinator's declaration."""
    volunteer = db.session.get(Volunteer, draft.volunteer_id) if draft.volunteer_id is not None else None
    if volunteer is not None and volunteer.organisation_id != actor.organisation_id:
        volunteer = None
    member.volunteer_id = volunteer.id if volunteer is not None else None
    if volunteer is not None and volunteer.consent_at is not None:
        member.consent_at, member.consent_source = volunteer.consent_at, volunteer.consent_source
    elif draft.consent_already_given:
        declare(member, actor, now_utc())
    return member


def members_added(members: Iterable[Member], actor: Actor) -> None:
    """After members are written (ids known): record declared consents; ask the others for theirs by e-mail."""
    db.session.flush()
    now = now_utc()
    for member in members:
        # Declared now, not inherited from the volunteer they come from (whose declaration is already recorded).
        declared_now = member.consent_source is ConsentSource.COORDINATOR_DECLARED and (
            member.volunteer_id is None or member.consent_declared_by is not None)
        if declared_now and member.consent_at is not None:
            record(actor, "member.consent_declared", "member", member.id, group_id=member.group_id)
        elif member.consent_at is None:
            ask_for_consent(member, now)


def declare_for_member(member: Member, actor: Actor) -> None:
    """A coordinator declares an existing member's consent (collected another way): they get the sessions ahead."""
    if member.consent_at is not None:
        return
    declare(member, actor, now_utc())
    record(actor, "member.consent_declared", "member", member.id, group_id=member.group_id)
    invitations.member_joined(member)
    polls.member_can_answer(member)


def ask_for_consent(person: Volunteer | Member, now: datetime, reminder: bool = False) -> None:
    """Send the welcome-and-consent e-mail (or a reminder) once this transaction commits."""
    if isinstance(person, Volunteer):
        person.last_mailed_at = now
    else:
        person.consent_mailed_at = now
    db.session.flush()
    kind = "volunteer" if isinstance(person, Volunteer) else "member"
    person_id = person.id

    def enqueue(pipe) -> None:
        from worker import queues

        queues.enqueue_consent_letter(kind, person_id, reminder, pipe)

    after_commit(db.session(), enqueue)


def letters_to_check(now: datetime) -> list[tuple[str, int]]:
    """``(kind, id)`` of the people still unconfirmed whose welcome-and-consent e-mail was asked for a little while
    ago (:data:`LOST_LETTER_AGES`): the sweep sends again those whose job Redis no longer has."""
    youngest, oldest = now - LOST_LETTER_AGES[0], now - LOST_LETTER_AGES[1]
    volunteers = db.session.execute(
        select(Volunteer.id).where(Volunteer.consent_at.is_(None), Volunteer.status == VolunteerStatus.AWAITING_CONSENT,
                                   Volunteer.last_mailed_at.between(oldest, youngest))).scalars()
    members = db.session.execute(
        select(Member.id).where(Member.consent_at.is_(None), Member.status == MemberStatus.ACTIVE,
                                Member.consent_mailed_at.between(oldest, youngest))).scalars()
    return [("volunteer", person_id) for person_id in volunteers] + [("member", person_id) for person_id in members]


def confirm(person: Volunteer | Member) -> None:
    """The person pressed « Je confirme ». Idempotent: a second press changes nothing."""
    if person.consent_at is not None:
        return
    now = now_utc()
    if isinstance(person, Volunteer):
        person.consent_at, person.consent_source = now, ConsentSource.EMAIL_CONFIRMATION
        if person.status is VolunteerStatus.AWAITING_CONSENT:
            person.status = VolunteerStatus.AVAILABLE
        record(Actor(ActorKind.SYSTEM, None, person.organisation_id), "volunteer.consent_confirmed", "volunteer",
               person.id)
        linked = db.session.execute(
            select(Member).where(Member.volunteer_id == person.id, Member.consent_at.is_(None))
        ).scalars().all()
    else:
        record(Actor(ActorKind.MEMBER, person.id, person.group.organisation_id), "member.consent_confirmed",
               "member", person.id, group_id=person.group_id)
        linked = [person]
    for member in linked:
        member.consent_at, member.consent_source = now, ConsentSource.EMAIL_CONFIRMATION
        invitations.member_joined(member)
        polls.member_can_answer(member)
    db.session.commit()


def back_to_pool(member: Member) -> None:
    """A member from the pool who leaves their group is available again (leaving a group is not leaving the pool;
    withdrawing from their personal page is)."""
    if member.volunteer_id is not None:
        db.session.execute(update(Volunteer).where(Volunteer.id == member.volunteer_id,
                                                   Volunteer.status == VolunteerStatus.IN_GROUP)
                           .values(status=VolunteerStatus.AVAILABLE))


def erase_unconfirmed(now: datetime) -> int:
    """Sign-ups nobody confirmed within a week are erased (what the e-mail and the notice promise)."""
    stale = db.session.execute(
        select(Volunteer.id, Volunteer.organisation_id).where(
            Volunteer.consent_at.is_(None), Volunteer.created_at < now - UNCONFIRMED_KEPT)
    ).all()
    if not stale:
        return 0
    db.session.execute(delete(Volunteer).where(Volunteer.id.in_([row.id for row in stale])))
    for organisation_id in {row.organisation_id for row in stale}:
        record(Actor.system(), "volunteers.unconfirmed_erased", "organisation", organisation_id,
               organisation_id=organisation_id, count=sum(1 for row in stale if row.organisation_id == organisation_id))
    return len(stale)
