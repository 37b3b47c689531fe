"""The coordinator's pages as laid out in a real browser (the machine's Chromium): what a unit test cannot see."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, PHONE, chromium, live_server, log_in_as_coordinator, screenshot, watch_errors

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium package")]

DESKTOP = {"width": 1280, "height": 900}


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_programme_menu_opens_inside_a_phones_screen_and_every_page_keeps_to_the_headers_column(
        app, settings, coordinator, language):
    with live_server(settings) as server, chromium() as browser:
        phone = browser.new_context(viewport=PHONE).new_page()
        errors = watch_errors(phone)
        log_in_as_coordinator(phone, server, language, coordinator.email, coordinator.display_name)
        phone.goto(f"{server}/coordination/")
        phone.locator(".nav-menu > summary").click()
        links = phone.locator(".nav-menu__links a")
        assert links.count() == 4
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], links.nth(index).inner_text()
        screenshot(phone, f"layout-menu-{language}-phone", full_page=False)
        links.first.click()  # and it leads somewhere
        assert phone.url.endswith("/coordination/volontaires")
        assert errors == []

        desktop = browser.new_context(viewport=DESKTOP).new_page()
        log_in_as_coordinator(desktop, server, language, coordinator.email, coordinator.display_name)
        header = _box(desktop, ".site-header__inner")
        for path in ("/coordination/", "/coordination/volontaires", "/coordination/organisation",
                     "/coordination/soutien", "/coordination/groupes/proposer"):
            desktop.goto(f"{server}{path}")
            main = _box(desktop, "main")
            assert abs(main["x"] - header["x"]) < 1 and abs(main["width"] - header["width"]) < 1, path
            assert desktop.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"], path


def test_the_import_report_stays_inside_a_phones_screen(app, settings, coordinator, tmp_path):
    rows = tmp_path / "pool.csv"
    rows.write_text("display_name,email,language,team\nBad Mail,pas-un-courriel,fr,\n"
                    "Inconnue,inconnue@exemple.ca,fr,cardiologie-pediatrique-de-nuit\n", encoding="utf-8")
    with live_server(settings) as server, chromium() as browser:
        phone = browser.new_context(viewport=PHONE).new_page()
        log_in_as_coordinator(phone, server, "fr", coordinator.email, coordinator.display_name)
        phone.goto(f"{server}/coordination/volontaires")
        phone.set_input_files("input[type=file]", str(rows))
        phone.locator("form[action$='/importer'] [type=submit]").click()
        phone.wait_for_selector(".import-report")
        assert phone.locator(".import-report tbody tr").count() == 2
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(phone, "layout-import-report-fr-phone")
