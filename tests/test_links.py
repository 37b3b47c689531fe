"""Personal links are signed, scoped to their purpose and session, and revoked when a member leaves."""

from datetime import datetime, time, timedelta

import pytest

from service import links
from service.domain import groups, scheduling
from service.domain.clock import now_utc
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday


@pytest.fixture
def planned(app, actor):
    group = make_group(actor)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    return group, session


def test_participant_link_round_trip_and_revocation(planned, settings, actor):
    group, _ = planned
    member = group.active_members[1]
    url = links.participant_url(settings, member)
    assert url.startswith(settings.BASE_URL + "/p/")
    token = url.rsplit("/", 1)[1]
    assert links.member_from_participant_token(settings, token) == member
    with pytest.raises(links.InvalidLink):
        links.member_from_participant_token(settings, token[:-2] + "xx")
    with pytest.raises(links.InvalidLink):  # a console token is no participant token
        links.member_from_participant_token(settings, links.console_token(settings, member, planned[1]))
    groups.member_leaves(member, actor)
    with pytest.raises(links.InvalidLink):
        links.member_from_participant_token(settings, token)


def test_console_link_only_for_the_sessions_moderator_and_expires(planned, settings):
    group, session = planned
    moderator = session.moderator
    token = links.console_token(settings, moderator, session)
    access = links.console_access(settings, token, now_utc())
    assert access.session == session and access.member == moderator
    someone_else = next(m for m in group.active_members if m.id != moderator.id)
    with pytest.raises(links.InvalidLink):
        links.console_access(settings, links.console_token(settings, someone_else, session), now_utc())
    late = session.ends_at + timedelta(days=settings.LINK_VALID_DAYS_AFTER_SESSION, minutes=1)
    with pytest.raises(links.InvalidLink):
        links.console_access(settings, token, late)
