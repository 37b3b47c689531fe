"""The public sign-up and the consent by e-mail (double opt-in), through the real SMTP stand-in."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from service.domain import organisation_settings, retention
from service.domain.clock import now_utc
from service.extensions import db
from service.models import AuditEvent, Organisation, Volunteer, VolunteerStatus
from tests.fixtures.invites import run_mail_jobs


@pytest.fixture
def app_settings(mail_settings):
    return mail_settings


@pytest.fixture
def organisation(app, actor) -> Organisation:
    organisation = db.session.get(Organisation, actor.organisation_id)
    organisation_settings.update(organisation, {
        "signup_domains": ["exemple.ca"],
        "teams": [{"key": "urgence", "name_fr": "Urgence", "name_en": "Emergency"},
                  {"key": "soins-intensifs", "name_fr": "Soins intensifs", "name_en": "Intensive care"}],
        "privacy_officer_name": "Me Line Gagnon", "privacy_officer_contact": "vie.privee@exemple.ca",
    }, actor)
    organisation_settings.rotate_signup_key(organisation, actor)
    return organisation


def sign_up(client, organisation, email="ana.lopez@exemple.ca", **fields):
    data = {"display_name": "Ana Lopez", "email": email, "language": "fr", "team": "urgence",
            "reports_to_email": "chef.urgence@exemple.ca", "day_2": ["evening"], "day_4": ["noon", "evening"],
            "wants_training": "y", "consent": "y", **fields}
    return client.post(f"/inscription/{organisation.signup_key}", data=data)


def link_in(received) -> str:
    text = received.message.get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:5000(/v/\S+)", text).group(1)


def test_sign_up_then_confirm_by_the_link_in_the_email(app, client, organisation, smtp):
    page = client.get(f"/inscription/{organisation.signup_key}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Me Line Gagnon" in text and "7 jours" in text and "@exemple.ca" in text  # the privacy notice
    assert "Midi (12\u00a0h à 13\u00a0h\u00a030)" in text  # a time stays whole in the narrow weekday columns

    answer = sign_up(client, organisation)
    assert answer.status_code == 303 and "/merci" in answer.headers["Location"]
    volunteer = db.session.execute(select(Volunteer)).scalar_one()
    assert volunteer.status is VolunteerStatus.AWAITING_CONSENT and volunteer.consent_at is None
    assert volunteer.availability == [{"weekday": 2, "start": "17:00", "end": "21:00"},
                                      {"weekday": 4, "start": "12:00", "end": "13:30"},
                                      {"weekday": 4, "start": "17:00", "end": "21:00"}]
    assert volunteer.team_key == "urgence" and volunteer.wants_training and not volunteer.is_trained_moderator

    run_mail_jobs(app)
    (received,) = smtp.received
    assert received.rcpt_tos == ["ana.lopez@exemple.ca"]
    assert received.message["Subject"] == "Confirmez votre participation aux groupes de soutien entre pairs"
    assert received.message["Content-Language"] == "fr-CA"
    link = link_in(received)

    # A mail scanner opening the link confirms nothing: the page only offers the button.
    opened = client.get(link)
    assert opened.status_code == 200 and "Je confirme" in opened.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Volunteer, volunteer.id).consent_at is None

    confirmed = client.post(f"{link}/confirm")
    assert confirmed.status_code == 303
    db.session.expire_all()
    volunteer = db.session.get(Volunteer, volunteer.id)
    assert volunteer.status is VolunteerStatus.AVAILABLE and volunteer.consent_source.value == "email_confirmation"
    page = client.get(link).get_data(as_text=True)
    assert "Ma participation" in page and "ana.lopez@exemple.ca" in page


def test_the_answer_never_reveals_whether_an_address_already_signed_up(app, client, organisation, smtp):
    first = sign_up(client, organisation)
    again = sign_up(client, organisation, display_name="Quelqu’un d’autre")
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert db.session.execute(select(func.count()).select_from(Volunteer)).scalar_one() == 1
    assert db.session.execute(select(Volunteer.display_name)).scalar_one() == "Ana Lopez"  # nothing overwritten
    run_mail_jobs(app)
    # One welcome: the reminder waits an hour after the last mail, so the form cannot flood a mailbox.
    assert len(smtp.received) == 1

    volunteer = db.session.execute(select(Volunteer)).scalar_one()
    volunteer.last_mailed_at = now_utc() - timedelta(hours=2)
    volunteer.consent_at = now_utc()
    db.session.commit()
    sign_up(client, organisation)
    run_mail_jobs(app)
    assert len(smtp.received) == 2
    assert smtp.received[1].message["Subject"] == "Votre inscription aux groupes de soutien entre pairs"


def test_bad_input_is_named_in_the_persons_language_and_nothing_is_saved(app, client, organisation, smtp):
    refused = sign_up(client, organisation, email="ana@gmail.com", team="inconnue", consent="")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "adresse courriel de travail (@exemple.ca)" in page
    assert "L’équipe « inconnue » n’existe pas" in page
    assert "Cochez la case de consentement" in page
    assert db.session.execute(select(func.count()).select_from(Volunteer)).scalar_one() == 0
    run_mail_jobs(app)
    assert smtp.received == []


def test_the_page_and_its_messages_in_english(app, client, organisation):
    english = client.post(f"/inscription/{organisation.signup_key}?lang=en", data={
        "display_name": "Ana", "email": "ana@gmail.com", "language": "en", "consent": "y"})
    page = english.get_data(as_text=True)
    assert english.status_code == 422 and '<html lang="en">' in page
    assert "Sign up with your work e-mail address (@exemple.ca)." in page
    assert "Who is in charge of protecting personal information" in page


def test_a_rotated_key_closes_the_old_address(app, client, organisation, actor):
    old = organisation.signup_key
    organisation_settings.rotate_signup_key(organisation, actor)
    assert client.get(f"/inscription/{old}").status_code == 404
    assert client.get(f"/inscription/{organisation.signup_key}").status_code == 200


def test_withdrawing_erases_the_volunteer(app, client, organisation, smtp):
    sign_up(client, organisation)
    run_mail_jobs(app)
    link = link_in(smtp.received[0])
    client.post(f"{link}/confirm")
    left = client.post(f"{link}/withdraw")
    assert left.status_code == 303 and "/retrait" in left.headers["Location"]
    assert db.session.execute(select(func.count()).select_from(Volunteer)).scalar_one() == 0
    assert client.get(link).status_code == 410  # the link died with the data
    actions = db.session.execute(select(AuditEvent.action, AuditEvent.details)).all()
    assert ("volunteer.withdrawn" in [a for a, _d in actions])
    assert "ana" not in repr(actions).lower()  # the trail names no one


def test_unconfirmed_sign_ups_are_erased_after_seven_days(app, client, organisation):
    sign_up(client, organisation)
    sign_up(client, organisation, email="confirme@exemple.ca")
    confirmed = db.session.execute(select(Volunteer).where(Volunteer.email_key == "confirme@exemple.ca")).scalar_one()
    confirmed.consent_at = now_utc()
    db.session.commit()
    assert retention.run(now_utc() + timedelta(days=6), 90).volunteers_erased == 0
    assert retention.run(now_utc() + timedelta(days=7, minutes=1), 90).volunteers_erased == 1
    assert db.session.execute(select(Volunteer.email_key)).scalars().all() == ["confirme@exemple.ca"]


def test_confirm_and_withdraw_need_a_post_with_its_csrf_token(app_settings, _schema, redis_client, organisation):
    from service.app import create_app
    from tests.coordinator_helpers import close_app

    strict = create_app(app_settings)  # CSRF on, as in production
    with strict.app_context():
        organisation_key = db.session.get(Organisation, organisation.id).signup_key
        client = strict.test_client()
        refused = client.post(f"/inscription/{organisation_key}", data={"display_name": "X", "email": "x@exemple.ca",
                                                                        "consent": "y"})
        assert refused.status_code == 400
        assert db.session.execute(select(func.count()).select_from(Volunteer)).scalar_one() == 0
    close_app(strict)


def test_the_consent_page_switches_language_on_itself_and_stays_in_it(app, client, organisation, smtp):
    """The link keeps the person on their own page (its token in the path, never in another address's query),
    and the choice follows the confirmation."""
    sign_up(client, organisation)
    run_mail_jobs(app)
    link = link_in(smtp.received[0])
    french = client.get(link).get_data(as_text=True)
    assert re.search(rf'class="language-switch" href="{re.escape(link)}\?lang=en"', french)
    assert "/language/" not in french and f'action="{link}/confirm"' in french  # the usual addresses unchanged

    refresh()  # the test's app context outlives the request: forget the locale flask-babel cached in it
    english = client.get(f"{link}?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "Confirm my participation" in english and "Je confirme" not in english
    assert re.search(rf'class="language-switch" href="{re.escape(link)}\?lang=fr"', english)
    assert f'action="{link}/confirm?lang=en"' in english

    refresh()
    confirmed = client.post(f"{link}/confirm?lang=en")
    assert confirmed.status_code == 303 and "lang=en" in confirmed.headers["Location"]
    refresh()
    after = client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert '<html lang="en">' in after and "Thank you" in after and "Emergency" in after  # the team's name too
