"""Availability polls end to end on the database: opening (API and pages), answering on the personal page over
HTTP, counts, reminders (the automatic one exactly once), members leaving, closing, and the privacy rule."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from service import links
from service.domain import groups, polls
from service.domain.clock import UTC, now_utc, to_local
from service.domain.poll_choice import Slot
from service.extensions import db
from service.models import Poll, PollLetter, PollLetterKind, PollResponse
from tests.coordinator_helpers import log_in
from tests.factories import make_group
from tests.fixtures.invites import every_text, run_mail_jobs
from tests.test_api import api, token  # noqa: F401  (fixtures)
from worker.jobs.sweep import sweep

SLOTS = [Slot(2, time(12, 0), 30), Slot(3, time(19, 0), 30), Slot(4, time(12, 15), 30)]


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


@pytest.fixture
def group(app, actor):
    group = make_group(actor, members=5)
    group.active_members[1].language = "en"
    db.session.commit()
    return group


def open_poll(group, actor, closes_in=timedelta(days=5), slots=SLOTS) -> Poll:
    draft = polls.PollDraft(slots, 1, 8, now_utc() + closes_in)
    return polls.open_poll(group, draft, actor)


def poll_token(settings, member) -> str:
    return links.participant_token(settings, member)


def answer_page(client, settings, member, **answers):
    data = {f"slot-{index}": value for index, value in answers.items()}
    return client.post(f"/p/{poll_token(settings, member)}/sondage", data=data)


def counts_json(api, group, poll):  # noqa: F811
    response = api.get(f"/groups/{group.id}/polls/{poll.id}")
    assert response.status_code == 200
    return response.get_json()


def local_closing(group, days=5) -> str:
    return (to_local(now_utc() + timedelta(days=days), group.timezone).replace(tzinfo=None, microsecond=0)
            .isoformat())


def test_opening_over_the_api_asks_each_member_by_their_own_email(app, api, group, smtp, settings):  # noqa: F811
    response = api.post(f"/groups/{group.id}/polls", json={
        "slots": [{"weekday": 2, "local_time": "12:00", "duration_minutes": 30},
                  {"weekday": 4, "local_time": "19:00", "duration_minutes": 30}],
        "interval_weeks": 2, "occurrence_count": 10, "closes_at": local_closing(group)})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/groups/{group.id}/polls/{body['id']}")
    assert body["status"] == "open" and body["series_id"] is None
    assert body["answered"] == 0 and body["not_answered"] == 5
    assert body["slots"][1] == {"weekday": 4, "local_time": "19:00", "duration_minutes": 30, "yes": 0,
                                "if_need_be": 0, "no": 0}
    assert api.get(f"/groups/{group.id}").get_json()["polls"] == [
        {"id": body["id"], "status": "open", "closes_at": body["closes_at"], "series_id": None}]

    run_mail_jobs(app)
    assert len(smtp.received) == 5, [(r.id, r.status, r.attempts) for r in db.session.scalars(select(PollLetter))]
    members = group.active_members
    for received in smtp.received:
        (recipient,) = received.rcpt_tos
        member = next(m for m in members if m.email == recipient)
        text = every_text(received)
        assert [m.email for m in members if m.email.lower() in text] == [member.email]
        assert f"/p/{poll_token(settings, member)}/sondage".lower() in text
        subject = str(received.message["Subject"])
        if member.language == "en":
            assert subject.startswith("When shall we meet") and "tuesday at 12:00" in text.replace("p.m.", "")
        else:
            assert subject.startswith("Quand nous rencontrer") and "mardi à 12\u00a0h\u00a000" in text
        assert received.message["To"].addresses[0].addr_spec == member.email
    run_mail_jobs(app)
    assert len(smtp.received) == 5  # each once


def test_answering_on_the_personal_page_over_http(app, client, api, group, actor, settings):  # noqa: F811
    poll = open_poll(group, actor)
    member = group.active_members[2]
    page = client.get(f"/p/{poll_token(settings, member)}/sondage").get_data(as_text=True)
    assert "Qui voit quoi" in page and "Jamais qui a répondu quoi" in page
    for index in range(3):
        for value in ("yes", "if_need_be", "no"):
            assert f'name="slot-{index}" value="{value}"' in page
    assert "mardi à 12\u00a0h\u00a000, 30 min" in page and "Si nécessaire" in page
    assert "Donner mes disponibilités" in client.get(f"/p/{poll_token(settings, member)}").get_data(as_text=True)

    response = answer_page(client, settings, member, **{"0": "yes", "1": "if_need_be", "2": "no"})
    assert response.status_code == 303
    body = counts_json(api, group, poll)
    assert [(s["yes"], s["if_need_be"], s["no"]) for s in body["slots"]] == [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
    assert (body["answered"], body["not_answered"]) == (1, 4)

    # Changed until closing: still one person, the new answers.
    assert answer_page(client, settings, member, **{"0": "no", "1": "yes", "2": "yes"}).status_code == 303
    body = counts_json(api, group, poll)
    assert [(s["yes"], s["if_need_be"], s["no"]) for s in body["slots"]] == [(0, 0, 1), (1, 0, 0), (1, 0, 0)]
    assert (body["answered"], body["not_answered"]) == (1, 4)
    page = client.get(f"/p/{poll_token(settings, member)}/sondage").get_data(as_text=True)
    assert re.search(r'name="slot-1" value="yes" checked', page)

    # A slot left unanswered: a message next to it, nothing changed.
    response = answer_page(client, settings, member, **{"0": "yes", "2": "maybe"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("Choisissez « Oui », « Si nécessaire » ou « Non » pour ce moment.") >= 2
    assert [(s["yes"], s["no"]) for s in counts_json(api, group, poll)["slots"]] == [(0, 1), (1, 0), (1, 0)]


def test_the_answering_page_speaks_the_members_language(app, client, group, actor, settings):
    open_poll(group, actor)
    english = group.active_members[1]
    page = client.get(f"/p/{poll_token(settings, english)}/sondage").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Who sees what" in page and "If need be" in page and "Tuesday at 12:00\u00a0p.m., 30 min" in page


def test_after_closing_answers_are_refused_and_those_given_stay(app, client, api, group, actor, settings):  # noqa: F811
    poll = open_poll(group, actor)
    member = group.active_members[0]
    answer_page(client, settings, member, **{"0": "yes", "1": "yes", "2": "no"})
    db.session.execute(update(Poll).where(Poll.id == poll.id).values(closes_at=now_utc() - timedelta(minutes=1)))
    db.session.commit()
    response = answer_page(client, settings, member, **{"0": "no", "1": "no", "2": "no"})
    assert response.status_code == 422
    assert "Ce sondage est fermé" in response.get_data(as_text=True)
    body = counts_json(api, group, poll)
    assert body["status"] == "closed"
    assert [s["yes"] for s in body["slots"]] == [1, 1, 0]
    assert "Ce sondage est fermé" in client.get(f"/p/{poll_token(settings, member)}/sondage").get_data(as_text=True)
    # The sweep records it, counts frozen; a decision is refused with a clear message.
    sweep()
    db.session.expire_all()
    assert poll.status.value == "closed" and poll.final_counts["answered"] == 1
    response = api.post(f"/groups/{group.id}/polls/{poll.id}/decision",
                        json={"slot": 0, "first_date": "2030-01-01", "supervisor_agreement": True},
                        headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert response.get_json()["error"]["violations"][0]["code"] == "poll_closed"
    assert "closed" in response.get_json()["error"]["violations"][0]["message"]


def test_a_member_who_leaves_takes_their_answers_out_of_the_counts(app, client, api, group, actor, settings):  # noqa: F811
    poll = open_poll(group, actor)
    staying, leaving = group.active_members[0], group.active_members[3]
    answer_page(client, settings, staying, **{"0": "yes", "1": "no", "2": "no"})
    answer_page(client, settings, leaving, **{"0": "yes", "1": "yes", "2": "if_need_be"})
    assert [s["yes"] for s in counts_json(api, group, poll)["slots"]] == [2, 1, 0]
    groups.member_leaves(leaving, actor)
    body = counts_json(api, group, poll)
    assert [s["yes"] for s in body["slots"]] == [1, 0, 0] and [s["if_need_be"] for s in body["slots"]] == [0, 0, 0]
    assert (body["answered"], body["not_answered"]) == (1, 3)
    assert db.session.scalar(select(func.count()).select_from(PollResponse)) == 1


def test_the_coordinators_one_reminder_goes_to_those_who_have_not_answered(app, client, api, group, actor, settings,  # noqa: F811
                                                                            smtp):
    poll = open_poll(group, actor)
    run_mail_jobs(app)
    invited = len(smtp.received)
    answered = group.active_members[:2]
    for member in answered:
        answer_page(client, settings, member, **{"0": "yes", "1": "yes", "2": "yes"})
    response = api.post(f"/groups/{group.id}/polls/{poll.id}/reminder")
    assert response.status_code == 200
    run_mail_jobs(app)
    reminders = smtp.received[invited:]
    assert sorted(r.rcpt_tos[0] for r in reminders) == sorted(m.email for m in group.active_members[2:])
    for received in reminders:
        text = every_text(received)
        assert not any(m.email in text for m in group.active_members if m.email != received.rcpt_tos[0])
    again = api.post(f"/groups/{group.id}/polls/{poll.id}/reminder")
    assert again.status_code == 422
    assert again.get_json()["error"]["violations"][0]["code"] == "reminder_already_sent"
    run_mail_jobs(app)
    assert len(smtp.received) == invited + 3


def test_the_automatic_reminder_goes_48_hours_before_closing_exactly_once(app, client, group, actor, settings, smtp):
    soon = open_poll(group, actor, closes_in=timedelta(hours=47))
    later = open_poll(group, actor, closes_in=timedelta(days=4))
    # Both were opened a week ago (as if): only the one closing within 48 hours is due.
    db.session.execute(update(Poll).values(created_at=now_utc() - timedelta(days=7)))
    db.session.commit()
    run_mail_jobs(app)
    invitations = len(smtp.received)
    polls.answer(soon, group.active_members[0], ["yes", "no", "no"])

    sweep()
    sweep()  # a second sweep (or a second worker) finds the flag already claimed
    assert polls.send_due_auto_reminders() == 0
    run_mail_jobs(app)
    reminders = smtp.received[invitations:]
    assert len(reminders) == 4  # the four who had not answered the poll closing soon; nothing for the other
    assert all(str(r.message["Subject"]) in ("Rappel : le sondage ferme bientôt", "Reminder: the poll closes soon")
               for r in reminders)
    letters = db.session.scalars(select(PollLetter).where(PollLetter.kind == PollLetterKind.AUTO_REMINDER)).all()
    assert {letter.poll_id for letter in letters} == {soon.id} and len(letters) == 4
    db.session.refresh(soon)
    db.session.refresh(later)
    assert soon.auto_reminder_at is not None and later.auto_reminder_at is None


def test_a_poll_opened_less_than_48_hours_before_closing_gets_no_automatic_reminder(app, group, actor, smtp):
    open_poll(group, actor, closes_in=timedelta(hours=30))
    run_mail_jobs(app)
    sweep()
    run_mail_jobs(app)
    assert len(smtp.received) == 5  # the invitations only


def test_bad_input_gets_a_clear_message_and_loses_nothing(app, api, group, actor):  # noqa: F811
    def post(payload, language="fr"):
        base = {"slots": [{"weekday": 2, "local_time": "12:00"}, {"weekday": 3, "local_time": "12:00"}],
                "occurrence_count": 8, "closes_at": local_closing(group)}
        response = api.post(f"/groups/{group.id}/polls", json={**base, **payload},
                            headers={"Accept-Language": language})
        assert response.status_code == 422, response.get_json()
        return {v["code"]: v for v in response.get_json()["error"]["violations"]}

    many = [{"weekday": 1 + i % 7, "local_time": f"{8 + i:02d}:00"} for i in range(13)]
    assert post({"slots": many})["slot_count"]["message"] == "Proposez de 2 à 12 moments."
    assert post({"slots": many[:1]}, "en")["slot_count"]["message"] == "Propose 2 to 12 times."
    duplicated = post({"slots": [{"weekday": 2, "local_time": "12:00"}, {"weekday": 2, "local_time": "12:00"}]})
    assert duplicated["slot_duplicated"]["field"] == "slots-1-local_time"
    assert "closes_in_past" in post({"closes_at": "2020-01-01T12:00:00"})
    assert "weekday_invalid" in post({"slots": [{"weekday": 8, "local_time": "12:00"},
                                                {"weekday": 2, "local_time": "12:00"}]})
    # Sundays at 2:30 and 1:30 for 60 weeks cross both daylight-saving changes in Toronto.
    gap = post({"slots": [{"weekday": 7, "local_time": "02:30"}, {"weekday": 7, "local_time": "01:30"}],
                "occurrence_count": 60})
    assert gap["local_time_nonexistent"]["field"] == "slots-0-local_time"
    assert gap["local_time_ambiguous"]["field"] == "slots-1-local_time"
    assert re.match(r"À 2\u00a0h\u00a030, le \d+ mars 20\d\d, cette heure n’existe pas",
                    gap["local_time_nonexistent"]["message"])
    assert re.match(r"À 1\u00a0h\u00a030, le \d+ novembre 20\d\d, cette heure existe deux fois",
                    gap["local_time_ambiguous"]["message"])
    english = post({"slots": [{"weekday": 7, "local_time": "02:30"}, {"weekday": 7, "local_time": "01:30"}],
                    "occurrence_count": 60}, "en")
    assert re.match(r"On March \d+, 20\d\d, 2:30\u00a0a\.m\. does not exist", english["local_time_nonexistent"]["message"])
    assert "twice" in english["local_time_ambiguous"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0
    assert db.session.scalar(select(func.count()).select_from(PollLetter)) == 0


def test_decisions_that_cannot_be_made_say_why_and_keep_the_answers(app, client, api, group, actor, settings):  # noqa: F811
    poll = open_poll(group, actor)
    answer_page(client, settings, group.active_members[0], **{"0": "yes", "1": "no", "2": "no"})

    def decide(payload):
        response = api.post(f"/groups/{group.id}/polls/{poll.id}/decision", json=payload)
        assert response.status_code == 422, response.get_json()
        return response.get_json()["error"]["violations"][0]

    tuesday = now_utc().date() + timedelta(days=(1 - now_utc().date().weekday()) % 7 + 7)
    assert decide({"slot": 9, "first_date": tuesday.isoformat()})["code"] == "slot_unknown"
    assert decide({"slot": 0, "first_date": (tuesday + timedelta(days=1)).isoformat()})["code"] == "first_date_weekday"
    assert decide({"slot": 0, "first_date": tuesday.isoformat()})["code"] == "supervisor_agreement_required"
    assert decide({"slot": 0, "first_date": (tuesday - timedelta(weeks=3)).isoformat(),
                   "supervisor_agreement": True})["code"] == "start_in_past"
    body = counts_json(api, group, poll)
    assert body["status"] == "open" and body["slots"][0]["yes"] == 1


def test_nobody_sees_anyone_elses_answers(app, client, api, group, actor, settings, smtp):  # noqa: F811
    poll = open_poll(group, actor)
    members = group.active_members
    for member, choice in zip(members, ["yes", "no", "if_need_be"]):
        answer_page(client, settings, member, **{"0": choice, "1": choice, "2": choice})
    names = [m.display_name for m in members] + [m.email for m in members]

    # The coordinator's page: counts, no name, no address.
    log_in(client)
    page = client.get(f"/coordination/groupes/{group.id}/sondages/{poll.id}").get_data(as_text=True)
    assert "3 membres ont répondu, 2 pas encore." in page
    assert not [n for n in names if n in page]
    # The API: counts only.
    text = api.get(f"/groups/{group.id}/polls/{poll.id}").get_data(as_text=True)
    assert not [n for n in names if n in text] and "member" not in text
    # A member's page shows their own answers only.
    own = client.get(f"/p/{poll_token(settings, members[1])}/sondage").get_data(as_text=True)
    assert len(re.findall(r"checked", own)) == 3 and len(re.findall(r'value="no" checked', own)) == 3
    assert not [n for n in names if n in own and n != members[1].display_name]
    # Every e-mail names its recipient only.
    api.post(f"/groups/{group.id}/polls/{poll.id}/reminder")
    run_mail_jobs(app)
    assert smtp.received
    for received in smtp.received:
        text = every_text(received)
        assert [m.email for m in members if m.email.lower() in text] == received.rcpt_tos
    # The audit trail carries ids and counts only.
    from service.models import AuditEvent
    details = [e.details for e in db.session.scalars(select(AuditEvent).where(AuditEvent.target_type == "poll"))]
    assert details and not any(set(d) & {"choices", "answers", "yes", "no"} for d in details)


def test_answers_are_erased_after_the_poll_ends_and_the_counts_stay(app, client, api, group, actor, settings):  # noqa: F811
    poll = open_poll(group, actor)
    answer_page(client, settings, group.active_members[0], **{"0": "yes", "1": "no", "2": "if_need_be"})
    polls.close_poll(poll, actor)
    assert polls.erase_spent_answers(now_utc()) == 0  # kept a little while
    assert polls.erase_spent_answers(now_utc() + polls.ANSWER_RETENTION + timedelta(minutes=1)) == 1
    assert db.session.scalar(select(func.count()).select_from(PollResponse)) == 0
    body = counts_json(api, group, poll)
    assert body["status"] == "closed" and [s["yes"] for s in body["slots"]] == [1, 0, 0]
    assert (body["answered"], body["not_answered"]) == (1, 4)


def test_the_coordinator_opens_a_poll_from_the_group_page_prefilled(app, client, group, smtp):
    log_in(client)
    page = client.get(f"/coordination/groupes/{group.id}").get_data(as_text=True)
    assert "Ouvrir un sondage de disponibilités" in page
    form = client.get(f"/coordination/groupes/{group.id}/sondages/nouveau").get_data(as_text=True)
    assert "suggestions" in form and 'value="12:00"' in form  # defaults: no volunteer pool in this branch
    # Times and dates are typed on the 24-hour clock like on the scheduling page: no browser picker (AM/PM).
    assert 'type="time"' not in form and 'type="date"' not in form and "par exemple 18 h 30" in form
    closes = (datetime.now(UTC) + timedelta(days=6)).date().isoformat()
    data = {"slot_0-weekday": "2", "slot_0-local_time": "12:00", "slot_0-duration_minutes": "30",
            "slot_3-weekday": "4", "slot_3-local_time": "19 h 30", "slot_3-duration_minutes": "30",
            "interval_weeks": "1", "occurrence_count": "8", "closes_on": closes, "closes_time": "17:00"}
    response = client.post(f"/coordination/groupes/{group.id}/sondages/nouveau", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    poll = db.session.scalars(select(Poll)).one()
    assert poll.slots == [{"weekday": 2, "local_time": "12:00", "duration_minutes": 30},
                          {"weekday": 4, "local_time": "19:30", "duration_minutes": 30}]
    # A duplicate on row 5 is reported on row 5.
    data.update({"slot_5-weekday": "2", "slot_5-local_time": "12:00", "slot_5-duration_minutes": "30"})
    response = client.post(f"/coordination/groupes/{group.id}/sondages/nouveau", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'href="#slot_5-local_time"' in page and 'id="slot_5-local_time-error">Ce moment est déjà proposé' in page


def test_consent_before_contact_holds_for_polls_and_newcomers_are_asked_too(app, api, group, actor, smtp,
                                                                            settings):  # noqa: F811
    """A member who has not said yes gets no e-mail and is not counted; once they confirm — or someone consenting
    joins while the poll is open — they are asked to answer like everyone else."""
    from service.domain import consent
    from service.domain.rules import MemberDraft

    waiting = groups.add_member(group, MemberDraft("Zoé Attente", "zoe@exemple.ca", "fr", "gestion9@exemple.ca"),
                                actor)
    run_mail_jobs(app)  # the welcome-and-consent e-mail
    smtp.received.clear()
    poll = open_poll(group, actor)
    run_mail_jobs(app)
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == sorted(m.email for m in group.active_members
                                                                   if m.consent_at is not None)
    assert "zoe@exemple.ca" not in [r.rcpt_tos[0] for r in smtp.received]
    assert counts_json(api, group, poll)["not_answered"] == 5

    smtp.received.clear()
    consent.confirm(db.session.get(type(waiting), waiting.id))
    newcomer = groups.add_member(group, MemberDraft("Éloïse Arrivée", "eloise@exemple.ca", "fr",
                                                    "gestion8@exemple.ca", consent_already_given=True), actor)
    run_mail_jobs(app)
    poll_mail = [r for r in smtp.received if f"/sondage" in every_text(r)]
    assert sorted(r.rcpt_tos[0] for r in poll_mail) == ["eloise@exemple.ca", "zoe@exemple.ca"]
    assert f"/p/{poll_token(settings, newcomer)}/sondage".lower() in every_text(
        next(r for r in poll_mail if r.rcpt_tos[0] == "eloise@exemple.ca"))
    assert counts_json(api, group, poll)["not_answered"] == 7
