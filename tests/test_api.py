"""The JSON API: bearer tokens from the CLI, the same domain rules as the pages, and its OpenAPI document."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from service.domain.coordinators import token_digest
from service.extensions import db
from service.models import ApiToken, Coordinator, GroupSession, Organisation
from tests.factories import make_group
from tests.test_scheduling import next_weekday


@pytest.fixture
def token(runner, coordinator) -> str:
    result = runner.invoke(args=["create-coordinator", coordinator.email])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def api(client, token):
    class Api:
        def __getattr__(self, method):
            def call(path, **kwargs):
                headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
                return getattr(client, method)(f"/api/v1{path}", headers=headers, **kwargs)
            return call

    return Api()


GROUP = {
    "name": "Urgence — nuit", "language": "fr", "timezone": "America/Toronto",
    "members": [{"display_name": f"Personne {i}", "email": f"p{i}@exemple.ca", "reports_to_email":
                 f"chef{i}@exemple.ca", "is_trained_moderator": i == 0, "consent_already_given": True}
                for i in range(5)],
}


def test_create_coordinator_prints_a_token_once_and_keeps_only_its_digest(runner, app):
    result = runner.invoke(args=["create-coordinator", "Nouvelle@Exemple.ca", "--name", "Nouvelle Personne",
                                 "--organisation", "CIUSSS du Nord"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("ep_") and len(token) > 40
    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert stored.token_digest == token_digest(token) and token not in stored.token_digest
    person = db.session.execute(select(Coordinator)).scalar_one()
    assert (person.email, person.organisation.name) == ("nouvelle@exemple.ca", "CIUSSS du Nord")
    assert runner.invoke(args=["create-coordinator", "pas une adresse"]).exit_code != 0


def test_no_token_or_a_wrong_one_is_a_401(client, token):
    for headers in ({}, {"Authorization": "Bearer ep_wrong"}, {"Authorization": f"Basic {token}"}):
        response = client.get("/api/v1/groups", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_stops_working(api, token):
    assert api.get("/groups").status_code == 200
    stored = db.session.execute(select(ApiToken)).scalar_one()
    from service.domain.clock import now_utc

    stored.revoked_at = now_utc()
    db.session.commit()
    assert api.get("/groups").status_code == 401


def test_form_a_group_schedule_and_follow_it(api):
    created = api.post("/groups", json=GROUP)
    assert created.status_code == 201, created.get_json()
    group = created.get_json()
    assert [m["email"] for m in group["members"]] == [f"p{i}@exemple.ca" for i in range(5)]

    evening = f"{next_weekday(1).isoformat()}T18:30:00"
    kickoff = api.post(f"/groups/{group['id']}/sessions", json={"kind": "kickoff", "starts_at": evening})
    assert kickoff.status_code == 201, kickoff.get_json()
    assert kickoff.get_json()["duration_minutes"] == 60
    followed = api.get(kickoff.headers["Location"].removeprefix("/api/v1"))
    assert followed.get_json()["meeting"]["code"] == "pending"
    assert followed.get_json()["invites"]["code"] == "waiting_for_meeting"

    plan = {"first_date": next_weekday(2, 2).isoformat(), "local_time": "12:15", "occurrence_count": 4}
    refused = api.post(f"/groups/{group['id']}/series", json=plan, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    violation = refused.get_json()["error"]["violations"][0]
    assert violation["field"] == "supervisor_agreement" and "working hours" in violation["message"]
    series = api.post(f"/groups/{group['id']}/series", json={**plan, "supervisor_agreement": True})
    assert series.status_code == 201 and len(series.get_json()["session_ids"]) == 4

    sessions = api.get(f"/groups/{group['id']}/sessions").get_json()["sessions"]
    assert [s["kind"] for s in sessions] == ["kickoff"] + ["regular"] * 4
    assert sessions[0]["invites"]["total"] == 5 and sessions[0]["invites"]["code"] == "waiting_for_meeting"
    assert sessions[1]["local_start"].endswith("T12:15:00")

    moved = api.patch(f"/groups/{group['id']}/sessions/{sessions[0]['id']}",
                      json={"starts_at": f"{next_weekday(3).isoformat()}T19:00:00"})
    assert moved.status_code == 200 and moved.get_json()["local_start"].endswith("T19:00:00")
    assert api.delete(f"/groups/{group['id']}/series/{series.get_json()['id']}").status_code == 204
    assert api.delete(f"/groups/{group['id']}").status_code == 204
    assert api.get(f"/groups/{group['id']}").get_json()["status"] == "deleting"


def test_rule_violations_name_their_field(api):
    group = {**GROUP, "members": GROUP["members"][:4] + [{**GROUP["members"][4], "reports_to_email": "p1@exemple.ca"}]}
    response = api.post("/groups", json=group)
    assert response.status_code == 422
    assert [(v["code"], v["field"]) for v in response.get_json()["error"]["violations"]] == [
        ("hierarchy_in_group", "members-4-reports_to_email")]
    checked = api.post("/groups/validate", json=group).get_json()
    assert checked["valid"] is False and checked["violations"][0]["code"] == "hierarchy_in_group"


def test_malformed_bodies_are_422_or_415_never_500(api):
    assert api.post("/groups", data="not json", headers={"Content-Type": "text/plain"}).status_code == 415
    assert api.post("/groups", json=[1, 2]).status_code == 422
    response = api.post("/groups", json={**GROUP, "members": "everyone", "extra": 1})
    assert response.status_code == 422
    assert {v["field"] for v in response.get_json()["error"]["violations"]} == {"members", "extra"}
    assert api.post("/groups/1/sessions", json={"kind": "kickoff", "starts_at": "9999-12-31T23:00:00"}
                    ).status_code in (404, 422)


def test_other_organisations_groups_do_not_exist(api, coordinator):
    elsewhere = Organisation(name="Ailleurs")
    stranger = Coordinator(organisation=elsewhere, email="autre@ailleurs.org")
    db.session.add_all([elsewhere, stranger])
    db.session.commit()
    from service.domain.audit import Actor

    group = make_group(Actor.coordinator(stranger))
    session_count = db.session.execute(select(GroupSession)).all()
    for path in (f"/groups/{group.id}", f"/groups/{group.id}/sessions"):
        response = api.get(path)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    assert api.delete(f"/groups/{group.id}").status_code == 404
    assert api.post(f"/groups/{group.id}/members", json=GROUP["members"][0]).status_code == 404
    assert db.session.execute(select(GroupSession)).all() == session_count


def test_members_and_moderators_through_the_api(api, actor):
    group = make_group(actor, members=5, trained=2)
    from service.domain import scheduling
    from service.protocol import SessionKind
    from datetime import datetime

    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(2), time(19)),
                                          30, actor)
    added = api.post(f"/groups/{group.id}/members", json={"display_name": "Zoé", "email": "zoe@exemple.ca"})
    assert added.status_code == 201
    other = group.active_members[1]
    changed = api.put(f"/groups/{group.id}/sessions/{session.id}/moderator", json={"moderator_id": other.id})
    assert changed.status_code == 200 and changed.get_json()["moderator_id"] == other.id
    assert api.delete(f"/groups/{group.id}/members/{added.get_json()['id']}").status_code == 204
    assert len(api.get(f"/groups/{group.id}").get_json()["members"]) == 5


def test_the_openapi_document_lists_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert {"get", "post"} <= set(document["paths"]["/api/v1/groups"])
    assert "GroupIn" in document["components"]["schemas"]
    operation = document["paths"]["/api/v1/groups/{group_id}/series"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/SeriesIn")
