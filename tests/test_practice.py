"""The community of practice kept up to date as schedules change, its series, and supervisors (SQLite/PostgreSQL)."""

from __future__ import annotations

from datetime import time

from rq import Queue
from sqlalchemy import select

from service.domain import practice, scheduling, supervisors
from service.domain.errors import DomainError
from service.extensions import db
from service.models import Group, Invite, InviteMethod, Member, MemberStatus, Supervisor
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday


def _community(organisation_id: int) -> Group:
    return practice.communities(organisation_id)["fr"]


def members_of(group: Group) -> dict[str, str]:
    db.session.expire_all()
    group = db.session.get(Group, group.id)
    return {m.email: practice.role_of(m) for m in group.active_members}


def _setup(actor, weeks_ahead: int = 1):
    group = make_group(actor, members=5, trained=2)
    plan = scheduling.SeriesPlan(next_weekday(2, weeks_ahead), time(19), occurrence_count=3)
    series = scheduling.schedule_series(group, plan, actor)
    supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr", actor)
    practice_plan = scheduling.SeriesPlan(next_weekday(3, 1), time(12), occurrence_count=4)
    practice_series = practice.schedule_practice_series(actor.organisation_id, practice_plan, "fr", "America/Toronto",
                                                        actor, supervisor_agreement=True)
    return group, series, practice_series


def test_the_community_holds_the_moderators_of_the_next_8_weeks_and_the_supervisors(app, actor):
    group, series, practice_series = _setup(actor)
    community = _community(actor.organisation_id)
    # personne0 and personne1 take turns moderating the series; personne2..4 never moderate.
    assert members_of(community) == {"personne0@exemple.ca": "moderator", "personne1@exemple.ca": "moderator",
                                     "sophie@acsm.example": "supervisor"}
    assert {s.kind for s in practice_series.sessions} == {SessionKind.PRACTICE}
    # Its prompts are written like any session's: one row per step of the practice protocol.
    first = practice_series.sessions[0]
    assert [p.step_key for p in first.prompts] == [
        "welcome", "p1", "p2", "p3", "learning", "practice_closing", "key_message"]
    # The supervisor leads every practice session.
    supervisor_member = next(m for m in community.active_members if m.supervisor_id is not None)
    assert {s.moderator_id for s in practice_series.sessions} == {supervisor_member.id}
    # Each member holds exactly one invitation for the whole series.
    rows = db.session.execute(select(Invite).where(Invite.calendar_uid == practice_series.calendar_uid)).scalars().all()
    assert sorted(r.email for r in rows) == ["personne0@exemple.ca", "personne1@exemple.ca", "sophie@acsm.example"]
    assert {r.method for r in rows} == {InviteMethod.REQUEST}


def test_joins_and_leaves_as_schedules_change(app, actor, redis_client):
    group, series, practice_series = _setup(actor)
    community = _community(actor.organisation_id)
    newcomer = next(m for m in group.active_members if m.email == "personne2@exemple.ca")

    # A session is given to someone who never moderated: the change enqueues the community's update after commit.
    redis_client.flushdb()
    scheduling.change_moderator(series.sessions[0], newcomer, actor)
    assert f"practice-sync-{actor.organisation_id}" in Queue("default", connection=redis_client).job_ids
    report = practice.sync_organisation(actor.organisation_id)
    assert report.joined == 1 and report.left == 0
    assert members_of(community)["personne2@exemple.ca"] == "moderator"
    joined = db.session.execute(select(Invite).join(Member).where(
        Member.email == "personne2@exemple.ca", Member.group_id == community.id)).scalars().all()
    assert [(i.calendar_uid, i.method) for i in joined] == [(practice_series.calendar_uid, InviteMethod.REQUEST)]

    # The group's series is cancelled: nobody moderates any more; they leave and get a cancellation.
    scheduling.cancel_series(db.session.get(type(series), series.id), actor)
    report = practice.sync_organisation(actor.organisation_id)
    assert report.left == 3
    assert members_of(community) == {"sophie@acsm.example": "supervisor"}
    cancelled = db.session.execute(select(Invite.email).where(
        Invite.calendar_uid == practice_series.calendar_uid, Invite.method == InviteMethod.CANCEL)).scalars().all()
    assert sorted(cancelled) == ["personne0@exemple.ca", "personne1@exemple.ca", "personne2@exemple.ca"]
    # A second pass changes nothing.
    assert practice.sync_organisation(actor.organisation_id).joined == 0


def test_a_moderator_steps_out_and_is_not_brought_back(app, actor):
    _setup(actor)
    community = _community(actor.organisation_id)
    practice.step_out(actor.organisation_id, "personne1@exemple.ca", actor)
    assert "personne1@exemple.ca" not in members_of(community)
    practice.sync_organisation(actor.organisation_id)
    assert "personne1@exemple.ca" not in members_of(community)
    practice.step_back_in(actor.organisation_id, "personne1@exemple.ca", actor)
    assert "personne1@exemple.ca" in members_of(community)


def test_external_moderators_join_only_when_the_coordinator_says_so(app, actor):
    from service.domain.rules import MemberDraft
    from service.models import Organisation

    group = make_group(actor, members=5, trained=1)
    from service.domain.groups import set_moderator_arrangement
    set_moderator_arrangement(group, MemberDraft("Xavier Externe", "xavier@externe.example", "fr"), 2, actor)
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=3), actor)
    supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr", actor)
    practice.schedule_practice_series(actor.organisation_id,
                                      scheduling.SeriesPlan(next_weekday(3), time(18), occurrence_count=2),
                                      "fr", "America/Toronto", actor)
    community = _community(actor.organisation_id)
    assert "xavier@externe.example" not in members_of(community)
    practice.update_settings(db.session.get(Organisation, actor.organisation_id), 4, True, actor)
    assert members_of(community)["xavier@externe.example"] == "moderator"


def test_a_series_needs_a_supervisor_but_no_moderator_yet(app, actor):
    plan = scheduling.SeriesPlan(next_weekday(3), time(18), occurrence_count=2)
    try:
        practice.schedule_practice_series(actor.organisation_id, plan, "fr", "America/Toronto", actor)
    except DomainError as error:
        assert [v.code for v in error.violations] == ["no_supervisor"]
    else:
        raise AssertionError("a series without a supervisor was accepted")
    assert practice.communities(actor.organisation_id) == {}  # nothing half-saved
    supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr", actor)
    series = practice.schedule_practice_series(actor.organisation_id, plan, "fr", "America/Toronto", actor)
    assert len(series.sessions) == 2
    assert members_of(_community(actor.organisation_id)) == {"sophie@acsm.example": "supervisor"}


def test_removing_a_supervisor_revokes_the_link_and_hands_over_the_sessions(app, actor):
    _setup(actor)
    community = _community(actor.organisation_id)
    second = supervisors.add_supervisor(actor.organisation_id, "Marc Roy", "marc@acsm.example", "en", actor)
    first = db.session.execute(select(Supervisor).where(Supervisor.email_key == "sophie@acsm.example")).scalar_one()
    supervisors.remove_supervisor(first, actor)
    assert "sophie@acsm.example" not in members_of(community)
    marc = next(m for m in db.session.get(Group, community.id).active_members if m.supervisor_id == second.id)
    upcoming = practice.practice_sessions(actor.organisation_id, upcoming_only=True)
    assert upcoming and {s.moderator_id for s in upcoming} == {marc.id}
    left = db.session.execute(select(Member).where(Member.email == "sophie@acsm.example")).scalar_one()
    assert left.status is MemberStatus.LEFT
