"""The participant's page: their next session in their language, how to join, the agenda, resources, and leaving."""

from datetime import datetime, time

import pytest
from flask_babel import refresh

from service import links
from service.domain import scheduling
from service.extensions import db
from service.models import Invite, InviteMethod, MeetingStatus, MemberStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.test_scheduling import next_weekday


@pytest.fixture
def group(app, actor):
    group = make_group(actor)
    scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)), 30, actor)
    return group


def member_and_token(group, settings, index=2, language=None):
    member = group.active_members[index]
    if language:
        member.language = language
        db.session.commit()
    return member, links.participant_token(settings, member)


def test_page_shows_the_next_session_the_agenda_and_resources_and_nobody_else(client, group, settings):
    member, token = member_and_token(group, settings)
    page = client.get(f"/p/{token}").get_data(as_text=True)
    session = group_session(group)
    assert '<html lang="fr">' in page
    assert "Votre prochaine rencontre" in page and "19\u00a0h\u00a000" in page and "19\u00a0h\u00a030" in page
    assert "heure normale de l’Est" in page or "heure avancée de l’Est" in page
    assert "Le lien pour rejoindre la rencontre apparaîtra ici" in page  # the meeting is not created yet
    assert "Que trouvez-vous le plus difficile?" in page and "19\u00a0h\u00a003" in page  # the agenda with clock times
    assert "9-8-8" in page and "Quitter le groupe" in page
    others = [m for m in group.members if m.id != member.id]
    for other in others:
        assert other.email not in page and other.display_name not in page and other.first_name not in page
    assert "par personne" not in page  # nothing that reveals the group's size either
    assert session.moderator_id != member.id and "/m/" not in page  # the console link is the moderator's alone


def test_a_member_who_switches_language_reads_the_whole_page_in_it_help_resources_included(client, group, settings):
    member, token = member_and_token(group, settings, language="fr")
    page = client.get(f"/p/{token}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page and "Your next session" in page
    assert "Suicide Crisis Helpline" in page and "Ligne d’aide en cas de crise de suicide" not in page
    assert "What do you find the most difficult?" in page and "Que trouvez-vous le plus difficile?" not in page
    assert f'href="/p/{token}/leave?lang=en"' in page  # the page's own links keep the chosen language
    refresh()  # the test's app context outlives the request: forget the locale flask-babel cached in it
    leave = client.get(f"/p/{token}/leave?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in leave and f'class="language-switch" href="/p/{token}/leave?lang=fr"' in leave
    refresh()
    again = client.get(f"/p/{token}?lang=fr").get_data(as_text=True)
    assert "Ligne d’aide en cas de crise de suicide" in again and "Suicide Crisis Helpline" not in again


def group_session(group):
    return scheduling.upcoming_sessions(group)[0]


def test_page_in_the_members_language_with_the_join_button_once_ready(client, group, settings):
    member, token = member_and_token(group, settings, language="en")
    meeting = group_session(group).zoom_meeting
    meeting.status, meeting.join_url = MeetingStatus.READY, "https://zoom.example/j/123?pwd=abc"
    db.session.commit()
    page = client.get(f"/p/{token}").get_data(as_text=True).replace("\u202f", " ")  # Babel's narrow spaces
    assert '<html lang="en">' in page and "Your next session" in page and "7:00\u00a0p.m." in page
    assert 'href="https://zoom.example/j/123?pwd=abc"' in page and "Join the session on Zoom" in page
    assert "What do you find the most difficult?" in page


def test_the_moderator_finds_their_console_on_their_own_page(client, group, settings):
    session = group_session(group)
    token = links.participant_token(settings, session.moderator)
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert links.console_url(settings, session.moderator, session) in page


def test_leaving_takes_one_click_and_a_confirmation_and_cancels_future_invites(client, group, settings):
    member, token = member_and_token(group, settings)
    page = client.get(f"/p/{token}").get_data(as_text=True)
    assert f'href="/p/{token}/leave"' in page
    confirm = client.get(f"/p/{token}/leave").get_data(as_text=True)
    assert "Oui, quitter le groupe" in confirm and "raison" in confirm and "<textarea" not in confirm
    response = client.post(f"/p/{token}/leave")
    assert response.status_code == 303 and response.headers["Location"].startswith("/left")
    farewell = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vous avez quitté le groupe" in farewell and "9-8-8" in farewell
    db.session.expire_all()
    assert member.status is MemberStatus.LEFT
    cancels = db.session.query(Invite).filter_by(member_id=member.id, method=InviteMethod.CANCEL).all()
    assert len(cancels) == 1
    assert client.get(f"/p/{token}").status_code == 410  # the personal link stops working
    assert client.post(f"/p/{token}/leave").status_code == 410


def test_a_forged_link_gets_the_calm_page(client, group, settings):
    _, token = member_and_token(group, settings)
    response = client.get(f"/p/{token[:-4]}abcd")
    assert response.status_code == 410 and "Ce lien n’est plus valide" in response.get_data(as_text=True)
