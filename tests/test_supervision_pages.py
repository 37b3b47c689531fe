"""The supervisor's page (personal link), the console's debrief, the coordinator's support page and the JSON API."""

from __future__ import annotations

import re
from datetime import datetime, time

from flask_babel import refresh
from sqlalchemy import select

from service import links
from service.domain import live, practice, scheduling, supervisors
from service.domain.audit import Actor
from service.domain.clock import now_utc
from service.extensions import db
from service.models import AuditEvent, Debrief, Organisation, Supervisor, TalkRequest
from service.protocol import SessionKind
from tests.coordinator_helpers import log_in
from tests.factories import make_group
from tests.test_api import api, token  # noqa: F401  (fixtures)
from tests.test_scheduling import next_weekday


def _ended_session(actor, name="Soins intensifs B", trained=1, when=None):
    group = make_group(actor, members=5, trained=trained, name=name)
    session = scheduling.schedule_session(group, SessionKind.REGULAR,
                                          when or datetime.combine(next_weekday(1), time(19)), 30, actor)
    live.ended(session, now_utc(), Actor.system())
    db.session.commit()
    return group, session


def _supervisor(actor, name="Sophie Lavoie", email="sophie@acsm.example", language="fr") -> Supervisor:
    return supervisors.add_supervisor(actor.organisation_id, name, email, language, actor)


def test_the_console_becomes_a_debrief_that_counts_once(client, app, actor, settings):
    group, session = _ended_session(actor)
    _supervisor(actor)
    token = links.console_token(settings, session.moderator, session)
    page = client.get(f"/m/{token}").get_data(as_text=True)
    assert "Comment ça s’est passé pour vous?" in page
    for label in ("Ça a bien été", "C’était exigeant", "J’aimerais en parler"):
        assert label in page
    assert "Un suivi serait-il utile?" in page  # beside the existing follow-up flag

    answer = client.post(f"/m/{token}/debrief", data={"answer": "talk"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.get_json()["answer"] == "talk"
    again = client.post(f"/m/{token}/debrief", data={"answer": "talk"})  # no script: a redirect back
    assert again.status_code == 303
    assert len(db.session.execute(select(Debrief)).scalars().all()) == 1
    assert len(db.session.execute(select(TalkRequest)).scalars().all()) == 1
    page = client.get(f"/m/{token}").get_data(as_text=True)
    assert 'value="talk" class="debrief-choice" aria-pressed="true"' in page
    # The audit trail says that a debrief happened, never its answer.
    details = [e.details for e in db.session.execute(select(AuditEvent).where(
        AuditEvent.action.in_(["debrief.recorded", "talk_request.created"]))).scalars()]
    assert details and all("talk" not in str(d) for d in details)

    assert client.post(f"/m/{token}/debrief", data={"answer": "nonsense"}).status_code == 303  # flashed, not saved
    assert db.session.execute(select(Debrief.answer)).scalar_one().value == "talk"


def test_no_debrief_before_the_end_and_in_english(client, app, actor, settings):
    group = make_group(actor, members=5, trained=1, language="en")
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(1), time(19)),
                                          30, actor)
    token = links.console_token(settings, session.moderator, session)
    page = client.get(f"/m/{token}").get_data(as_text=True)
    assert "How did it go for you?" in page and "I’d like to talk about it" in page  # ready, hidden until the end
    refused = client.post(f"/m/{token}/debrief", data={"answer": "fine"}, headers={"Accept": "application/json"})
    assert refused.status_code == 409 and "once the session you moderated is over" in refused.get_json()["message"]
    assert db.session.execute(select(Debrief)).first() is None


