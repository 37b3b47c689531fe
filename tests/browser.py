"""Helpers for browser tests: the real application served on an ephemeral port, and the machine's Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from werkzeug.serving import make_server

from config import Settings
from service.app import create_app
from service.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@contextmanager
def live_server(settings: Settings, **changes) -> Iterator[str]:
    """The web application (CSRF on, as in production) in a thread on 127.0.0.1:<free port>; yields its base URL."""
    app = create_app(replace(settings, **changes))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()  # its pooled connections are closed now, not at garbage collection
        app.extensions["redis"].close()


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def watch_errors(page) -> list[str]:
    """Collects script errors and console errors (a CSP violation is one): a test asserts the list stays empty."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def log_in_as_coordinator(page, server: str, language: str, email: str = "coordination@exemple.ca",
                          name: str = "Camille Coord") -> None:
    """Through the local sign-in form (the embedded default), in ``language``; ends on the coordinator's home."""
    page.goto(f"{server}/coordination/connexion?lang={language}")
    page.fill("input[name=email]", email)
    page.fill("input[name=display_name]", name)
    page.locator("form[action$='/connexion/locale'] [type=submit]").click()
    page.wait_for_url(f"{server}/coordination/")


def coordinator_pages_at_both_widths(browser, server: str, language: str) -> Iterator[tuple[str, object, list[str]]]:
    """A signed-in coordinator's page at laptop width, then at phone width: ``(width, page, errors)`` each."""
    for width, viewport in (("desktop", LAPTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        errors = watch_errors(page)
        log_in_as_coordinator(page, server, language)
        yield width, page, errors
        context.close()
