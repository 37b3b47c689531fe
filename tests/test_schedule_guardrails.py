"""Guardrails when scheduling (issue 17, items 9 and 10): the kick-off comes first and once, a series' dates are
shown before it is saved, and a time the clocks skip or repeat is never moved silently — on the pages and in the
API (422 with a clear code and message, in French or English)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import select

from service.domain import scheduling
from service.extensions import db
from service.models import GroupSession, SessionSeries
from service.protocol import SessionKind
from tests.coordinator_helpers import error_summary_links
from tests.factories import make_group
from tests.test_api import api, token  # noqa: F401  (fixtures)
from tests.test_scheduling import next_weekday

# Sundays around the spring change of 2027 in Toronto (March 14: 02:00 -> 03:00).
SPRING = date(2027, 2, 28)


@pytest.fixture
def group(actor):
    return make_group(actor, members=5)


def _violations(response) -> dict[str, dict]:
    return {v["code"]: v for v in response.get_json()["error"]["violations"]}


# ------------------------------------------------------------------------------------------ API: daylight saving

def test_api_refuses_a_series_whose_time_does_not_exist_on_one_date_until_confirmed(api, group):
    body = {"first_date": SPRING.isoformat(), "local_time": "02:30", "occurrence_count": 4}
    response = api.post(f"/groups/{group.id}/series", json=body)
    assert response.status_code == 422
    violation = _violations(response)["nonexistent_local_time"]
    assert violation["field"] == "daylight_saving_confirmed"
    assert "14 mars 2027" in violation["message"] and "une heure plus tard" in violation["message"]
    english = api.post(f"/groups/{group.id}/series", json=body, headers={"Accept-Language": "en"})
    message = _violations(english)["nonexistent_local_time"]["message"]
    assert "March 14, 2027" in message and "does not exist" in message
    assert db.session.execute(select(SessionSeries)).first() is None

    response = api.post(f"/groups/{group.id}/series", json={**body, "daylight_saving_confirmed": True})
    assert response.status_code == 201
    starts = [s.starts_at for s in db.session.execute(select(GroupSession).order_by(GroupSession.starts_at)).scalars()]
    assert starts[2] == datetime(2027, 3, 14, 7, 30, tzinfo=timezone.utc)  # 03:30 daylight time, as confirmed


def test_api_refuses_a_single_session_at_a_skipped_or_repeated_time(api, group):
    skipped = api.post(f"/groups/{group.id}/sessions", json={"kind": "regular", "starts_at": "2027-03-14T02:30:00"})
    assert skipped.status_code == 422 and "nonexistent_local_time" in _violations(skipped)
    repeated = api.post(f"/groups/{group.id}/sessions", json={"kind": "regular", "starts_at": "2027-11-07T01:30:00"},
                        headers={"Accept-Language": "en"})
    assert repeated.status_code == 422
    assert "happens twice on November 7, 2027" in _violations(repeated)["ambiguous_local_time"]["message"]
    # With its offset the instant is unambiguous: nothing to ask.
    exact = api.post(f"/groups/{group.id}/sessions", json={"kind": "regular", "starts_at": "2027-11-07T01:30:00-05:00"})
    assert exact.status_code == 201


def test_moving_a_session_or_a_series_onto_a_skipped_time_is_asked_too(api, group, actor):
    session = scheduling.schedule_session(group, SessionKind.REGULAR, datetime(2027, 3, 10, 19), 30, actor)
    moved = api.patch(f"/groups/{group.id}/sessions/{session.id}", json={"starts_at": "2027-03-14T02:30:00"})
    assert moved.status_code == 422 and "nonexistent_local_time" in _violations(moved)
    series = scheduling.schedule_series(group, scheduling.SeriesPlan(SPRING, time(19), occurrence_count=4), actor)
    response = api.patch(f"/groups/{group.id}/series/{series.id}", json={"local_time": "02:30", "duration_minutes": 30})
    assert response.status_code == 422 and "nonexistent_local_time" in _violations(response)
    response = api.patch(f"/groups/{group.id}/series/{series.id}",
                         json={"local_time": "02:30", "duration_minutes": 30, "daylight_saving_confirmed": True})
    assert response.status_code == 200


# ------------------------------------------------------------------------------------------------ API: kick-off

def test_api_a_second_kickoff_points_to_the_first_unless_confirmed(api, group, actor):
    first = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(1), time(18, 30)),
                                        60, actor)
    again = {"kind": "kickoff", "starts_at": datetime.combine(next_weekday(1, 2), time(18, 30)).isoformat()}
    response = api.post(f"/groups/{group.id}/sessions", json=again)
    assert response.status_code == 422
    violation = _violations(response)["kickoff_exists"]
    assert violation["session_id"] == first.id and violation["field"] == "second_kickoff_confirmed"
    assert "18\u00a0h\u00a030" in violation["message"] and "Déplacez-la" in violation["message"]
    assert api.get(f"/groups/{group.id}/sessions/{violation['session_id']}").status_code == 200
    second = api.post(f"/groups/{group.id}/sessions", json={**again, "second_kickoff_confirmed": True})
    assert second.status_code == 201
    # Cancelled kick-offs no longer count.
    for session_id in (first.id, second.get_json()["id"]):
        assert api.delete(f"/groups/{group.id}/sessions/{session_id}").status_code == 204
    assert api.post(f"/groups/{group.id}/sessions", json=again).status_code == 201


def test_api_a_regular_session_before_the_kickoff_is_asked_about(api, group, actor):
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(1, 3), time(18)),
                                          60, actor)
    before = {"kind": "regular", "starts_at": datetime.combine(next_weekday(1, 1), time(19)).isoformat()}
    response = api.post(f"/groups/{group.id}/sessions", json=before)
    assert response.status_code == 422 and _violations(response)["before_kickoff"]["session_id"] == kickoff.id
    series = {"first_date": next_weekday(2, 1).isoformat(), "local_time": "19:00", "occurrence_count": 6}
    response = api.post(f"/groups/{group.id}/series", json=series)
    assert response.status_code == 422 and "before_kickoff" in _violations(response)
    assert api.post(f"/groups/{group.id}/series", json={**series, "before_kickoff_confirmed": True}).status_code == 201
    after = {"kind": "regular", "starts_at": datetime.combine(next_weekday(1, 4), time(19)).isoformat()}
    assert api.post(f"/groups/{group.id}/sessions", json=after).status_code == 201
    # A rehearsal is not a group session: it may come first.
    rehearsal = {"kind": "rehearsal", "starts_at": datetime.combine(next_weekday(3, 1), time(19)).isoformat(),
                 "moderator_id": group.active_members[0].id}
    assert api.post(f"/groups/{group.id}/sessions", json=rehearsal).status_code == 201


# ------------------------------------------------------------------------------------------- the schedule page

def _series_form(**changes) -> dict:
    data = {"which": "series", "series-weekday": "6", "series-starts_on": SPRING.isoformat(), "series-at": "02:30",
            "series-interval_weeks": "1", "series-duration_minutes": "30", "series-occurrence_count": "4"}
    data.update(changes)
    return data


def _previewed(page: str) -> str:
    return re.search(r'name="series-previewed" type="hidden" value="([0-9a-f]+)"', page).group(1)


def test_the_series_dates_are_shown_with_the_change_of_time_before_anything_is_saved(signed_in, group):
    url = f"/coordination/groupes/{group.id}/planifier"
    response = signed_in.post(url, data=_series_form(**{"series-preview": "Voir les dates"}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r'data-occurrence="([\d-]+)"', page) == ["2027-02-28", "2027-03-07", "2027-03-14", "2027-03-21"]
    assert page.count("data-dst-change") == 1 and "Changement d’heure : heure avancée de l’Est" in page
    assert "2\u00a0h\u00a030 n’existe pas ce jour-là : la rencontre commencerait à 3\u00a0h\u00a030" in page
    assert 'name="series-daylight_saving_confirmed"' in page  # asked, not yet answered
    assert "Planifier ces 4 rencontres" in page
    assert db.session.execute(select(SessionSeries)).first() is None

    # Saving without answering: the question comes back on its box, the dates still in view.
    confirm = _series_form(**{"series-previewed": _previewed(page), "series-submit": "Planifier"})
    response = signed_in.post(url, data=confirm)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_summary_links(page) == ["series-daylight_saving_confirmed"]
    assert page.count("data-occurrence=") == 4
    response = signed_in.post(url, data={**confirm, "series-daylight_saving_confirmed": "y"})
    assert response.status_code == 302
    assert len(db.session.execute(select(SessionSeries)).scalar_one().sessions) == 4


def test_values_changed_after_the_preview_are_previewed_again_not_saved(signed_in, group):
    url = f"/coordination/groupes/{group.id}/planifier"
    page = signed_in.post(url, data=_series_form(**{"series-at": "19:00"})).get_data(as_text=True)
    changed = _series_form(**{"series-at": "19:00", "series-occurrence_count": "5",
                              "series-previewed": _previewed(page), "series-submit": "Planifier"})
    response = signed_in.post(url, data=changed)
    assert response.status_code == 200 and response.get_data(as_text=True).count("data-occurrence=") == 5
    assert db.session.execute(select(SessionSeries)).first() is None


def test_the_english_preview_names_the_zone_change_in_english(signed_in, group):
    signed_in.get("/language/en")
    page = signed_in.post(f"/coordination/groupes/{group.id}/planifier",
                          data=_series_form()).get_data(as_text=True)
    assert "Time change: Eastern Daylight Saving Time" in page
    assert re.search(r"2:30\sa\.m\. does not exist that day: the session would start at 3:30\sa\.m\.", page)


def test_once_the_kickoff_is_scheduled_the_page_offers_to_move_it(signed_in, group, actor):
    url = f"/coordination/groupes/{group.id}/planifier"
    kickoff = scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(1, 2), time(18)),
                                          60, actor)
    page = signed_in.get(url).get_data(as_text=True)
    assert "Déplacer la rencontre de démarrage" in page
    assert f"/coordination/groupes/{group.id}/rencontres/{kickoff.id}#deplacer" in page
    assert '<details class="second-kickoff">' in page  # the form is folded away
    assert "pas encore de rencontre de démarrage" not in page
    second = {"which": "kickoff", "kickoff-starts_on": next_weekday(1, 3).isoformat(), "kickoff-at": "18:00",
              "kickoff-duration_minutes": "60"}
    response = signed_in.post(url, data=second)
    assert response.status_code == 422
    assert error_summary_links(response.get_data(as_text=True)) == ["kickoff-second_kickoff_confirmed"]
    assert signed_in.post(url, data={**second, "kickoff-second_kickoff_confirmed": "y"}).status_code == 302


def test_a_single_regular_session_before_the_kickoff_is_asked_about(signed_in, group, actor):
    url = f"/coordination/groupes/{group.id}/planifier"
    page = signed_in.get(url).get_data(as_text=True)
    assert "pas encore de rencontre de démarrage" in page
    scheduling.schedule_session(group, SessionKind.KICKOFF, datetime.combine(next_weekday(1, 3), time(18)), 60,
                                actor)
    single = {"which": "single", "single-kind": "regular", "single-starts_on": next_weekday(2, 1).isoformat(),
              "single-at": "19:00", "single-duration_minutes": "30"}
    response = signed_in.post(url, data=single)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_summary_links(page) == ["single-before_kickoff_confirmed"]
    assert "avant la rencontre de démarrage" in page
    assert signed_in.post(url, data={**single, "single-before_kickoff_confirmed": "y"}).status_code == 302


def test_api_previews_a_series_with_the_same_list_and_questions_without_saving(api, group):
    body = {"first_date": SPRING.isoformat(), "local_time": "02:30", "occurrence_count": 4}
    response = api.post(f"/groups/{group.id}/series/preview", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    preview = response.get_json()
    assert [o["date"] for o in preview["occurrences"]] == ["2027-02-28", "2027-03-07", "2027-03-14", "2027-03-21"]
    assert [o["offset_changed"] for o in preview["occurrences"]] == [False, False, True, False]
    third = preview["occurrences"][2]
    assert third["local_time_issue"] == "nonexistent" and third["local_start"] == "2027-03-14T03:30"
    assert third["utc_offset_minutes"] == -240 and third["starts_at"] == "2027-03-14T07:30:00+00:00"
    assert [q["code"] for q in preview["questions"]] == ["nonexistent_local_time"]
    assert "March 14, 2027" in preview["questions"][0]["message"] and preview["violations"] == []
    confirmed = api.post(f"/groups/{group.id}/series/preview", json={**body, "daylight_saving_confirmed": True})
    assert confirmed.get_json()["questions"] == []
    assert db.session.execute(select(SessionSeries)).first() is None
