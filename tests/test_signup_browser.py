"""Signing up and confirming by e-mail in the machine's Chromium, in French, with the keyboard only.

Everything real: the web application on an ephemeral port (CSRF on), the welcome-and-consent e-mail delivered by
an RQ worker to a local SMTP server (aiosmtpd), its link opened in the browser. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from service.domain import organisation_settings
from service.extensions import db
from service.models import Organisation, Volunteer, VolunteerStatus
from tests.browser import CHROMIUM, LAPTOP, PHONE, chromium, live_server, screenshot, watch_errors
from tests.fixtures.invites import run_mail_jobs

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium package")]


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has the focus, as a keyboard user does (fails if it never gets it)."""
    for _press in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"#{element_id} never got the keyboard focus")


def test_sign_up_and_confirm_with_the_keyboard_in_french(app, actor, app_settings, smtp):
    organisation = db.session.get(Organisation, actor.organisation_id)
    organisation_settings.update(organisation, {
        "name": "CISSS de l’Exemple", "signup_domains": ["exemple.ca"],
        "teams": [{"key": "urgence", "name_fr": "Urgence", "name_en": "Emergency"}],
        "privacy_officer_name": "Me Line Gagnon", "privacy_officer_contact": "vie.privee@exemple.ca"}, actor)
    key = organisation_settings.rotate_signup_key(organisation, actor)

    with live_server(app_settings) as server, chromium() as browser:
        page = browser.new_context(viewport=LAPTOP, locale="fr-CA").new_page()
        errors = watch_errors(page)
        page.goto(f"{server}/inscription/{key}")
        assert page.locator("h1").count() == 1
        assert "Me Line Gagnon" in page.locator(".notice").inner_text()

        tab_to(page, "display_name")
        page.keyboard.type("Élise Tremblay")
        tab_to(page, "email")
        page.keyboard.type("elise.tremblay@exemple.ca")
        tab_to(page, "team")
        page.keyboard.press("ArrowDown")  # « Urgence »
        tab_to(page, "day_3-3")  # mercredi, soir
        page.keyboard.press("Space")
        tab_to(page, "wants_training")
        page.keyboard.press("Space")
        tab_to(page, "consent")
        page.keyboard.press("Space")
        screenshot(page, "signup-form-fr")
        tab_to(page, "submit")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/merci"))
        assert page.locator("h1").inner_text() == "Vérifiez vos courriels"

        volunteer = db.session.execute(select(Volunteer)).scalar_one()
        assert volunteer.status is VolunteerStatus.AWAITING_CONSENT and volunteer.team_key == "urgence"
        assert volunteer.availability == [{"weekday": 3, "start": "17:00", "end": "21:00"}]
        run_mail_jobs(app)
        (received,) = smtp.received
        assert received.rcpt_tos == ["elise.tremblay@exemple.ca"]
        text = received.message.get_body(("plain",)).get_content()
        assert "Bonjour Élise Tremblay," in text and "Je confirme" in text
        link = re.search(r"http://127\.0\.0\.1:5000(/v/\S+)", text).group(1)

        page.goto(server + link)
        db.session.expire_all()
        assert db.session.get(Volunteer, volunteer.id).consent_at is None  # opening the link confirms nothing
        page.set_viewport_size(PHONE)
        screenshot(page, "signup-confirm-fr-phone")
        tab_to(page, "confirm")
        assert page.locator("#confirm").inner_text() == "Je confirme"
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Merci, votre participation est confirmée.")
        screenshot(page, "signup-personal-fr-phone")
        assert errors == []
    db.session.expire_all()
    confirmed = db.session.get(Volunteer, volunteer.id)
    assert confirmed.status is VolunteerStatus.AVAILABLE and confirmed.consent_at is not None
