"""The pool of volunteers through the API and the CSV import: same rules, clear messages, nothing half-saved."""

from __future__ import annotations

from datetime import datetime, time

import pytest
from sqlalchemy import func, select

from service.domain import scheduling, volunteers
from service.domain.errors import DomainError
from service.domain.volunteer_import import import_file, report
from service.extensions import db
from service.models import AuditEvent, Member, MemberStatus, Organisation, Volunteer, VolunteerStatus
from service.protocol import SessionKind
from tests.factories import make_group
from tests.fixtures.invites import run_mail_jobs
from tests.test_api import api, token  # noqa: F401  (fixtures)
from tests.test_scheduling import next_weekday

TEAMS = [{"key": "urgence", "name_fr": "Urgence", "name_en": "Emergency"},
         {"key": "pediatrie", "name_fr": "Pédiatrie", "name_en": "Paediatrics"}]


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


@pytest.fixture
def organisation(api) -> Organisation:  # noqa: F811
    answer = api.patch("/organisation", json={"signup_domains": ["exemple.ca"], "teams": TEAMS})
    assert answer.status_code == 200, answer.get_json()
    return db.session.execute(select(Organisation)).scalar_one()


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def volunteer(name="Ana Lopez", email="ana@exemple.ca", **fields) -> dict:
    return {"display_name": name, "email": email, "language": "fr", "team": "urgence",
            "reports_to_email": "chef@exemple.ca", "is_trained_moderator": False,
            "availability": [{"weekday": 2, "start": "17:00", "end": "21:00"}], **fields}


def test_organisation_settings_round_trip_and_refuse_bad_values(api, organisation):  # noqa: F811
    got = api.get("/organisation").get_json()
    assert got["teams"] == TEAMS and got["signup_domains"] == ["exemple.ca"]
    assert got["working_hours"] == {"weekdays": [1, 2, 3, 4, 5], "start": "08:00", "end": "17:00"}
    assert got["signup_url"] is None
    rotated = api.post("/organisation/signup-key").get_json()
    assert rotated["signup_url"].startswith("http://127.0.0.1:5000/inscription/") and len(rotated["signup_url"]) > 60
    refused = api.patch("/organisation", json={"signup_domains": ["@exemple.ca", "pas un domaine"],
                                               "teams": TEAMS + [{"key": "urgence", "name_fr": "X", "name_en": "X"}],
                                               "working_hours": {"weekdays": [1], "start": "17:00", "end": "08:00"},
                                               "name": "Nouveau nom"}, headers={"Accept-Language": "en"})
    assert refused.status_code == 422
    fields = {v["field"] for v in refused.get_json()["error"]["violations"]}
    assert fields == {"signup_domains-1", "teams-2-key", "working_hours-end"}
    assert api.get("/organisation").get_json()["name"] == "CISSS de test"  # nothing half-saved


def test_the_organisations_working_hours_decide_when_supervisors_must_agree(api, organisation, actor):  # noqa: F811
    group = make_group(actor, members=4)
    evening = datetime.combine(next_weekday(1), time(18, 30))
    with pytest.raises(DomainError):  # no: Tuesday 18 h 30 is fine by default, so try the morning
        scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(1), time(9)), 30,
                                    actor)
    assert scheduling.schedule_session(group, SessionKind.REGULAR, evening, 30, actor).id
    api.patch("/organisation", json={"working_hours": {"weekdays": [1, 2, 3, 4, 5], "start": "12:00",
                                                       "end": "20:00"}})
    later = datetime.combine(next_weekday(1, 2), time(18, 30))
    with pytest.raises(DomainError) as refused:
        scheduling.schedule_session(group, SessionKind.REGULAR, later, 30, actor)
    assert refused.value.violations[0].code == "supervisor_agreement_required"
    assert scheduling.schedule_session(group, SessionKind.REGULAR, datetime.combine(next_weekday(1, 3), time(9)), 30,
                                       actor).id


