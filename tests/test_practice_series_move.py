"""Moving the community of practice's series from the support page: the new dates first, then exactly those move
(every member gets the update); another series, or a series over, is not reachable here."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from service.domain import practice, scheduling, supervisors
from service.domain.scheduling import SeriesPlan
from service.extensions import db
from service.models import AuditEvent, SessionStatus
from tests.factories import make_group
from tests.test_api import api, token  # noqa: F401  (fixtures)
from tests.test_scheduling import next_weekday


@pytest.fixture
def series(actor):
    supervisors.add_supervisor(actor.organisation_id, "Sophie Lavoie", "sophie@acsm.example", "fr", actor)
    return practice.schedule_practice_series(
        actor.organisation_id, SeriesPlan(next_weekday(1), time(18), occurrence_count=4), "fr", "America/Toronto",
        actor, supervisor_agreement=True)


def _url(series) -> str:
    return f"/coordination/soutien/series/{series.id}/deplacer"


def _previewed(page: str) -> str:
    return re.search(r'name="previewed" type="hidden" value="([0-9a-f]+)"', page).group(1)


def _starts(series) -> list:
    db.session.expire_all()
    return [s.starts_at for s in series.sessions if s.status is SessionStatus.SCHEDULED]


def test_the_support_page_links_to_the_move_which_shows_the_series_as_it_is(signed_in, series):
    assert _url(series) in signed_in.get("/coordination/soutien").get_data(as_text=True)
    page = signed_in.get(_url(series)).get_data(as_text=True)
    assert "Déplacer la série de la communauté de pratique" in page
    assert "Série\u00a0: chaque semaine, le mardi à 18\u00a0h\u00a000" in page and "4 rencontres à venir" in page
    assert 'value="18:00"' in page and "data-series-preview" not in page


def test_the_new_dates_show_first_then_exactly_those_move(signed_in, series, actor):
    before = _starts(series)
    moved = {"weekday": "2", "at": "17:30", "duration_minutes": "30", "supervisor_agreement": "y"}
    shown = signed_in.post(_url(series), data={**moved, "preview": "Voir les nouvelles dates"})
    page = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Les nouvelles dates\u00a0: 4 rencontres" in page
    assert re.findall(r'data-occurrence="([\d-]+)"', page) == [
        (next_weekday(1) + timedelta(days=1 + 7 * week)).isoformat() for week in range(4)]
    assert _starts(series) == before  # nothing moved yet

    done = signed_in.post(_url(series), data={**moved, "previewed": _previewed(page), "submit": "Déplacer"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/coordination/soutien#communaute")
    after = _starts(series)
    assert [b + timedelta(days=1, minutes=-30) for b in before] == after
    assert db.session.query(AuditEvent).filter_by(action="series.rescheduled", target_id=series.id).count() == 1


def test_a_series_changed_since_its_preview_moves_nothing(signed_in, series, actor):
    moved = {"weekday": "2", "at": "17:30", "duration_minutes": "30", "supervisor_agreement": "y"}
    page = signed_in.post(_url(series), data={**moved, "preview": "Voir"}).get_data(as_text=True)
    scheduling.cancel_session(series.sessions[1], actor)
    before = _starts(series)
    again = signed_in.post(_url(series), data={**moved, "previewed": _previewed(page), "submit": "Déplacer"})
    assert again.status_code == 200 and "data-series-stale" in again.get_data(as_text=True)  # shown again
    assert "Les nouvelles dates\u00a0: 3 rencontres" in again.get_data(as_text=True)
    assert _starts(series) == before


def test_only_the_organisations_community_series_are_reachable(signed_in, series, actor):
    group = make_group(actor, members=5)
    ordinary = scheduling.schedule_series(group, SeriesPlan(next_weekday(2), time(19), occurrence_count=2), actor)
    assert signed_in.get(_url(ordinary)).status_code == 404
    assert signed_in.get("/coordination/soutien/series/999999/deplacer").status_code == 404
    bad = signed_in.post(_url(series), data={"weekday": "2", "at": "25:99", "duration_minutes": "x", "preview": "V"})
    assert bad.status_code == 422 and "data-error-summary" in bad.get_data(as_text=True)
    scheduling.cancel_series(series, actor)
    over = signed_in.get(_url(series))
    assert over.status_code == 302 and over.headers["Location"].endswith("/coordination/soutien#communaute")


def test_the_api_previews_then_moves_the_community_series(api, series, actor):
    before = _starts(series)
    body = {"weekday": 2, "local_time": "17:30", "duration_minutes": 30, "supervisor_agreement": True}
    preview = api.post(f"/practice/series/{series.id}/preview", json=body)
    assert preview.status_code == 200, preview.get_json()
    assert len(preview.get_json()["occurrences"]) == 4 and _starts(series) == before
    moved = api.patch(f"/practice/series/{series.id}", json=body)
    assert moved.status_code == 200, moved.get_json()
    assert _starts(series) == [b + timedelta(days=1, minutes=-30) for b in before]
    group = make_group(actor, members=5)
    ordinary = scheduling.schedule_series(group, SeriesPlan(next_weekday(2), time(19), occurrence_count=2), actor)
    assert api.patch(f"/practice/series/{ordinary.id}", json=body).status_code == 404


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_move_page_at_both_widths(app, settings, series, language):
    from tests.browser import chromium, coordinator_pages_at_both_widths, live_server, screenshot

    fr = language == "fr"
    with live_server(settings) as server, chromium() as browser:
        for width, page, errors in coordinator_pages_at_both_widths(browser, server, language):
            page.goto(f"{server}/coordination/soutien#communaute")
            page.get_by_role("link", name="Déplacer la série" if fr else "Move the series").click()
            page.locator("#weekday").select_option("2")
            page.locator("#at").fill("17:30")
            page.locator("#supervisor_agreement").check()
            page.locator("[name=preview]").click()
            page.locator("[data-series-preview]").wait_for()
            assert page.locator("[data-occurrence]").count() == 4
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            screenshot(page, f"practice-series-move-{language}-{width}")
            assert errors == []
