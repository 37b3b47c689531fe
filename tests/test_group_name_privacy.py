"""The group's name is for coordinators only (issue 17, item 1).

The form promises « Un nom que seules les personnes coordonnatrices voient »: a group called « Deuil — urgence »
must not say so to its members. Every surface a participant or a moderator reads is checked here — their pages,
the console's state, the e-mails and invitations, the calendar file, the Zoom topic, the chat prompts — with the
default neutral titles; with named titles the name is in the calendar title (and the subject that repeats it) only.
"""

from __future__ import annotations

from datetime import datetime, time

import pytest

from service import links
from service.domain import scheduling
from service.domain.timelines import timeline_for
from service.domain.titles import event_title
from service.extensions import db
from service.models import Group
from service.protocol import SessionKind
from tests.factories import make_group
from tests.fixtures.invites import make_ready, run_mail_jobs
from tests.test_scheduling import next_weekday

SECRET_NAME = "Deuil — urgence"


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def schedule(actor, **options):
    group = make_group(actor, members=4, name=SECRET_NAME, **options)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    return group, session


def readable_text(received) -> str:
    """Everything a person can read in one e-mail: its headers and every part, decoded."""
    message = received.message
    parts = [f"{name}: {value}" for name, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "multipart":
            continue
        payload = part.get_payload(decode=True) or b""
        parts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return "\n".join(parts).replace("\r\n ", "").replace("\n ", "")  # iCalendar's folded lines, unfolded


def pages_for(client, settings, group: Group, session) -> dict[str, str]:
    pages = {}
    for member in group.active_members:
        token = links.participant_token(settings, member)
        pages[f"page {member.id}"] = client.get(f"/p/{token}").get_data(as_text=True)
        pages[f"ics {member.id}"] = client.get(f"/p/{token}/agenda.ics").get_data(as_text=True)
        pages[f"leave {member.id}"] = client.get(f"/p/{token}/leave").get_data(as_text=True)
    console = links.console_token(settings, session.moderator, session)
    pages["console"] = client.get(f"/m/{console}").get_data(as_text=True)
    pages["console state"] = client.get(f"/m/{console}/state").get_data(as_text=True)
    return pages


def test_with_neutral_titles_no_member_ever_reads_the_groups_name(app, client, actor, settings, smtp):
    group, session = schedule(actor)
    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    assert len(smtp.received) == 4
    for received in smtp.received:
        assert SECRET_NAME not in readable_text(received)
        assert "Deuil" not in readable_text(received)
    for surface, text in pages_for(client, settings, group, session).items():
        assert SECRET_NAME not in text and "Deuil" not in text, surface
    assert "Votre groupe" in pages_for(client, settings, group, session)["console"]
    assert event_title(group, session.kind, "fr") == "Rencontre d’équipe"  # the Zoom topic and calendar title
    for language in ("fr", "en"):
        for step in timeline_for(session, language).steps:  # what the chat receives
            assert "Deuil" not in (step.chat_text or "") + step.moderator_text


def test_with_named_titles_the_name_is_in_the_calendar_title_only(app, client, actor, settings, smtp):
    group, session = schedule(actor, neutral_invite_title=False)
    make_ready(session.zoom_meeting)
    run_mail_jobs(app)
    title = event_title(group, session.kind, "fr")
    assert SECRET_NAME in title
    for received in smtp.received:
        text = readable_text(received).replace(title, "")
        assert SECRET_NAME not in text  # once the title is taken out, nothing else names the group
    db.session.expire_all()
    for surface, text in pages_for(client, settings, group, session).items():
        if not surface.startswith("ics"):
            assert SECRET_NAME not in text, surface