def test_add_volunteers_with_or_without_declared_consent(app, api, organisation, coordinator, smtp):  # noqa: F811
    asked = api.post("/volunteers", json=volunteer())
    assert asked.status_code == 201, asked.get_json()
    assert asked.get_json()["status"] == "awaiting_consent"
    declared = api.post("/volunteers", json=volunteer("Ben Roy", "ben@exemple.ca", team="pediatrie",
                                                      consent_already_given=True, language="en"))
    assert declared.get_json()["status"] == "available" and declared.get_json()["consent_given"]
    line = db.session.execute(select(AuditEvent).where(AuditEvent.action == "volunteer.consent_declared")).scalar_one()
    assert (line.actor_id, line.target_id) == (coordinator.id, declared.get_json()["id"])
    run_mail_jobs(app)
    assert [r.rcpt_tos for r in smtp.received] == [["ana@exemple.ca"]]  # only the one not declared is asked

    listed = api.get("/volunteers?team=pediatrie").get_json()["volunteers"]
    assert [v["display_name"] for v in listed] == ["Ben Roy"]
    assert [v["email"] for v in api.get("/volunteers?status=awaiting_consent").get_json()["volunteers"]] == [
        "ana@exemple.ca"]
    assert [v["email"] for v in api.get("/volunteers?language=en").get_json()["volunteers"]] == ["ben@exemple.ca"]
    assert len(api.get("/volunteers?status=nonsense").get_json()["volunteers"]) == 2

    again = api.post("/volunteers", json=volunteer(email="ANA@exemple.ca"), headers={"Accept-Language": "en"})
    assert again.status_code == 422
    assert again.get_json()["error"]["violations"][0]["code"] == "already_in_pool"
    unknown = api.post("/volunteers", json=volunteer("Cé", "ce@exemple.ca", team="cardiologie"))
    assert unknown.get_json()["error"]["violations"][0]["message"].startswith("L’équipe « cardiologie » n’existe pas")


def test_a_reporting_cycle_is_refused(api, organisation):  # noqa: F811
    assert api.post("/volunteers", json=volunteer(reports_to_email="ben@exemple.ca")).status_code == 201
    loop = api.post("/volunteers", json=volunteer("Ben Roy", "ben@exemple.ca", reports_to_email="ana@exemple.ca"))
    assert loop.status_code == 422
    (violation,) = loop.get_json()["error"]["violations"]
    assert violation["code"] == "reporting_cycle" and violation["field"] == "reports_to_email"
    assert count(Volunteer) == 1


HEADER = "display_name,email,language,team,reports_to_email,availability,is_trained_moderator,consent_already_given\n"


def test_a_valid_csv_imports_everyone(app, organisation, actor):
    data = (HEADER + "Ana Lopez,ana@exemple.ca,fr,urgence,chef@exemple.ca,1 09:00-12:00; 3 17:00-21:00,oui,non\n"
            "Ben Roy,ben@exemple.ca,en,pediatrie,,,,yes\n").encode()
    added = import_file(organisation, data, actor)
    assert [v.status for v in added] == [VolunteerStatus.AWAITING_CONSENT, VolunteerStatus.AVAILABLE]
    assert added[0].availability == [{"weekday": 1, "start": "09:00", "end": "12:00"},
                                     {"weekday": 3, "start": "17:00", "end": "21:00"}]
    assert added[0].is_trained_moderator and added[0].reports_to_email == "chef@exemple.ca"


