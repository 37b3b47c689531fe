"""A newcomer's first ten minutes (issue 17, items 20 and 21): a way in for coordinators from the home page,
``flask demo`` and what it prints, and ``create-coordinator`` never moving someone silently."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from service.domain.clock import now_utc
from service.extensions import db
from service.models import AuditEvent, Coordinator, Group, GroupSession, Organisation
from service.protocol import SessionKind
from tests.coordinator_helpers import log_in


def test_the_home_page_leads_coordinators_to_their_login(client):
    page = client.get("/").get_data(as_text=True)
    assert page.count('href="/coordination/"') == 2 and "Espace de coordination : se connecter" in page
    response = client.get("/coordination/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/coordination/connexion")


def test_flask_demo_creates_a_rehearsal_in_two_minutes_and_prints_links_that_open(runner, client, app):
    before = now_utc()
    result = runner.invoke(args=["demo", "--wait", "0"])
    assert result.exit_code == 0, result.output
    output = result.output
    session = db.session.execute(select(GroupSession)).scalar_one()
    assert session.kind is SessionKind.REHEARSAL
    assert timedelta(minutes=1, seconds=50) <= session.starts_at - before <= timedelta(minutes=2, seconds=10)
    group = db.session.get(Group, session.group_id)
    assert db.session.get(Organisation, group.organisation_id).name == "Organisation de démonstration"
    assert len(group.active_members) == 4

    urls = dict(re.findall(r"^(\d)\. .*?(https?://\S+)", output, re.M))
    base = "http://127.0.0.1:5000"  # BASE_URL in the tests' settings
    assert urls["1"] == f"{base}/coordination/groupes/{group.id}"
    assert f"Log in first at {base}/coordination/connexion" in output and "coordination.demo@exemple.ca" in output
    assert "/_sandbox" not in output and re.search(r"4\. The sandbox meeting.*listed at http://127\.0\.0\.1:\d+/",
                                                   output)
    # Each link opens: the console and the participant page by their signed token, the group after logging in.
    assert client.get(urls["2"].removeprefix(base)).status_code == 200
    participant = client.get(urls["3"].removeprefix(base)).get_data(as_text=True)
    assert "Quitter le groupe" in participant
    log_in(client, "coordination.demo@exemple.ca")
    assert client.get(urls["1"].removeprefix(base)).status_code == 200
    assert re.search(r"API token for coordination\.demo@exemple\.ca \(shown once\): ep_\S+", output)


def test_the_demo_finds_the_meeting_page_once_a_worker_has_made_it(runner, app):
    from service.demo import wait_for_meeting
    from service.models import MeetingStatus

    assert runner.invoke(args=["demo", "--wait", "0"]).exit_code == 0
    session = db.session.execute(select(GroupSession)).scalar_one()
    assert wait_for_meeting(session.id, 0) is None  # no worker here: the meeting is still being prepared
    session.zoom_meeting.status, session.zoom_meeting.join_url = MeetingStatus.READY, "http://127.0.0.1:8765/j/42?pwd=x"
    db.session.commit()
    assert wait_for_meeting(session.id, 0) == "http://127.0.0.1:8765/j/42?pwd=x"


def test_create_coordinator_says_it_keeps_someone_in_their_organisation_unless_asked_to_move(runner, app):
    assert runner.invoke(args=["create-coordinator", "camille@exemple.ca", "--organisation", "CISSS A"]).exit_code == 0
    result = runner.invoke(args=["create-coordinator", "camille@exemple.ca", "--organisation", "CISSS B"])
    assert result.exit_code == 0
    assert "already coordinates in organisation" in result.stderr and "(CISSS A) and stays there" in result.stderr
    assert "--move" in result.stderr
    camille = db.session.execute(select(Coordinator)).scalar_one()
    assert camille.organisation.name == "CISSS A"

    moved = runner.invoke(args=["create-coordinator", "camille@exemple.ca", "--organisation", "CISSS B", "--move"])
    assert moved.exit_code == 0 and "Moved from organisation" in moved.stderr and "(CISSS A)" in moved.stderr
    db.session.expire_all()
    camille = db.session.execute(select(Coordinator)).scalar_one()
    assert camille.organisation.name == "CISSS B"
    assert db.session.execute(select(Organisation).where(Organisation.name == "CISSS A")).scalar_one() is not None
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "coordinator.moved")).scalar_one()
    assert event.target_id == camille.id
    # The same organisation named again: nothing to say.
    again = runner.invoke(args=["create-coordinator", "camille@exemple.ca", "--organisation", "CISSS B"])
    assert "already coordinates" not in again.stderr and "Moved" not in again.stderr
