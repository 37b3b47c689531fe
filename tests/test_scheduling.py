"""Scheduling: sessions, series across DST, prompt rows, invitations, moderators, changes and cancellations."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from rq import Queue
from sqlalchemy import select

from service.domain import groups, scheduling
from service.domain.clock import UTC, now_utc
from service.domain.errors import DomainError
from service.domain.groups import GroupDraft, purge_group
from service.domain.rules import MemberDraft
from service.extensions import db
from service.models import (
    AuditEvent,
    GroupSession,
    Invite,
    InviteMethod,
    MeetingStatus,
    Member,
    MemberStatus,
    Prompt,
    PromptAudience,
    PromptStatus,
    SessionStatus,
    ZoomMeeting,
)
from service.protocol import SessionKind, build_timeline
from tests.factories import make_group, member_drafts

TORONTO = ZoneInfo("America/Toronto")


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def evening(day: date) -> datetime:
    return datetime.combine(day, time(18, 30))


def test_a_single_kickoff_writes_its_whole_plan(app, actor, redis_client):
    group = make_group(actor, members=6, trained=2)
    day = next_weekday(1)
    session = scheduling.schedule_session(group, SessionKind.KICKOFF, evening(day), None, actor)

    assert session.duration_minutes == 60
    assert session.starts_at == datetime.combine(day, time(18, 30), TORONTO).astimezone(UTC)
    assert session.starts_at.tzinfo is not None
    assert session.calendar_uid and session.calendar_uid.endswith("@entre-pairs")
    assert session.zoom_meeting.status is MeetingStatus.PENDING and not session.zoom_meeting.recurring
    assert session.moderator is not None and session.moderator.is_trained_moderator

    timeline = build_timeline("kickoff", 60, 6, "fr")
    prompts = db.session.execute(select(Prompt).where(Prompt.session_id == session.id)
                                 .order_by(Prompt.offset_seconds)).scalars().all()
    assert [p.step_key for p in prompts] == [s.key for s in timeline.steps]
    for prompt, step in zip(prompts, timeline.steps):
        assert prompt.due_at == session.starts_at + timedelta(seconds=step.offset_seconds)
        assert prompt.expires_at == prompt.due_at + timedelta(seconds=step.duration_seconds)
        if step.is_cue:
            assert prompt.audience is PromptAudience.MODERATOR and prompt.status is PromptStatus.SKIPPED
        else:
            assert prompt.audience is PromptAudience.EVERYONE and prompt.status is PromptStatus.PENDING

    invites = db.session.execute(select(Invite)).scalars().all()
    assert len(invites) == 6
    assert {i.method for i in invites} == {InviteMethod.REQUEST}
    assert {i.calendar_uid for i in invites} == {session.calendar_uid}

    # The work reached the queues once the transaction committed.
    assert Queue("zoom", connection=redis_client).job_ids == [f"meeting-sync-{session.zoom_meeting_id}"]
    # The invitations went as one job (a larger change is split by the worker into jobs of a few rows).
    mail = Queue("mail", connection=redis_client)
    ids = sorted(i.id for i in invites)
    assert mail.job_ids == [f"invites-send-{ids[0]}-{ids[-1]}-6"]
    assert mail.fetch_job(mail.job_ids[0]).args == (ids,)
    assert db.session.execute(select(AuditEvent.action)).scalars().all()[-1] == "session.scheduled"


def test_a_weekly_series_keeps_its_local_time_across_daylight_saving(app, actor):
    group = make_group(actor, members=5)
    # Ten weekly Tuesdays from the last week of October: the series crosses the November DST change.
    first = date(now_utc().year + 1, 10, 26)
    first += timedelta(days=(1 - first.weekday()) % 7)
    plan = scheduling.SeriesPlan(first_date=first, local_time=time(12, 15), occurrence_count=10)
    series = scheduling.schedule_series(group, plan, actor, supervisor_agreement=True)

    sessions = series.sessions
    assert len(sessions) == 10
    offsets = set()
    for index, session in enumerate(sessions):
        local = session.starts_at.astimezone(TORONTO)
        assert (local.date(), local.time()) == (first + timedelta(weeks=index), time(12, 15))
        assert session.original_starts_at == session.starts_at
        offsets.add(local.utcoffset())
    assert len(offsets) == 2  # EDT then EST: the UTC times moved, the wall-clock time did not
    assert {s.zoom_meeting_id for s in sessions} == {series.zoom_meeting_id}
    assert series.zoom_meeting.recurring
    assert series.supervisor_agreement_at is not None
    # Each member gets the series once, not one invite per occurrence.
    invites = db.session.execute(select(Invite)).scalars().all()
    assert len(invites) == 5 and {i.calendar_uid for i in invites} == {series.calendar_uid}
    # Centring practices rotate over the sessions.
    assert len({s.centring_variant % 3 for s in sessions}) == 3


def test_every_two_weeks_until_a_date(app, actor):
    group = make_group(actor)
    first = next_weekday(3, weeks_ahead=2)
    plan = scheduling.SeriesPlan(first_date=first, local_time=time(19, 0), interval_weeks=2,
                                 until_date=first + timedelta(weeks=9))
    series = scheduling.schedule_series(group, plan, actor)
    assert [s.starts_at.astimezone(TORONTO).date() for s in series.sessions] == [
        first + timedelta(weeks=2 * i) for i in range(5)]


def test_working_hours_need_the_supervisors_agreement(app, actor):
    group = make_group(actor)
    tuesday_noon = datetime.combine(next_weekday(1), time(12, 0))
    with pytest.raises(DomainError) as error:
        scheduling.schedule_session(group, SessionKind.REGULAR, tuesday_noon, 30, actor)
    assert [v.code for v in error.value.violations] == ["supervisor_agreement_required"]
    assert "accord des personnes à qui les membres se rapportent" in error.value.messages("fr")[0]
    assert db.session.execute(select(GroupSession)).first() is None  # nothing half-written
    session = scheduling.schedule_session(group, SessionKind.REGULAR, tuesday_noon, 30, actor,
                                          supervisor_agreement=True)
    assert session.supervisor_agreement_at is not None


def test_no_session_in_the_past(app, actor):
    group = make_group(actor)
    with pytest.raises(DomainError) as error:
        scheduling.schedule_session(group, SessionKind.REGULAR, datetime.now() - timedelta(days=1), 30, actor,
                                    supervisor_agreement=True)
    assert "start_in_past" in [v.code for v in error.value.violations]


def test_a_group_without_anyone_to_moderate_cannot_meet(app, actor):
    group = make_group(actor, trained=0)
    with pytest.raises(DomainError) as error:
        scheduling.schedule_session(group, SessionKind.KICKOFF, evening(next_weekday(2)), 60, actor)
    assert [v.code for v in error.value.violations] == ["no_moderator"]


def test_external_moderator_leads_the_first_sessions_then_trained_members_rotate(app, actor):
    draft = GroupDraft(
        name="Urgence", language="fr", timezone="America/Toronto", members=member_drafts(6, trained=2),
        external_moderator=MemberDraft("Martine Externe", "martine@cmha.ca", consent_already_given=True), external_moderator_sessions=2,
    )
    group = groups.create_group(draft, actor)
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF, evening(next_weekday(0)), 60, actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(0, 2), time(18, 30),
                                                                     occurrence_count=5), actor)
    moderators = [kickoff.moderator.display_name] + [s.moderator.display_name for s in series.sessions]
    trained = [m.display_name for m in group.active_members if m.is_trained_moderator]
    assert moderators == ["Martine Externe", "Martine Externe", trained[0], trained[1], trained[0], trained[1]]
    # The external moderator is not in the series: the occurrence they lead comes to them as its own event.
    external_invites = db.session.execute(
        select(Invite).join(Member).where(Member.email == "martine@cmha.ca")).scalars().all()
    assert {i.calendar_uid for i in external_invites} == {kickoff.calendar_uid, series.sessions[0].calendar_uid}


def test_rehearsal_invites_only_the_moderator(app, actor):
    group = make_group(actor)
    learner = group.active_members[3]
    session = scheduling.schedule_session(group, SessionKind.REHEARSAL, evening(next_weekday(4)), 5, actor,
                                          moderator=learner)
    invites = db.session.execute(select(Invite)).scalars().all()
    assert [i.member_id for i in invites] == [learner.id]
    assert session.moderator_id == learner.id and session.duration_minutes == 5


def test_rescheduling_moves_prompts_and_raises_the_sequence(app, actor, redis_client):
    group = make_group(actor)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, evening(next_weekday(2)), 30, actor)
    new_start = evening(next_weekday(3))
    scheduling.reschedule_session(session, new_start, 45, actor)
    assert session.starts_at == new_start.replace(tzinfo=TORONTO).astimezone(UTC)
    assert session.calendar_sequence == 1
    prompts = sorted(session.prompts, key=lambda p: p.offset_seconds)
    assert prompts[0].due_at == session.starts_at and prompts[-1].expires_at == session.ends_at
    updates = db.session.execute(select(Invite).where(Invite.sequence == 1)).scalars().all()
    assert len(updates) == 6 and {i.method for i in updates} == {InviteMethod.REQUEST}
    assert session.zoom_meeting.status is MeetingStatus.PENDING


def test_moving_one_occurrence_addresses_it_by_recurrence_id(app, actor):
    group = make_group(actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(18, 0),
                                                                     occurrence_count=4), actor)
    third = series.sessions[2]
    original = third.original_starts_at
    scheduling.reschedule_session(third, evening(next_weekday(2, 2) + timedelta(days=1)), None, actor)
    assert third.original_starts_at == original
    overrides = db.session.execute(select(Invite).where(Invite.recurrence_key != "")).scalars().all()
    assert len(overrides) == 6
    assert {i.recurrence_key for i in overrides} == {original.strftime("%Y%m%dT%H%M%SZ")}
    assert all(i.sequence > series.calendar_sequence for i in overrides)


def test_cancelling_an_occurrence_and_then_the_series(app, actor):
    group = make_group(actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(18, 0),
                                                                     occurrence_count=3), actor)
    first = series.sessions[0]
    scheduling.cancel_session(first, actor)
    assert first.status is SessionStatus.CANCELLED
    assert all(p.status is PromptStatus.SKIPPED for p in first.prompts)
    cancels = db.session.execute(select(Invite).where(Invite.method == InviteMethod.CANCEL)).scalars().all()
    assert len(cancels) == 6 and all(i.recurrence_key for i in cancels)

    scheduling.cancel_series(series, actor)
    assert all(s.status is SessionStatus.CANCELLED for s in series.sessions)
    whole = db.session.execute(select(Invite).where(Invite.method == InviteMethod.CANCEL,
                                                    Invite.recurrence_key == "")).scalars().all()
    assert len(whole) == 6 and all(i.sequence == series.calendar_sequence for i in whole)
    with pytest.raises(DomainError):
        scheduling.reschedule_session(series.sessions[1], evening(next_weekday(5)), None, actor)


def test_a_member_who_leaves_gets_a_cancellation_and_the_one_who_joins_gets_the_series(app, actor):
    group = make_group(actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(18, 0),
                                                                     occurrence_count=3), actor)
    leaving = group.active_members[2]
    groups.member_leaves(leaving, actor)
    assert leaving.status is MemberStatus.LEFT
    cancel = db.session.execute(select(Invite).where(Invite.member_id == leaving.id,
                                                     Invite.method == InviteMethod.CANCEL)).scalar_one()
    assert cancel.calendar_uid == series.calendar_uid

    newcomer = groups.add_member(group, MemberDraft("Nora Nouvelle", "nora@exemple.ca", consent_already_given=True),
                                 actor)
    invite = db.session.execute(select(Invite).where(Invite.member_id == newcomer.id)).scalar_one()
    assert invite.calendar_uid == series.calendar_uid and invite.method is InviteMethod.REQUEST


def test_adding_a_manager_of_a_member_is_refused(app, actor):
    group = make_group(actor)
    manager_email = group.active_members[0].reports_to_email
    with pytest.raises(DomainError) as error:
        groups.add_member(group, MemberDraft("Gé Rante", manager_email.upper()), actor)
    assert [v.code for v in error.value.violations] == ["hierarchy_in_group"]


def test_deleting_a_group_cancels_then_removes_all_personal_data(app, actor):
    group = make_group(actor)
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(18, 0), occurrence_count=3), actor)
    group_id = group.id
    groups.delete_group(group, actor)
    assert db.session.execute(select(Invite).where(Invite.method == InviteMethod.CANCEL)).scalars().all()
    assert not purge_group(group_id)  # cancellations still on their way
    assert purge_group(group_id, now=now_utc() + timedelta(hours=2))
    db.session.expire_all()
    for model in (Member, Invite, GroupSession, Prompt, ZoomMeeting):
        assert db.session.execute(select(model)).first() is None, model
    trail = db.session.execute(select(AuditEvent)).scalars().all()
    assert [e.action for e in trail][-2:] == ["group.deleted", "group.purged"]
    for event in trail:  # the audit trail names no one
        assert "@" not in repr(event.details)


def test_times_come_back_aware_utc(app, actor):
    group = make_group(actor)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, evening(next_weekday(5)), 30, actor)
    session_id = session.id
    db.session.expire_all()
    reloaded = db.session.get(GroupSession, session_id)
    assert reloaded.starts_at.tzinfo is not None and reloaded.starts_at.utcoffset() == timedelta(0)
    with pytest.raises(Exception):
        reloaded.starts_at = datetime(2030, 1, 1, 12, 0)  # naive: refused at flush
        db.session.flush()
    db.session.rollback()