def test_a_csv_with_errors_saves_nothing_and_reports_each_line(app, organisation, actor):
    volunteers.add_volunteers(organisation, [volunteers.VolunteerDraft("Déjà Là", "deja@exemple.ca")], actor)
    data = (HEADER
            + "Ana Lopez,pas-une-adresse,fr,urgence,,,,\n"
            + "Ben Roy,ben@exemple.ca,fr,cardiologie,,,,\n"
            + "Chloé Roy,chloe@exemple.ca,fr,urgence,,,,\n"
            + "Chloé Bis,CHLOE@exemple.ca,fr,urgence,,,,\n"
            + "Déjà Là,deja@exemple.ca,fr,,,,,\n"
            + "Dan,dan@exemple.ca,fr,,,lundi matin,peut-être,\n").encode()
    with pytest.raises(DomainError) as error:
        import_file(organisation, data, actor)
    lines = [(p.line, p.field, p.code) for p in report(error.value, "fr")]
    assert lines == [(2, "email", "email_invalid"), (3, "team", "team_unknown"), (5, "email", "email_duplicate"),
                     (6, "email", "already_in_pool"), (7, "availability", "availability_invalid"),
                     (7, "is_trained_moderator", "boolean_invalid")]
    messages = {p.line: p.message for p in report(error.value, "en")}
    assert "line 4" in messages[5] and "cardiologie" in messages[3]
    assert count(Volunteer) == 1


def test_a_csv_with_a_reporting_cycle_names_the_line(app, organisation, actor):
    data = (HEADER + "Ana,ana@exemple.ca,fr,,ben@exemple.ca,,,\n" + "Ben,ben@exemple.ca,fr,,ana@exemple.ca,,,\n").encode()
    with pytest.raises(DomainError) as error:
        import_file(organisation, data, actor)
    problems = report(error.value, "fr")
    assert [(p.line, p.field, p.code) for p in problems] == [(2, "reports_to_email", "reporting_cycle"),
                                                              (3, "reports_to_email", "reporting_cycle")]
    assert count(Volunteer) == 0


def test_a_csv_report_names_a_reporting_cycle_beside_the_other_problems(app, organisation, actor):
    """One report names everything to correct: a loop is found even when another line has its own problem."""
    data = (HEADER + "Ana,ana@exemple.ca,fr,,ben@exemple.ca,,,\n" + "Ben,ben@exemple.ca,fr,,ana@exemple.ca,,,\n"
            + "Chloé,pas-une-adresse,fr,,,,,\n").encode()
    with pytest.raises(DomainError) as error:
        import_file(organisation, data, actor)
    found = {(p.line, p.code) for p in report(error.value, "fr")}
    assert {(2, "reporting_cycle"), (3, "reporting_cycle")} <= found
    assert any(line == 4 for line, _ in found)
    assert count(Volunteer) == 0


@pytest.mark.parametrize("data, code, words", [
    ("display_name;email\nAndré Côté;andre@exemple.ca\n".encode("cp1252"), "encoding", "UTF-8"),
    (b"name,courriel\nAna,ana@exemple.ca\n", "columns_missing", "display_name, email"),
    (b"display_name,email,colour\nAna,ana@exemple.ca,blue\n", "columns_unknown", "colour"),
    (b"", "file_empty", "vide"),
])
def test_a_csv_the_import_cannot_read_says_why(app, organisation, actor, data, code, words):
    with pytest.raises(DomainError) as error:
        import_file(organisation, data, actor)
    (problem,) = report(error.value, "fr")
    assert problem.code == code and problem.line is None and words in problem.message
    assert count(Volunteer) == 0


def test_the_api_import_answers_a_violation_per_line(api, organisation):  # noqa: F811
    bad = api.post("/volunteers/import", json={"csv": HEADER + "Ana,ana@gmail,fr,,,,,\n"})
    assert bad.status_code == 422 and bad.get_json()["error"]["violations"][0]["field"] == "line-2-email"
    good = api.post("/volunteers/import", json={"csv": HEADER + "Ana,ana@exemple.ca,fr,,,,,oui\n"})
    assert good.status_code == 201 and good.get_json()["imported"] == 1