def test_the_supervisors_page_shows_requests_load_and_practice_sessions(client, app, actor, settings):
    group, session = _ended_session(actor)
    supervisor = _supervisor(actor)
    moderator = session.moderator
    # A busy moderator: the series puts them well above the threshold (4) in the next 4 weeks.
    other = make_group(actor, members=4, trained=1, name="Pharmacie")
    busy = other.active_members[0]
    scheduling.schedule_series(other, scheduling.SeriesPlan(next_weekday(0), time(19), occurrence_count=8,
                                                            interval_weeks=1), actor)
    for day in (2, 4):
        scheduling.schedule_session(other, SessionKind.REGULAR, datetime.combine(next_weekday(day), time(12)), 30,
                                    actor, supervisor_agreement=True)
    practice.schedule_practice_series(actor.organisation_id,
                                      scheduling.SeriesPlan(next_weekday(3), time(18), occurrence_count=4), "fr",
                                      "America/Toronto", actor)
    console_token = links.console_token(settings, moderator, session)
    client.post(f"/m/{console_token}/debrief", data={"answer": "talk"})

    url = f"/s/{links.supervisor_token(settings, supervisor)}"
    page = client.get(url).get_data(as_text=True)
    assert "Bonjour Sophie Lavoie" in page
    assert moderator.display_name in page and moderator.email in page
    assert "Soins intensifs" not in page and "Pharmacie" not in page  # no group names on this page
    assert busy.display_name in page and "charge élevée" in page
    assert page.count("Ouvrir la console") == 4  # Sophie leads every practice session
    # Her console for a practice session: the community's own protocol, the theme offered, no debrief for her.
    console_url = re.search(r'href="http://127.0.0.1:5000(/m/[^"]+)"', page).group(1)
    console = client.get(console_url).get_data(as_text=True)
    assert "Communauté de pratique" in console and "Apprentissage partagé" in console
    assert "Thème proposé : " in console and "Qu’est-ce qui a été difficile, ou où ai-je hésité?" in console
    assert "Comment ça s’est passé pour vous?" not in console
    # Marked done: gone from the list, for every supervisor.
    request = db.session.execute(select(TalkRequest)).scalar_one()
    done = client.post(f"{url}/requests/{request.id}/done")
    assert done.status_code == 303
    assert "Aucune demande ouverte." in client.get(url).get_data(as_text=True)
    assert db.session.get(TalkRequest, request.id).done_by_id == supervisor.id
    # English, on request (the tests share one application context: forget the locale chosen before).
    refresh()
    assert "Requests to talk" in client.get(f"{url}?lang=en").get_data(as_text=True)
    # A forged or revoked link shows nothing.
    assert client.get(url[:-4] + "abcd").status_code in (404, 410)
    supervisors.remove_supervisor(db.session.get(Supervisor, supervisor.id), actor)
    assert client.get(url).status_code in (404, 410)


def test_requests_stay_with_the_remaining_supervisors_or_the_coordinator_is_told(client, app, actor, settings):
    group, session = _ended_session(actor)
    first, second = _supervisor(actor), _supervisor(actor, "Marc Roy", "marc@acsm.example", "en")
    client.post(f"/m/{links.console_token(settings, session.moderator, session)}/debrief", data={"answer": "talk"})
    assert supervisors.remove_supervisor(first, actor) == 1
    page = client.get(f"/s/{links.supervisor_token(settings, second)}").get_data(as_text=True)
    assert session.moderator.display_name in page
    assert supervisors.unattended_requests(actor.organisation_id) == 0
    supervisors.remove_supervisor(db.session.get(Supervisor, second.id), actor)
    assert supervisors.unattended_requests(actor.organisation_id) == 1
    log_in(client)
    page = client.get("/coordination/soutien").get_data(as_text=True)
    assert "reste ouverte et aucune personne superviseure" in page
    assert session.moderator.display_name not in page  # the coordinator sees a count, never who


def test_the_coordinators_support_page(client, app, actor, coordinator):
    group = make_group(actor, members=5, trained=2)
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=3), actor)
    log_in(client)
    page = client.get("/coordination/soutien")
    assert page.status_code == 200 and "Soutien aux personnes modératrices" in page.get_data(as_text=True)
    added = client.post("/coordination/soutien/superviseures", data={
        "supervisor-display_name": "Sophie Lavoie", "supervisor-email": "sophie@acsm.example",
        "supervisor-language": "fr"})
    assert added.status_code == 302
    refused = client.post("/coordination/soutien/superviseures", data={
        "supervisor-display_name": "Sophie Lavoie", "supervisor-email": "pas une adresse", "supervisor-language": "fr"})
    assert refused.status_code == 422 and "n’est pas valide" in refused.get_data(as_text=True)
    scheduled = client.post("/coordination/soutien/serie", data={
        "series-language": "fr", "series-timezone": "America/Toronto", "series-weekday": "3",
        "series-starts_on": next_weekday(3).isoformat(), "series-at": "18:00", "series-interval_weeks": "2",
        "series-duration_minutes": "30", "series-occurrence_count": "5"})
    assert scheduled.status_code == 302, scheduled.get_data(as_text=True)
    settings_saved = client.post("/coordination/soutien/reglages", data={"settings-moderator_load_threshold": "6"})
    assert settings_saved.status_code == 302
    assert db.session.get(Organisation, actor.organisation_id).moderator_load_threshold == 6
    bad = client.post("/coordination/soutien/reglages", data={"settings-moderator_load_threshold": "0"})
    assert bad.status_code == 422
    page = client.get("/coordination/soutien").get_data(as_text=True)
    assert "Sophie Lavoie" in page and "personne superviseure" in page and "personne modératrice" in page
    assert page.count("animée par Sophie Lavoie") == 5
    series_id = int(re.search(r"/coordination/soutien/series/(\d+)/annuler", page).group(1))
    assert client.post(f"/coordination/soutien/series/{series_id}/annuler").status_code == 302
    assert "animée par" not in client.get("/coordination/soutien").get_data(as_text=True)


