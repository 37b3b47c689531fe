"""Moving a whole series from a session's page: the new dates are shown first (each session from where it starts
to where it would start, daylight-saving changes marked, rules checked), and « Déplacer ces N rencontres » moves
exactly those — or shows them again if the series changed in between."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from service.domain import scheduling
from service.domain.errors import DomainError
from service.extensions import db
from service.models import Invite, InviteMethod, SessionStatus
from tests.coordinator_helpers import error_summary_links
from tests.factories import make_group
from tests.test_api import api, token  # noqa: F401  (fixtures)
from tests.test_scheduling import next_weekday

SPRING = date(2027, 2, 28)  # Sundays around the spring change of 2027 in Toronto (March 14: 02:00 -> 03:00)


@pytest.fixture
def group(actor):
    return make_group(actor, members=5)


def _series(group, actor, first: date, at: time = time(19), count: int = 4):
    return scheduling.schedule_series(group, scheduling.SeriesPlan(first, at, occurrence_count=count), actor)


def _url(series) -> str:
    return f"/coordination/groupes/{series.group_id}/series/{series.id}/deplacer"


def _move(series, **changes) -> dict:
    return {"weekday": str(series.weekday), "at": "19:00", "duration_minutes": "30", **changes}


def _previewed(page: str) -> str:
    return re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', page).group(1)


def _starts(series) -> list[datetime]:
    db.session.expire_all()
    return [s.starts_at for s in series.sessions if s.status is SessionStatus.SCHEDULED]


def _series_invites(series) -> int:
    return db.session.scalar(select(func.count()).select_from(Invite).where(
        Invite.series_id == series.id, Invite.method == InviteMethod.REQUEST))


def test_the_new_dates_are_shown_next_to_the_current_ones_and_nothing_moves(signed_in, group, actor):
    tuesday = next_weekday(1)
    series = _series(group, actor, tuesday)
    before, invites = _starts(series), _series_invites(series)
    response = signed_in.post(_url(series), data=_move(series, weekday="2", at="19:30",
                                                       preview="Voir les nouvelles dates"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    wednesdays = [(tuesday + timedelta(days=1 + 7 * week)).isoformat() for week in range(4)]
    assert re.findall(r'data-occurrence="([\d-]+)"', page) == wednesdays
    assert re.findall(r'data-previous="([^"]+)"', page) == [moment.isoformat() for moment in before]
    assert page.count("19\u00a0h\u00a030") >= 4 and page.count("19\u00a0h\u00a000") >= 4  # the new time, and the current one
    assert "Les nouvelles dates : 4 rencontres" in page and "Déplacer ces 4 rencontres" in page
    assert _starts(series) == before and _series_invites(series) == invites

    # The first press of the old one-step form (no preview seen) shows the dates too.
    response = signed_in.post(_url(series), data=_move(series, weekday="2", at="19:30", submit="Déplacer"))
    assert response.status_code == 200 and _starts(series) == before


def test_confirming_moves_exactly_the_dates_shown_and_sends_updated_invitations(signed_in, group, actor):
    tuesday = next_weekday(1)
    series = _series(group, actor, tuesday)
    invites = _series_invites(series)
    moved = _move(series, weekday="2", at="19:30", duration_minutes="45")
    page = signed_in.post(_url(series), data=moved).get_data(as_text=True)
    response = signed_in.post(_url(series), data={**moved, "previewed": _previewed(page), "submit": "Déplacer"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#rencontres")
    shown = re.findall(r'data-occurrence="([\d-]+)"', page)
    db.session.expire_all()
    sessions = [s for s in series.sessions if s.status is SessionStatus.SCHEDULED]
    assert [s.starts_at.astimezone(_toronto()).date().isoformat() for s in sessions] == shown
    assert {s.starts_at.astimezone(_toronto()).time() for s in sessions} == {time(19, 30)}
    assert {s.duration_minutes for s in sessions} == {45} and series.weekday == 2
    assert _series_invites(series) == invites + len(group.active_members)  # one updated copy each


def test_a_time_the_clocks_skip_is_flagged_and_asked_before_the_move(signed_in, group, actor):
    series = _series(group, actor, SPRING)
    before = _starts(series)
    moved = _move(series, at="02:30")
    response = signed_in.post(_url(series), data=moved)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.findall(r'data-occurrence="([\d-]+)"', page) == ["2027-02-28", "2027-03-07", "2027-03-14", "2027-03-21"]
    assert page.count("data-dst-change") == 1 and "Changement d’heure : heure avancée de l’Est" in page
    assert "2\u00a0h\u00a030 n’existe pas ce jour-là : la rencontre commencerait à 3\u00a0h\u00a030" in page
    assert 'name="daylight_saving_confirmed"' in page  # asked, not yet answered

    # Confirming without answering: the question comes back on its box, the dates still in view, nothing moved.
    confirm = {**moved, "previewed": _previewed(page), "submit": "Déplacer"}
    response = signed_in.post(_url(series), data=confirm)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and error_summary_links(page) == ["daylight_saving_confirmed"]
    assert page.count("data-occurrence=") == 4 and _starts(series) == before
    assert signed_in.post(_url(series), data={**confirm, "daylight_saving_confirmed": "y"}).status_code == 302
    assert _starts(series)[2] == datetime(2027, 3, 14, 7, 30, tzinfo=timezone.utc)  # 03:30 daylight time


def test_rules_are_checked_in_the_preview_and_no_move_is_offered_until_met(signed_in, group, actor):
    series = _series(group, actor, next_weekday(1))
    response = signed_in.post(_url(series), data=_move(series, at="10:00"))  # a Tuesday morning: working hours
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and error_summary_links(page) == ["supervisor_agreement"]
    assert page.count("data-occurrence=") == 4 and "Déplacer ces 4 rencontres" not in page
    agreed = _move(series, at="10:00", supervisor_agreement="y")
    page = signed_in.post(_url(series), data=agreed).get_data(as_text=True)
    assert "Déplacer ces 4 rencontres" in page
    response = signed_in.post(_url(series), data={**agreed, "previewed": _previewed(page), "submit": "Déplacer"})
    assert response.status_code == 302


def test_a_series_changed_since_the_preview_is_shown_again_not_moved(signed_in, group, actor):
    series = _series(group, actor, next_weekday(1))
    moved = _move(series, at="20:00")
    page = signed_in.post(_url(series), data=moved).get_data(as_text=True)
    assert page.count("data-occurrence=") == 4
    scheduling.cancel_session(series.sessions[1], actor)  # meanwhile, someone cancels one session
    before = _starts(series)

    response = signed_in.post(_url(series), data={**moved, "previewed": _previewed(page), "submit": "Déplacer"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "data-series-stale" in page and "Rien n’a été déplacé" in page
    assert page.count("data-occurrence=") == 3 and "Déplacer ces 3 rencontres" in page
    assert _starts(series) == before
    # The dates now shown are the ones confirmed.
    response = signed_in.post(_url(series), data={**moved, "previewed": _previewed(page), "submit": "Déplacer"})
    assert response.status_code == 302
    assert {s.astimezone(_toronto()).time() for s in _starts(series)} == {time(20)} and len(_starts(series)) == 3


def test_values_changed_after_the_preview_are_previewed_again(signed_in, group, actor):
    series = _series(group, actor, next_weekday(1))
    page = signed_in.post(_url(series), data=_move(series, at="20:00")).get_data(as_text=True)
    before = _starts(series)
    response = signed_in.post(_url(series), data={**_move(series, at="20:15"), "previewed": _previewed(page),
                                                  "submit": "Déplacer"})
    assert response.status_code == 200 and "20\u00a0h\u00a015" in response.get_data(as_text=True)
    assert _starts(series) == before


def test_the_domain_refuses_a_move_other_than_the_one_previewed(group, actor):
    series = _series(group, actor, next_weekday(1))
    preview = scheduling.preview_series_move(series, time(20), 30)
    scheduling.cancel_session(series.sessions[0], actor)
    with pytest.raises(DomainError) as refused:
        scheduling.reschedule_series(series, time(20), 30, actor, previewed=preview.fingerprint)
    assert [v.code for v in refused.value.violations] == ["series_changed"]
    fresh = scheduling.preview_series_move(series, time(20), 30)
    scheduling.reschedule_series(series, time(20), 30, actor, previewed=fresh.fingerprint)


@pytest.mark.parametrize("values", [
    {"at": "25:99"}, {"at": ""}, {"duration_minutes": "abc"}, {"duration_minutes": "0"}, {"weekday": "9"},
    {"weekday": "x"}, {"previewed": "not-a-fingerprint", "submit": "Déplacer"}, {"duration_minutes": "99999"},
])
def test_bad_input_is_answered_on_the_page(signed_in, group, actor, values):
    series = _series(group, actor, next_weekday(1))
    before = _starts(series)
    response = signed_in.post(_url(series), data=_move(series, **values))
    assert response.status_code in (200, 422)
    assert _starts(series) == before


def test_the_english_preview(signed_in, group, actor):
    series = _series(group, actor, SPRING)
    signed_in.get("/language/en")
    page = signed_in.post(_url(series), data=_move(series, at="02:30")).get_data(as_text=True)
    assert "The new dates: 4 sessions" in page and "See the new dates" not in page
    assert "Time change: Eastern Daylight Saving Time" in page and "Move these 4 sessions" in page


def _toronto():
    from zoneinfo import ZoneInfo

    return ZoneInfo("America/Toronto")


def test_the_api_previews_a_move_with_the_same_list_and_questions_without_moving(api, group, actor):
    series = _series(group, actor, SPRING)
    before = _starts(series)
    url = f"/groups/{group.id}/series/{series.id}/preview"
    response = api.post(url, json={"local_time": "02:30", "duration_minutes": 30, "weekday": 6})
    assert response.status_code == 200
    preview = response.get_json()
    assert [o["date"] for o in preview["occurrences"]] == ["2027-02-28", "2027-03-07", "2027-03-14", "2027-03-21"]
    assert [o["session_id"] for o in preview["occurrences"]] == [s.id for s in series.sessions]
    assert [o["current_starts_at"] for o in preview["occurrences"]] == [moment.isoformat() for moment in before]
    assert preview["occurrences"][2]["local_time_issue"] == "nonexistent"
    assert [q["code"] for q in preview["questions"]] == ["nonexistent_local_time"] and preview["violations"] == []
    assert _starts(series) == before
    assert api.post(url, json={"local_time": "25:00", "duration_minutes": 30}).status_code == 422
    scheduling.cancel_series(series, actor)
    assert api.post(url, json={"local_time": "19:00", "duration_minutes": 30}).status_code == 422


def test_a_series_cancelled_meanwhile_is_refused_with_its_reason(signed_in, group, actor):
    series = _series(group, actor, next_weekday(1))
    page = signed_in.post(_url(series), data=_move(series, at="20:00")).get_data(as_text=True)
    scheduling.cancel_series(series, actor)
    response = signed_in.post(_url(series), data={**_move(series, at="20:00"), "previewed": _previewed(page),
                                                  "submit": "Déplacer"})
    assert response.status_code == 422
    assert "Cette série est annulée" in response.get_data(as_text=True)
