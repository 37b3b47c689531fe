"""Personal data goes once it no longer serves; records of long-past sessions are dropped."""

from datetime import datetime, time, timedelta

from sqlalchemy import func, select, update

from service.domain import groups, retention, scheduling
from service.domain.clock import now_utc
from service.extensions import db
from service.models import Group, Invite, InviteStatus, MeetingStatus, Member, Prompt, ZoomMeeting
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday


def count(model):
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_departed_member_is_forgotten_once_the_cancellation_is_out(app, actor):
    group = make_group(actor)
    scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)), 30, actor)
    leaving = group.active_members[0]
    leaving_id = leaving.id
    groups.member_leaves(leaving, actor)
    later = now_utc() + timedelta(days=2)
    assert retention.run(later, 90).members_forgotten == 0  # the cancellation is still pending
    db.session.execute(update(Invite).where(Invite.member_id == leaving_id).values(status=InviteStatus.SENT))
    db.session.commit()
    assert retention.run(later, 90).members_forgotten == 1
    assert db.session.get(Member, leaving_id) is None
    assert count(Member) == 5


def test_old_records_are_dropped_and_deleting_groups_purged(app, actor):
    group = make_group(actor)
    scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)), 30, actor)
    db.session.execute(update(Invite).values(status=InviteStatus.SENT))
    db.session.commit()
    assert retention.run(now_utc(), 90).prompts_deleted == 0
    report = retention.run(now_utc() + timedelta(days=120), 90)
    assert report.prompts_deleted == 8 and report.invites_deleted == 6
    assert count(Prompt) == 0
    groups.delete_group(group, actor)
    assert retention.run(now_utc(), 90).groups_purged == 0  # cancellations and the Zoom deletion pending
    # The worker sent the cancellations and deleted the meeting in Zoom.
    db.session.execute(update(Invite).values(status=InviteStatus.SENT))
    db.session.execute(update(ZoomMeeting).values(status=MeetingStatus.DELETED))
    db.session.commit()
    assert retention.run(now_utc(), 90).groups_purged == 1
    assert count(Group) == 0 and count(Member) == 0


def test_invitation_rows_stay_while_their_event_is_ahead(app, actor):
    """A long series outlives the retention period: its rows must stay, or a member leaving in month four would
    keep the series in their calendar (nobody would know they hold it)."""
    group = make_group(actor)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=30),
                                        actor)
    db.session.execute(update(Invite).values(status=InviteStatus.SENT))
    db.session.commit()
    months_later = now_utc() + timedelta(days=120)
    assert retention.run(months_later, 90).invites_deleted == 0
    leaving = group.active_members[1]
    groups.member_leaves(leaving, actor)
    cancel = db.session.execute(select(Invite).where(Invite.member_id == leaving.id,
                                                     Invite.method == "CANCEL")).scalar_one()
    assert cancel.calendar_uid == series.calendar_uid
    assert retention.run(now_utc() + timedelta(weeks=30 + 14), 90).invites_deleted > 0  # all over by then