def test_withdrawing_a_volunteer_in_a_group_makes_them_leave_it(app, api, organisation, actor):  # noqa: F811
    ids = [api.post("/volunteers", json=volunteer(f"Personne {i}", f"p{i}@exemple.ca", consent_already_given=True,
                                                  reports_to_email=None)).get_json()["id"] for i in range(4)]
    from service.domain.groups import GroupDraft, create_group
    from service.domain.rules import MemberDraft

    pool = [db.session.get(Volunteer, i) for i in ids]
    group = create_group(GroupDraft("Du bassin", "fr", "America/Toronto", [
        MemberDraft(v.display_name, v.email, volunteer_id=v.id) for v in pool]), actor)
    volunteers.mark_in_group(ids, group, actor)
    db.session.commit()
    assert all(m.consent_at is not None for m in group.active_members)  # their consent came with them
    assert api.get(f"/volunteers/{ids[0]}").get_json()["status"] == "in_group"
    from service.domain.groups import member_leaves

    member_leaves(group.active_members[3], actor)  # leaving the group is not leaving the pool
    assert api.get(f"/volunteers/{ids[3]}").get_json()["status"] == "available"
    assert api.delete(f"/volunteers/{ids[0]}").status_code == 204
    assert api.get(f"/volunteers/{ids[0]}").status_code == 404
    left = db.session.execute(select(Member).where(Member.email == "p0@exemple.ca")).scalar_one()
    assert left.status is MemberStatus.LEFT and left.volunteer_id is None


def test_a_csv_cell_too_long_for_the_reader_is_a_message_not_a_crash(app, organisation, actor):
    with pytest.raises(DomainError) as error:
        import_file(organisation, ("display_name,email\n" + "a" * 200_000 + ",x@exemple.ca\n").encode(), actor)
    assert error.value.violations[0].code == "csv_unreadable"


def test_a_loop_left_by_public_sign_ups_blocks_nobody_else(api, organisation):  # noqa: F811
    from service.domain import signup

    # The sign-up page never tells someone who else signed up, so it accepts a loop (the grouping keeps it apart).
    signup.sign_up(organisation, volunteers.VolunteerDraft("Ana", "ana@exemple.ca", reports_to_email="ben@exemple.ca"),
                   True)
    signup.sign_up(organisation, volunteers.VolunteerDraft("Ben", "ben@exemple.ca", reports_to_email="ana@exemple.ca"),
                   True)
    assert count(Volunteer) == 2
    assert api.post("/volunteers", json=volunteer("Chloé", "chloe@exemple.ca")).status_code == 201
    into = api.post("/volunteers", json=volunteer("Dan", "dan@exemple.ca", reports_to_email="ana@exemple.ca"))
    assert into.status_code == 201  # reporting to someone on a loop is not a loop of one's own


def test_the_moderator_load_threshold_is_an_organisation_setting_of_the_api(api, organisation):  # noqa: F811
    assert api.get("/organisation").get_json()["moderator_load_threshold"] == 4
    changed = api.patch("/organisation", json={"moderator_load_threshold": 6})
    assert changed.status_code == 200 and changed.get_json()["moderator_load_threshold"] == 6
    db.session.expire_all()
    assert db.session.execute(select(Organisation.moderator_load_threshold)).scalar_one() == 6
    for bad in (0, 31, "six", True):
        refused = api.patch("/organisation", json={"moderator_load_threshold": bad, "name": "Autre"})
        assert refused.status_code == 422, bad
        assert [v["field"] for v in refused.get_json()["error"]["violations"]] == ["moderator_load_threshold"]
    assert api.get("/organisation").get_json()["name"] == "CISSS de test"  # nothing half-saved


def test_the_pool_is_listed_in_the_order_a_reader_expects_accents_and_case_aside(api, organisation):  # noqa: F811
    for index, name in enumerate(["Fanny Roy", "émile Caron", "Dan Roy", "Éloïse Roy", "zoé Roy", "Ana Roy"]):
        assert api.post("/volunteers", json=volunteer(name, f"p{index}@exemple.ca", reports_to_email=None,
                                                      consent_already_given=True)).status_code == 201
    listed = [v["display_name"] for v in api.get("/volunteers").get_json()["volunteers"]]
    assert listed == ["Ana Roy", "Dan Roy", "Éloïse Roy", "émile Caron", "Fanny Roy", "zoé Roy"]
