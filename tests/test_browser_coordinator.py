"""A coordinator in a real browser (the machine's Chromium, headless): log in, form a group in French, be stopped
by a hierarchy conflict as they type, fix it, schedule a kick-off and a weekly series, and see the Zoom meetings
appear — with real processes: the web app on a port, the Zoom sandbox, and an RQ worker.

Screenshots go to tests/artifacts/ (git-ignored) so a person can look at each step.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from service.app import create_app
from tests.coordinator_helpers import close_app
from tests.test_scheduling import next_weekday

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium package")]


@pytest.fixture
def app_settings(zoom_settings):
    return zoom_settings


@pytest.fixture
def worker(app, test_environment, zoom_sandbox):
    """``python -m worker`` as a separate process, on the test database, Redis and Zoom sandbox."""
    environment = {**os.environ, **test_environment, "ZOOM_API_URL": zoom_sandbox.api_url,
                   "ZOOM_OAUTH_URL": zoom_sandbox.oauth_url}
    process = subprocess.Popen([sys.executable, "-m", "worker"], cwd=Path(__file__).resolve().parent.parent,
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield process
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def live_server(app, app_settings):
    """The real application (CSRF on) served over HTTP on an ephemeral port, on the test database."""
    served = create_app(app_settings)
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    close_app(served)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="fr-CA", viewport={"width": 1280, "height": 900})
        yield context.new_page()
        browser.close()


def shoot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"coordinator-{name}.png"), full_page=True)


def fill_member(page, row: int, name: str, email: str, reports_to: str = "", trained: bool = False) -> None:
    page.fill(f"#members-{row}-display_name", name)
    page.fill(f"#members-{row}-email", email)
    if reports_to:
        page.fill(f"#members-{row}-reports_to_email", reports_to)
    if trained:
        page.check(f"#members-{row}-is_trained_moderator")
    page.check(f"#members-{row}-consent_already_given")  # collected on paper: the invitations go at once


def test_a_coordinator_forms_a_group_and_schedules_its_sessions(live_server, worker, zoom_sandbox, app_settings,
                                                                 page):
    settings = app_settings
    from playwright.sync_api import expect

    outbox = Path(settings.MAIL_OUTBOX_DIR)
    sent_before = set(outbox.glob("*.eml"))  # the folder is the session's: earlier tests may have written to it
    page.goto(f"{live_server}/coordination/")
    expect(page.locator("h1")).to_have_text("Connexion des personnes coordonnatrices")
    page.fill("#email", "camille@exemple.ca")
    page.fill("#display_name", "Camille Tremblay")
    shoot(page, "01-login")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Mes groupes")
    shoot(page, "02-no-groups")

    page.get_by_role("link", name="Former un nouveau groupe").click()
    page.get_by_label("Nom du groupe").fill("Soins intensifs — soir")
    fill_member(page, 0, "Amélie Gagnon", "amelie.gagnon@exemple.ca", "chef.soins@exemple.ca", trained=True)
    fill_member(page, 1, "Benoît Roy", "benoit.roy@exemple.ca", "chef.soins@exemple.ca")
    fill_member(page, 2, "Chloé Martin", "chloe.martin@exemple.ca", "chef.soins@exemple.ca")
    # Danielle reports to Amélie, who is in the group: the live check says so on her field, before submitting.
    fill_member(page, 3, "Danielle Côté", "danielle.cote@exemple.ca", "amelie.gagnon@exemple.ca")
    page.locator("#members-3-reports_to_email").blur()
    conflict = page.locator("#members-3-reports_to_email-error")
    expect(conflict).to_contain_text("Danielle Côté relève d’Amélie Gagnon", timeout=5000)
    expect(page.locator("#members-3-reports_to_email")).to_have_attribute("aria-invalid", "true")
    shoot(page, "03-live-hierarchy-conflict")

    page.get_by_role("button", name="Créer le groupe").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Quelques informations sont à corriger")
    expect(summary).to_be_focused()
    shoot(page, "04-server-refuses-the-conflict")
    summary.get_by_role("link").first.click()
    expect(page.locator("#members-3-reports_to_email")).to_be_focused()

    page.fill("#members-3-reports_to_email", "chef.soins@exemple.ca")
    page.get_by_role("button", name="Créer le groupe").click()
    expect(page.locator(".flash--success")).to_contain_text("Le groupe «\u00a0Soins intensifs — soir\u00a0» est créé")
    expect(page.locator("h1")).to_contain_text("Planifier les rencontres")
    shoot(page, "05-schedule")

    kickoff = page.locator("section", has=page.locator("#demarrage"))
    kickoff.get_by_label("Date").fill(next_weekday(1).isoformat())
    kickoff.get_by_label("Heure").fill("18:30")
    kickoff.get_by_role("button", name="Planifier la rencontre de démarrage").click()
    expect(page.locator(".flash--success")).to_contain_text("La rencontre est planifiée")

    page.get_by_role("link", name="Planifier des rencontres").click()
    series = page.locator("section", has=page.locator("#serie"))
    series.get_by_label("Jour de la semaine").select_option(label="mercredi")
    series.get_by_label("À partir du").fill(next_weekday(0, 2).isoformat())
    series.get_by_label("Heure").fill("12:15")
    series.get_by_label("Nombre de rencontres").fill("6")
    series.get_by_role("button", name="Voir les dates").click()
    # Noon on a weekday: the supervisors' agreement must be confirmed first.
    expect(page.locator("[data-error-summary]")).to_contain_text("heures de travail")
    shoot(page, "06-working-hours")
    series = page.locator("section", has=page.locator("#serie"))
    series.get_by_label("L’accord des personnes à qui les membres se rapportent a été obtenu").check()
    series.get_by_role("button", name="Voir les dates").click()
    # Every date is shown before anything is saved; « Planifier » saves exactly those.
    expect(page.locator("[data-occurrence]")).to_have_count(6)
    shoot(page, "06b-series-preview")
    page.get_by_role("button", name="Planifier ces 6 rencontres").click()
    expect(page.locator(".flash--success")).to_contain_text("6 rencontres sont planifiées")

    rows = page.locator(".sessions-table tbody tr")
    expect(rows).to_have_count(7)
    expect(rows.first).to_contain_text("Rencontre de démarrage")
    expect(rows.first).to_contain_text("18 h 30")
    expect(rows.nth(1)).to_contain_text("12 h 15")
    shoot(page, "07-sessions")

    # The worker creates the meetings in Zoom; the page refreshes itself and shows them ready — the series'
    # (one recurring meeting, one invitation each) once, above its six rows.
    series_line = page.locator("[data-series-status]")
    expect(series_line).to_have_count(1)
    for status in (rows.first, series_line):
        expect(status).to_contain_text("Réunion Zoom prête", timeout=45000)
    for row in range(1, 7):
        expect(rows.nth(row)).to_contain_text("comme la série")
    assert sorted(m["type"] for m in zoom_sandbox.meetings()) == [2, 8]  # the kick-off, one recurring meeting
    # Then the worker sends each member their own invitation (the outbox folder stands in for SMTP).
    for status in (rows.first, series_line):
        expect(status).to_contain_text("Invitations envoyées : 4 sur 4", timeout=45000)
    assert len(set(outbox.glob("*.eml")) - sent_before) == 8  # 4 members x (the kick-off, the series)
    shoot(page, "08-meetings-and-invites")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".sessions-table")).to_contain_text("Zoom meeting ready")
    shoot(page, "09-sessions-english")
