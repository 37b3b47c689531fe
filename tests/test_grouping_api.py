"""Groups proposed from the pool, through the JSON API: propose, check an edit, accept (all or nothing)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service.domain import volunteers
from service.domain.volunteers import VolunteerDraft
from service.extensions import db
from service.models import AuditEvent, Group, Member, Organisation, Volunteer, VolunteerStatus
from tests.test_api import api, token  # noqa: F401  (fixtures)

LUNCH = [{"weekday": 2, "start": "12:00", "end": "13:00"}]
MORNING = [{"weekday": 4, "start": "08:00", "end": "09:00"}]


def _add(actor, organisation, people):
    drafts = [VolunteerDraft(display_name=name, email=f"{email}@exemple.ca", language=language, team_key=team,
                             reports_to_email=f"{boss}@exemple.ca" if boss else None, availability=availability,
                             is_trained_moderator=moderator, consent_already_given=True)
              for name, email, language, team, boss, availability, moderator in people]
    return {v.email.split("@")[0]: v.id for v in volunteers.add_volunteers(organisation, drafts, actor)}


@pytest.fixture
def pool(coordinator, actor):
    organisation = coordinator.organisation
    organisation.teams = [{"key": "urgence", "name_fr": "Urgence", "name_en": "Emergency"},
                          {"key": "pediatrie", "name_fr": "Pédiatrie", "name_en": "Paediatrics"}]
    db.session.commit()
    people = [("Chef Urgence", "chef", "fr", "urgence", None, LUNCH, True)]
    people += [(f"Urgence {n}", f"u{n}", "fr", "urgence", "chef", LUNCH, n == 0) for n in range(5)]
    people += [(f"Pédiatrie {n}", f"p{n}", "fr", "pediatrie", None, MORNING, False) for n in range(4)]
    people += [(f"English {n}", f"e{n}", "en", "urgence", None, LUNCH, False) for n in range(2)]
    people += [("Sans horaire", "vide", "fr", "urgence", None, [], False)]
    return _add(actor, organisation, people)


def test_a_proposal_places_the_pool_by_the_rules_and_says_why_the_others_are_left_out(api, pool):
    response = api.post("/groupings", json={})
    assert response.status_code == 200, response.json
    answer = response.json
    groups = sorted(answer["groups"], key=lambda group: group["team"])
    assert [sorted(group["volunteer_ids"]) for group in groups] == [
        sorted(pool[f"p{n}"] for n in range(4)), sorted(pool[f"u{n}"] for n in range(5))]
    urgence = groups[1]
    assert urgence["common_slots"] == [{"weekday": 2, "start": "12:00", "end": "13:00"}]
    assert urgence["common_slot_count"] == 2
    assert (urgence["language"], urgence["team_share"], urgence["has_trained_moderator"]) == ("fr", 1.0, True)
    assert groups[0]["has_trained_moderator"] is False and all(group["valid"] for group in groups)
    reasons = {item["volunteer_id"]: item["reason"] for item in answer["unplaced"]}
    assert reasons == {pool["chef"]: "hierarchy", pool["e0"]: "no_common_language_group",
                       pool["e1"]: "no_common_language_group", pool["vide"]: "no_availability"}
    message = next(item["message"] for item in answer["unplaced"] if item["volunteer_id"] == pool["chef"])
    assert "hiérarchique" in message
    english = api.post("/groupings", json={}, headers={"Accept-Language": "en"}).json
    assert "reporting line" in next(item["message"] for item in english["unplaced"]
                                    if item["volunteer_id"] == pool["chef"])


def test_a_proposal_for_chosen_volunteers_lists_those_not_available_and_refuses_unknown_ids(api, pool):
    volunteer = db.session.get(Volunteer, pool["u4"])
    volunteer.status = VolunteerStatus.AWAITING_CONSENT
    db.session.commit()
    ids = [pool[f"u{n}"] for n in range(5)]
    answer = api.post("/groupings", json={"volunteer_ids": ids, "target_size": 4}).json
    assert answer["groups"] == [] or all(pool["u4"] not in group["volunteer_ids"] for group in answer["groups"])
    assert {"volunteer_id": pool["u4"], "reason": "not_available"} == {
        key: value for key, value in answer["unplaced"][-1].items() if key != "message"} or any(
        item["volunteer_id"] == pool["u4"] and item["reason"] == "not_available" for item in answer["unplaced"])
    response = api.post("/groupings", json={"volunteer_ids": [pool["u0"], 999999]})
    assert response.status_code == 422
    assert "999999" in response.json["error"]["violations"][0]["message"]


def test_an_edited_proposal_is_checked_and_names_the_people_and_the_rule(api, pool):
    edited = [[pool["chef"]] + [pool[f"u{n}"] for n in range(4)], [pool[f"p{n}"] for n in range(3)]]
    answer = api.post("/groupings/check", json={"groups": [{"volunteer_ids": ids} for ids in edited]}).json
    assert answer["valid"] is False
    first, second = answer["groups"]
    assert [problem["code"] for problem in first["problems"]] == ["hierarchy_in_group"] * 4
    assert "Chef Urgence" in first["problems"][0]["message"] and "Urgence 0" in first["problems"][0]["message"]
    assert [problem["code"] for problem in second["problems"]] == ["too_small"]
    fixed = [[pool[f"u{n}"] for n in range(5)], [pool[f"p{n}"] for n in range(4)]]
    answer = api.post("/groupings/check", json={"groups": [{"volunteer_ids": ids} for ids in fixed]}).json
    assert answer["valid"] is True and [group["problems"] for group in answer["groups"]] == [[], []]


def _groups_count() -> int:
    return db.session.execute(select(func.count()).select_from(Group)).scalar_one()


def test_accepting_forms_every_group_through_the_usual_path_and_marks_the_volunteers(api, pool, coordinator):
    urgence, pediatrie = [pool[f"u{n}"] for n in range(5)], [pool[f"p{n}"] for n in range(4)]
    response = api.post("/groupings/accept", json={"groups": [
        {"name": "Urgence — midi", "volunteer_ids": urgence}, {"name": "Pédiatrie — matin", "volunteer_ids": pediatrie}]})
    assert response.status_code == 201, response.json
    created = response.json["groups"]
    assert [group["name"] for group in created] == ["Urgence — midi", "Pédiatrie — matin"]
    assert all(member["consent_given"] for group in created for member in group["members"])
    assert created[0]["timezone"] == coordinator.organisation.timezone
    members = db.session.execute(select(Member.volunteer_id)).scalars().all()
    assert sorted(members) == sorted(urgence + pediatrie)
    statuses = {db.session.get(Volunteer, i).status for i in urgence + pediatrie}
    assert statuses == {VolunteerStatus.IN_GROUP}
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "groupings.accepted")).scalar_one()
    assert "Urgence" not in str(event.details) and "@" not in str(event.details)
    again = api.post("/groupings/accept", json={"groups": [{"name": "Encore", "volunteer_ids": urgence}]})
    assert again.status_code == 422 and _groups_count() == 2
    assert "Urgence 0" in again.json["error"]["violations"][0]["message"]


def test_a_proposal_accepted_after_someone_withdrew_saves_nothing_and_says_who(api, pool, actor):
    volunteers.withdraw(db.session.get(Volunteer, pool["u2"]), actor)
    response = api.post("/groupings/accept", json={"groups": [
        {"name": "Pédiatrie", "volunteer_ids": [pool[f"p{n}"] for n in range(4)]},
        {"name": "Urgence", "volunteer_ids": [pool[f"u{n}"] for n in range(5)]}]},
        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    violation = response.json["error"]["violations"][0]
    assert violation["field"] == "groups.1.volunteer_ids" and str(pool["u2"]) in violation["message"]
    assert "withdr" in violation["message"]
    assert _groups_count() == 0
    assert {db.session.get(Volunteer, pool[f"p{n}"]).status for n in range(4)} == {VolunteerStatus.AVAILABLE}


def test_a_group_the_usual_rules_refuse_rolls_every_group_back(api, pool):
    response = api.post("/groupings/accept", json={"groups": [
        {"name": "Pédiatrie", "volunteer_ids": [pool[f"p{n}"] for n in range(4)]},
        {"name": "   ", "volunteer_ids": [pool[f"u{n}"] for n in range(5)]}]})
    assert response.status_code == 422
    assert response.json["error"]["violations"][0]["field"].startswith("groups.1.")
    assert _groups_count() == 0
    assert {db.session.get(Volunteer, pool[f"p{n}"]).status for n in range(4)} == {VolunteerStatus.AVAILABLE}


def test_another_organisations_volunteers_are_unknown(api, pool, actor):
    other = Organisation(name="Ailleurs")
    db.session.add(other)
    db.session.commit()
    outsider = Volunteer(organisation_id=other.id, display_name="Ailleurs", email="a@ailleurs.ca",
                         email_key="a@ailleurs.ca", status=VolunteerStatus.AVAILABLE, availability=LUNCH)
    db.session.add(outsider)
    db.session.commit()
    for path, payload in (("/groupings", {"volunteer_ids": [outsider.id]}),
                          ("/groupings/check", {"groups": [{"volunteer_ids": [outsider.id]}]}),
                          ("/groupings/accept", {"groups": [{"name": "X", "volunteer_ids": [outsider.id]}]})):
        response = api.post(path, json=payload)
        assert response.status_code == 422, (path, response.json)
    assert all(outsider.id not in group["volunteer_ids"] for group in api.post("/groupings", json={}).json["groups"])