def test_the_api(api, app, actor):
    assert api.get("/organisation/supervisors").get_json() == {"supervisors": [], "unattended_requests": 0}
    refused = api.post("/practice/series", json={"first_date": next_weekday(3).isoformat(), "local_time": "18:00",
                                                 "timezone": "America/Toronto", "duration_minutes": 30,
                                                 "interval_weeks": 1, "occurrence_count": 3, "language": "fr"})
    assert refused.status_code == 422 and refused.get_json()["error"]["violations"][0]["code"] == "no_supervisor"
    created = api.post("/organisation/supervisors", json={"display_name": "Sophie Lavoie",
                                                          "email": "sophie@acsm.example", "language": "fr"})
    assert created.status_code == 201 and isinstance(created.get_json()["id"], int)
    assert created.get_json()["link_delivery"] == "sending"
    again = api.post(f"/organisation/supervisors/{created.get_json()['id']}/link")
    assert again.status_code == 200 and again.get_json()["link_delivery"] == "sending"
    assert api.post("/organisation/supervisors/999999/link").status_code == 404
    assert api.post("/organisation/supervisors", json={"display_name": "Sophie", "email": "SOPHIE@acsm.example"}
                    ).status_code == 422
    group = make_group(actor, members=5, trained=1)
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=3), actor)
    series = api.post("/practice/series", json={"first_date": next_weekday(3).isoformat(), "local_time": "18:00",
                                                "timezone": "America/Toronto", "duration_minutes": 30,
                                                "interval_weeks": 2, "occurrence_count": 3, "language": "fr"})
    assert series.status_code == 201, series.get_json()
    body = api.get("/practice").get_json()
    assert sorted((m["email"], m["role"]) for m in body["members"]) == [
        ("personne0@exemple.ca", "moderator"), ("sophie@acsm.example", "supervisor")]
    assert [s["kind"] for s in body["sessions"]] == ["practice"] * 3
    assert api.delete(f"/practice/series/{series.get_json()['id']}").status_code == 204
    assert {s["status"] for s in api.get("/practice").get_json()["sessions"]} == {"cancelled"}
    assert api.delete("/practice/series/999999").status_code == 404
    assert api.delete(f"/organisation/supervisors/{created.get_json()['id']}").status_code == 204
    assert api.delete(f"/organisation/supervisors/{created.get_json()['id']}").status_code == 404
    assert api.get("/organisation/supervisors").get_json()["supervisors"] == []


def test_a_moderator_steps_out_of_the_community_from_their_page_and_back(client, app, actor, settings):
    group = make_group(actor, members=5, trained=1)
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=3), actor)
    _supervisor(actor)
    practice.schedule_practice_series(actor.organisation_id,
                                      scheduling.SeriesPlan(next_weekday(3), time(18), occurrence_count=2), "fr",
                                      "America/Toronto", actor)
    moderator, other = group.active_members[0], group.active_members[1]
    url = f"/p/{links.participant_token(settings, moderator)}"
    assert "Me retirer de la communauté de pratique" in client.get(url).get_data(as_text=True)
    assert "communauté de pratique" not in client.get(
        f"/p/{links.participant_token(settings, other)}").get_data(as_text=True).lower()  # not a moderator
    assert client.post(f"{url}/practice/step-out").status_code == 303
    community = practice.communities(actor.organisation_id)["fr"]
    db.session.expire_all()
    assert moderator.email not in {m.email for m in db.session.get(type(community), community.id).active_members}
    page = client.get(url).get_data(as_text=True)
    assert "Revenir dans la communauté de pratique" in page
    practice.sync_organisation(actor.organisation_id)  # the service does not bring them back
    db.session.expire_all()
    assert moderator.email not in {m.email for m in db.session.get(type(community), community.id).active_members}
    assert client.post(f"{url}/practice/step-in").status_code == 303
    db.session.expire_all()
    assert moderator.email in {m.email for m in db.session.get(type(community), community.id).active_members}


def test_leaving_the_communitys_own_page_is_stepping_out(client, app, actor, settings):
    group = make_group(actor, members=5, trained=1)
    scheduling.schedule_series(group, scheduling.SeriesPlan(next_weekday(2), time(19), occurrence_count=3), actor)
    _supervisor(actor)
    practice.schedule_practice_series(actor.organisation_id,
                                      scheduling.SeriesPlan(next_weekday(3), time(18), occurrence_count=2), "fr",
                                      "America/Toronto", actor)
    community = practice.communities(actor.organisation_id)["fr"]
    member = next(m for m in community.active_members if m.supervisor_id is None)
    url = f"/p/{links.participant_token(settings, member)}"
    assert client.post(f"{url}/leave").status_code == 303
    practice.sync_organisation(actor.organisation_id)
    db.session.expire_all()
    assert member.email not in {m.email for m in db.session.get(type(community), community.id).active_members}
