"""Proposed groups in the machine's Chromium: moving a person re-checks the rules at once (no page load), the
focus stays on the person moved, and accepting forms the groups. The real app on a port, CSRF on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from service.extensions import db
from service.models import Group, Volunteer, VolunteerStatus
from tests.browser import CHROMIUM, LAPTOP, chromium, live_server, screenshot, watch_errors
from tests.test_grouping_api import pool  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium package")]


def test_moving_a_boss_into_their_staffs_group_is_flagged_at_once_then_accepting_forms_the_groups(
        app, settings, coordinator, pool):
    with live_server(settings) as server, chromium() as browser:
        page = browser.new_context(viewport=LAPTOP, locale="fr-CA").new_page()
        errors = watch_errors(page)
        page.goto(f"{server}/coordination/connexion")
        page.fill("input[name=email]", coordinator.email)
        page.fill("input[name=display_name]", coordinator.display_name)
        page.locator("form[action$='/connexion/locale'] [type=submit]").click()
        page.goto(f"{server}/coordination/groupes/proposer")
        page.get_by_role("button", name="Proposer des groupes").click()
        page.wait_for_selector(".grouping-group")
        page.wait_for_load_state("load")  # the proposal's own page load is over before counting any other
        assert page.locator(".grouping-group--invalid").count() == 0
        loads = []
        page.on("load", lambda _: loads.append(page.url))

        boss = page.locator(f"#group-{pool['chef']}")
        boss.select_option(page.locator(f"#group-{pool['u0']}").input_value())
        page.wait_for_selector(".grouping-group--invalid")
        flagged = page.locator(".grouping-group--invalid").inner_text()
        assert "Chef Urgence" in flagged and "lien hiérarchique" in flagged
        assert page.evaluate("document.activeElement.id") == f"group-{pool['chef']}"
        assert "1 groupe à corriger" in page.locator("#grouping-announce").inner_text()
        screenshot(page, "grouping-moved")

        page.locator(f"#group-{pool['chef']}").select_option("")
        page.wait_for_selector(".grouping-group--invalid", state="detached")
        assert loads == []  # both checks happened without leaving the page
        page.get_by_role("button", name="Accepter et former les groupes").click()
        page.wait_for_url(f"{server}/coordination/")
        assert "2 groupes sont formés" in page.inner_text("body")
        assert errors == []
    assert db.session.execute(select(func.count()).select_from(Group)).scalar_one() == 2
    assert db.session.get(Volunteer, pool["chef"]).status is VolunteerStatus.AVAILABLE
