"""Statuses that read as what is happening, not as failures (issue 17, item 7): an update on its way after a move,
prompts « to come » before a session, a session over (with its prompts and the follow-up flag), and a series'
shared statuses shown once."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select, update

from service.domain import overview, scheduling
from service.domain.clock import now_utc
from service.extensions import db
from service.models import GroupSession, Invite, InviteStatus, MeetingStatus, Prompt, PromptStatus, SessionStatus
from service.protocol import SessionKind
from tests.coordinator_helpers import log_in
from tests.factories import make_group
from tests.test_scheduling import next_weekday


@pytest.fixture
def group(actor):
    return make_group(actor, members=6)


def _delivered(meeting) -> None:
    """What the worker leaves behind once the meeting is created and every invitation went out."""
    meeting.status, meeting.join_url = MeetingStatus.READY, "https://zoom.example/j/1"
    db.session.execute(update(Invite).where(Invite.status == InviteStatus.PENDING)
                       .values(status=InviteStatus.SENT, sent_at=now_utc()))
    db.session.commit()


def test_after_a_move_the_invitations_say_an_update_is_on_its_way(group, actor):
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    _delivered(session.zoom_meeting)
    assert overview.session_view(session).invites.code == "sent"
    scheduling.reschedule_session(session, datetime.combine(next_weekday(3), time(19)), 30, actor)
    view = overview.session_view(session)
    assert view.invites.code == "updating" and view.invites.tone == "waiting"
    assert view.invites.text("fr") == ("Invitations à jour : 0 sur 6 — la mise à jour part dès que la réunion Zoom "
                                       "est à jour")
    assert "the update goes out as soon as the Zoom meeting is updated" in view.invites.text("en")
    session.zoom_meeting.status = MeetingStatus.READY
    assert overview.session_view(session).invites.text("fr").endswith("la mise à jour est en cours d’envoi")


def test_a_moved_occurrence_of_a_series_is_an_update_too(group, actor):
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=3),
                                        actor)
    _delivered(series.zoom_meeting)
    second = series.sessions[1]
    scheduling.reschedule_session(second, datetime.combine(next_weekday(3, 2), time(18)), 30, actor)
    assert overview.session_view(second).invites.code == "updating"
    assert overview.session_view(series.sessions[0]).invites.code == "sent"


def test_a_first_invitation_still_reads_as_a_first_sending(group, actor):
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    assert overview.session_view(session).invites.code == "waiting_for_meeting"


def test_prompts_are_to_come_before_the_session_and_counted_after(group, actor):
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    upcoming = overview.session_view(session).prompts
    assert upcoming.code == "upcoming" and upcoming.text("en").endswith(" to come")
    assert "0 sur" not in upcoming.text("fr")


def _ended(session: GroupSession, follow_up: bool) -> None:
    """A session that took place: its start pushed back into the past, its prompts posted, ended by its moderator."""
    shift = session.starts_at - (now_utc() - timedelta(hours=2))
    session.starts_at -= shift
    session.actual_started_at, session.actual_ended_at = session.starts_at, session.ends_at
    session.status, session.follow_up_needed = SessionStatus.ENDED, follow_up
    session.zoom_meeting.status = MeetingStatus.READY
    db.session.execute(update(Prompt).where(Prompt.session_id == session.id)
                       .values(status=PromptStatus.POSTED, posted_at=now_utc()))
    db.session.commit()


def test_an_ended_session_says_it_ended_how_it_went_and_whether_follow_up_is_asked(client, coordinator, group,
                                                                                   actor):
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    _ended(session, follow_up=True)
    view = overview.session_view(session)
    assert (view.meeting.code, view.prompts.code, view.prompts.tone) == ("ended", "posted", "ok")
    assert view.follow_up is not None and view.follow_up.text("fr") == "Suivi demandé par la personne modératrice"
    log_in(client)
    page = client.get(f"/coordination/groupes/{group.id}?all=1").get_data(as_text=True)
    assert "Réunion Zoom prête" not in page
    assert "Rencontre terminée" in page and "Suivi demandé par la personne modératrice" in page
    detail = client.get(f"/coordination/groupes/{group.id}/rencontres/{session.id}").get_data(as_text=True)
    assert "Rencontre terminée" in detail and "prenez des nouvelles du groupe" in detail
    groups = client.get("/coordination/").get_data(as_text=True)
    assert "Suivi demandé après 1 rencontre" in groups
    posted = db.session.execute(select(Prompt).where(Prompt.session_id == session.id)).scalars().all()
    assert view.prompts.params["posted"] == view.prompts.params["total"] > 0 and posted


def test_an_ended_session_without_follow_up_says_so(client, coordinator, group, actor):
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    _ended(session, follow_up=False)
    assert overview.session_view(session).follow_up is None
    log_in(client)
    detail = client.get(f"/coordination/groupes/{group.id}/rencontres/{session.id}").get_data(as_text=True)
    assert "Aucun suivi demandé." in detail


def test_a_series_shows_its_meeting_and_invitations_once_and_a_row_that_differs_on_its_own(client, coordinator,
                                                                                           group, actor):
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=4),
                                        actor)
    _delivered(series.zoom_meeting)
    scheduling.reschedule_session(series.sessions[2], datetime.combine(next_weekday(4, 3), time(18)), 30, actor)
    series.zoom_meeting.status = MeetingStatus.READY  # the worker updated the occurrence in Zoom
    db.session.commit()
    log_in(client)
    page = client.get(f"/coordination/groupes/{group.id}").get_data(as_text=True)
    assert page.count("data-series-status") == 1 and "Série : chaque semaine, le" in page
    assert page.count("Réunion Zoom prête") == 2  # the series' line, and the moved occurrence's own row
    assert page.count("data-same-as-series") == 3
    assert page.count("la mise à jour est en cours d’envoi") == 1
