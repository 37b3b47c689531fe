"""The coordinator's pages: forming a group, the rules on its fields, scheduling, following, changing."""

from __future__ import annotations

import re
from datetime import time

import pytest
from sqlalchemy import select

from service.domain import access, overview
from service.extensions import db
from service.models import (
    AuditEvent,
    Coordinator,
    Group,
    GroupStatus,
    Invite,
    InviteMethod,
    InviteStatus,
    MeetingStatus,
    Member,
    MemberStatus,
    SessionSeries,
    SessionStatus,
)
from tests.coordinator_helpers import close_app, created_group_id, error_summary_links, group_form, log_in
from tests.factories import make_group
from tests.test_scheduling import next_weekday


def test_pages_ask_to_log_in_first(client):
    response = client.get("/coordination/groupes/nouveau")
    assert response.status_code == 302
    assert response.headers["Location"] == "/coordination/connexion?next=/coordination/groupes/nouveau"
    page = client.get("/coordination/connexion").get_data(as_text=True)
    assert "Connexion locale (développement)" in page


def test_a_hierarchy_conflict_is_shown_on_its_field_then_fixed(signed_in):
    # Members typed on rows 0-3 and 5 (row 4 left blank): the page comes back with the rows packed together.
    data = group_form(rows=[0, 1, 2, 3, 5])
    data["members-5-reports_to_email"] = "personne1@exemple.ca"
    response = signed_in.post("/coordination/groupes/nouveau", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error_summary_links(page) == ["members-4-reports_to_email"]
    assert "Personne 4 Test relève de Personne 1 Test, qui fait aussi partie du groupe" in page
    field = re.search(r'<input[^>]*id="members-4-reports_to_email"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and "members-4-reports_to_email-error" in field
    assert 'value="personne4@exemple.ca"' in page and 'name="members-6-email"' in page  # + blank rows
    assert db.session.execute(select(Group)).first() is None

    data["members-5-reports_to_email"] = "direction@exemple.ca"
    response = signed_in.post("/coordination/groupes/nouveau", data=data)
    assert response.status_code == 302
    group = db.session.get(Group, created_group_id(response))
    assert response.headers["Location"].endswith(f"/groupes/{group.id}/planifier")
    assert [m.email for m in group.active_members] == [f"personne{i}@exemple.ca" for i in range(5)]
    assert [link.coordinator_id for link in group.coordinator_links] == [1]


def test_the_live_check_answers_with_the_same_rules_by_field(signed_in):
    # The browser's rows are named as the browser named them, gaps included.
    data = group_form(members=3, rows=[0, 2, 3])
    data["members-3-email"] = "pas-une-adresse"
    data["members-1-email"] = ""
    result = signed_in.post("/coordination/groupes/verifier", data=data).get_json()
    assert set(result["errors"]) == {"members-3-email", "size_exception_confirmed"}
    assert "prenom.nom@exemple.ca" in result["errors"]["members-3-email"][0]
    assert db.session.execute(select(Group)).first() is None


def test_the_size_rule_points_at_the_member_list(signed_in):
    response = signed_in.post("/coordination/groupes/nouveau", data=group_form(members=2))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "members" in error_summary_links(page)
    assert "celui-ci en compte 2" in page


def test_without_javascript_a_button_adds_an_empty_row(signed_in):
    data = group_form(members=6)
    data["add_row"] = "Ajouter une personne"
    response = signed_in.post("/coordination/groupes/nouveau", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="members-8-email"' in page  # six people, then blank rows to type into
    assert db.session.execute(select(Group)).first() is None


def test_schedule_a_kickoff_and_a_weekly_series_then_follow_them(signed_in):
    group_id = created_group_id(signed_in.post("/coordination/groupes/nouveau", data=group_form(members=5)))
    evening = next_weekday(1).isoformat()
    response = signed_in.post(f"/coordination/groupes/{group_id}/planifier", data={
        "which": "kickoff", "kickoff-starts_on": evening, "kickoff-at": "18:30", "kickoff-duration_minutes": "60"})
    assert response.status_code == 302

    series = {"which": "series", "series-weekday": "2", "series-starts_on": next_weekday(0, 2).isoformat(),
              "series-at": "12:15", "series-interval_weeks": "1", "series-duration_minutes": "30",
              "series-occurrence_count": "6"}
    response = signed_in.post(f"/coordination/groupes/{group_id}/planifier", data=series)
    assert response.status_code == 422
    assert error_summary_links(response.get_data(as_text=True)) == ["series-supervisor_agreement"]
    # The dates are shown first; « Planifier » saves what was shown.
    response = signed_in.post(f"/coordination/groupes/{group_id}/planifier",
                              data={**series, "series-supervisor_agreement": "y"})
    assert response.status_code == 200 and response.get_data(as_text=True).count("data-occurrence=") == 6
    previewed = re.search(r'name="series-previewed" type="hidden" value="(\w+)"', response.get_data(as_text=True))
    response = signed_in.post(f"/coordination/groupes/{group_id}/planifier",
                              data={**series, "series-supervisor_agreement": "y",
                                    "series-previewed": previewed.group(1), "series-submit": "Planifier"})
    assert response.status_code == 302

    plan = db.session.execute(select(SessionSeries)).scalar_one()
    assert plan.weekday == 2 and plan.local_time == time(12, 15) and plan.supervisor_agreement_at is not None
    assert len(plan.sessions) == 6
    page = signed_in.get(f"/coordination/groupes/{group_id}").get_data(as_text=True)
    # The kick-off's statuses, then the series' once (one meeting, one invitation each), not on its six rows.
    assert page.count("Réunion Zoom en préparation") == 2 and page.count("data-same-as-series") == 6
    assert page.count("Invitations envoyées : 0 sur 5 — les autres partent dès que la réunion Zoom est prête") == 2
    assert "Rencontre de démarrage" in page and "18\u00a0h\u00a030" in page and "12\u00a0h\u00a015" in page

    # The table refreshes itself cheaply: unchanged -> 304; a meeting becoming ready changes it.
    fragment = signed_in.get(f"/coordination/groupes/{group_id}/rencontres")
    etag = fragment.headers["ETag"]
    assert signed_in.get(f"/coordination/groupes/{group_id}/rencontres",
                         headers={"If-None-Match": etag}).status_code == 304
    plan.zoom_meeting.status = MeetingStatus.READY
    db.session.commit()
    refreshed = signed_in.get(f"/coordination/groupes/{group_id}/rencontres", headers={"If-None-Match": etag})
    assert refreshed.status_code == 200 and "Réunion Zoom prête" in refreshed.get_data(as_text=True)


def test_a_bad_date_or_time_is_explained_on_its_field(signed_in, actor):
    group = make_group(actor)
    response = signed_in.post(f"/coordination/groupes/{group.id}/planifier", data={
        "which": "single", "single-kind": "regular", "single-starts_on": "17/03/2030", "single-at": "25:00",
        "single-duration_minutes": "trente", "single-moderator": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_summary_links(page) == ["single-starts_on", "single-at", "single-duration_minutes"]
    assert "par exemple 2026-03-17" in page


def test_another_coordinators_group_is_not_found(client, coordinator, actor):
    group = make_group(actor)
    colleague = Coordinator(organisation_id=coordinator.organisation_id, email="collegue@exemple.ca",
                            display_name="Collègue")
    db.session.add(colleague)
    db.session.commit()
    log_in(client, "collegue@exemple.ca")
    for path in (f"/coordination/groupes/{group.id}", f"/coordination/groupes/{group.id}/modifier",
                 f"/coordination/groupes/{group.id}/planifier", f"/coordination/groupes/{group.id}/rencontres"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/coordination/groupes/{group.id}/supprimer", data={"confirm": "y"}).status_code == 404
    assert group.name not in client.get("/coordination/").get_data(as_text=True)

    access.share_group(group, "Collegue@exemple.ca", actor)
    assert client.get(f"/coordination/groupes/{group.id}").status_code == 200
    assert group.name in client.get("/coordination/").get_data(as_text=True)


def test_sharing_is_limited_to_the_same_organisation(signed_in, actor):
    group = make_group(actor)
    response = signed_in.post(f"/coordination/groupes/{group.id}/partage", data={"email": "inconnu@ailleurs.ca"})
    assert response.status_code == 422
    assert "Aucune personne coordonnatrice de votre organisation" in response.get_data(as_text=True)


def test_members_join_and_leave_at_any_time(signed_in, actor):
    group = make_group(actor, members=5)
    from service.domain import scheduling
    from service.protocol import SessionKind
    from datetime import datetime

    scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(3), time(19)), 30, actor)
    response = signed_in.post(f"/coordination/groupes/{group.id}/membres", data={
        "display_name": "Nouvelle Personne", "email": "nouvelle@exemple.ca", "language": "en",
        "consent_already_given": "y"})
    assert response.status_code == 302
    newcomer = db.session.execute(select(Member).where(Member.email == "nouvelle@exemple.ca")).scalar_one()
    assert db.session.execute(select(Invite).where(Invite.member_id == newcomer.id)).scalar_one().method \
        is InviteMethod.REQUEST

    # The same address twice is refused on the form's own field.
    response = signed_in.post(f"/coordination/groupes/{group.id}/membres", data={
        "display_name": "Encore", "email": "NOUVELLE@exemple.ca", "language": "fr"})
    assert response.status_code == 422
    assert error_summary_links(response.get_data(as_text=True)) == ["email"]

    response = signed_in.post(f"/coordination/groupes/{group.id}/membres/{newcomer.id}/depart")
    assert response.status_code == 302
    db.session.refresh(newcomer)
    assert newcomer.status is MemberStatus.LEFT
    methods = db.session.execute(select(Invite.method).where(Invite.member_id == newcomer.id)).scalars().all()
    assert sorted(m.value for m in methods) == ["CANCEL", "REQUEST"]


def test_edit_a_member_and_the_group_settings(signed_in, actor):
    group = make_group(actor, members=5)
    member = group.active_members[2]
    response = signed_in.post(f"/coordination/groupes/{group.id}/membres/{member.id}", data={
        "display_name": member.display_name, "email": member.email, "language": "fr",
        "reports_to_email": group.active_members[0].email})
    assert response.status_code == 422
    assert error_summary_links(response.get_data(as_text=True)) == ["reports_to_email"]

    response = signed_in.post(f"/coordination/groupes/{group.id}/modifier", data={
        "name": "Nouveau nom", "language": "en", "timezone": "America/Halifax", "neutral_invite_title": "y"})
    assert response.status_code == 302
    db.session.refresh(group)
    assert (group.name, group.language, group.timezone, group.chat_prompts_enabled) == (
        "Nouveau nom", "en", "America/Halifax", False)


def test_the_moderator_arrangement_can_change_and_replans_upcoming_sessions(signed_in, actor):
    from datetime import datetime

    from service.domain import scheduling
    from service.protocol import SessionKind

    group = make_group(actor, members=5, trained=2)
    first = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(1), time(19)),
                                        60, actor)
    assert first.moderator.role.value == "member"
    response = signed_in.post(f"/coordination/groupes/{group.id}/animation", data={
        "external_moderator-display_name": "Martine Externe", "external_moderator-email": "martine@acsm.ca",
        "external_moderator-language": "fr", "external_moderator_sessions": "2"})
    assert response.status_code == 302
    db.session.refresh(first)
    assert first.moderator.email == "martine@acsm.ca"
    assert group.external_moderator_sessions == 2


def test_session_actions_reschedule_moderator_resend_cancel(signed_in, actor):
    from datetime import datetime

    from service.domain import scheduling
    from service.protocol import SessionKind

    group = make_group(actor, members=5, trained=2)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    base = f"/coordination/groupes/{group.id}/rencontres/{session.id}"
    assert signed_in.get(base).status_code == 200

    new_day = next_weekday(4).isoformat()
    assert signed_in.post(f"{base}/deplacer", data={"starts_on": new_day, "at": "19:30",
                                                     "duration_minutes": "45"}).status_code == 302
    db.session.refresh(session)
    assert session.duration_minutes == 45

    other = group.active_members[1]
    assert signed_in.post(f"{base}/moderateur", data={"moderator": str(other.id)}).status_code == 302
    db.session.refresh(session)
    assert session.moderator_id == other.id

    from service.domain.invite_status import invites_for_session

    invite = invites_for_session(session)[0]  # the latest message to this person
    invite.status, invite.last_error = InviteStatus.FAILED, "550 mailbox unavailable"
    db.session.commit()
    page = signed_in.get(base).get_data(as_text=True)
    assert "550 mailbox unavailable" in page and "Renvoyer l’invitation" in page
    assert "Détail par personne" in page and "attend le lien de la réunion Zoom" in page
    assert signed_in.post(f"{base}/invitations/{invite.id}/renvoyer").status_code == 302
    db.session.refresh(invite)
    assert invite.status is InviteStatus.PENDING

    meeting = session.zoom_meeting
    meeting.status = MeetingStatus.DELETED_IN_ZOOM
    db.session.commit()
    page = signed_in.get(base).get_data(as_text=True)
    assert "Quelqu’un a supprimé cette rencontre directement dans Zoom" in page
    assert signed_in.post(f"{base}/reunion").status_code == 302
    db.session.refresh(meeting)
    assert meeting.status is MeetingStatus.PENDING

    assert signed_in.post(f"{base}/annuler").status_code == 302
    db.session.refresh(session)
    assert session.status is SessionStatus.CANCELLED


def test_deleting_a_group_says_what_goes_and_needs_a_confirmation(signed_in, actor):
    group = make_group(actor)
    page = signed_in.get(f"/coordination/groupes/{group.id}/supprimer").get_data(as_text=True)
    assert "Les noms et les courriels des membres" in page
    response = signed_in.post(f"/coordination/groupes/{group.id}/supprimer", data={})
    assert response.status_code == 422
    assert error_summary_links(response.get_data(as_text=True)) == ["confirm"]
    response = signed_in.post(f"/coordination/groupes/{group.id}/supprimer", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(group)
    assert group.status is GroupStatus.DELETING
    assert "group.deleted" in db.session.execute(select(AuditEvent.action)).scalars().all()


def test_the_pages_are_in_english_one_click_away(signed_in, actor):
    group = make_group(actor)
    signed_in.get("/language/en?next=/")
    page = signed_in.get(f"/coordination/groupes/{group.id}").get_data(as_text=True)
    assert '<html lang="en">' in page and "Schedule sessions" in page


def test_statuses_read_from_the_rows_in_both_languages(app, actor):
    from datetime import datetime

    from service.domain import scheduling
    from service.protocol import SessionKind

    group = make_group(actor)
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    meeting = session.zoom_meeting
    meeting.status, meeting.waiting_reason = MeetingStatus.WAITING, "hosts_busy"
    status = overview.meeting_status(meeting, session)
    assert status.tone == "waiting"
    assert status.text("fr").startswith("Réunion Zoom en attente. Tous les comptes Zoom d’animation ont déjà")
    assert status.text("en").startswith("Zoom meeting waiting. ")
    meeting.waiting_reason = "something_new"
    assert overview.meeting_status(meeting, session).text("fr").endswith("Le service réessaie automatiquement.")
    meeting.status, meeting.last_error = MeetingStatus.FAILED, "Invalid meeting settings"
    assert "Invalid meeting settings" in overview.meeting_status(meeting, session).text("fr")
    meeting.status = MeetingStatus.DELETED_IN_ZOOM
    assert overview.meeting_status(meeting, session).tone == "failed"
    view = overview.session_view(session)
    # Before the session nothing could have been posted yet: the prompts are « to come », not « 0 of 7 ».
    assert (view.invites.code, view.prompts.code) == ("waiting_for_meeting", "upcoming")
    assert view.prompts.text("fr").startswith("Messages dans Zoom : ") and view.prompts.text("fr").endswith(" à venir")


def test_the_local_login_does_not_exist_in_production(settings, app):
    from dataclasses import replace

    from service.app import create_app

    production = create_app(replace(settings, APP_ENV="production"))
    client = production.test_client()
    assert "Connexion locale" not in client.get("/coordination/connexion").get_data(as_text=True)
    assert client.post("/coordination/connexion/locale", data={"email": "a@exemple.ca"}).status_code in (400, 404)
    close_app(production)


def test_login_attempts_are_rate_limited(client, coordinator):
    statuses = [client.post("/coordination/connexion/locale", data={"email": "x"}).status_code for _ in range(11)]
    assert statuses[:10] == [422] * 10 and statuses[10] == 429
