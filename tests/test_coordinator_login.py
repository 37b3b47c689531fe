"""Logging in through the organisation's OpenID Connect provider (a real one over HTTP on 127.0.0.1)."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from service.app import create_app
from service.extensions import db
from service.models import Coordinator, Organisation
from tests.coordinator_helpers import close_app
from tests.oidc_provider import Identity, OpenIDProvider


@pytest.fixture(scope="module")
def provider():
    with OpenIDProvider() as running:
        yield running


@pytest.fixture
def oidc_app(app, settings, provider):
    """The application configured for the provider (the ``app`` fixture has emptied the tables)."""
    configured = create_app(replace(settings, OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=provider.client_id,
                                    OIDC_CLIENT_SECRET=provider.client_secret,
                                    COORDINATOR_ALLOWED_DOMAINS=("exemple.ca",),
                                    COORDINATOR_ALLOWED_EMAILS=("invitee@ailleurs.org",),
                                    ORGANISATION_NAME="CISSS de test"))
    yield configured
    close_app(configured)


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def _log_in_through(provider, client, identity: Identity):
    """Press the button, let the provider answer (real HTTP), come back with its code."""
    provider.next_identity = identity
    page = client.get("/coordination/connexion?next=/coordination/groupes/nouveau").get_data(as_text=True)
    assert "Se connecter avec mon organisation" in page
    token = _csrf(page)
    start = client.post("/coordination/connexion/oidc", data={"csrf_token": token})
    assert start.status_code == 302 and start.headers["Location"].startswith(provider.issuer + "/authorize?")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302
    callback = urlsplit(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def test_first_login_creates_the_coordinator_in_the_organisation(oidc_app, provider):
    client = oidc_app.test_client()
    response = _log_in_through(provider, client, Identity("Camille.Tremblay@exemple.ca", "Camille Tremblay"))
    assert response.status_code == 302 and response.headers["Location"] == "/coordination/groupes/nouveau"
    with oidc_app.app_context():
        person = db.session.execute(select(Coordinator)).scalar_one()
        assert (person.email, person.display_name) == ("camille.tremblay@exemple.ca", "Camille Tremblay")
        assert db.session.get(Organisation, person.organisation_id).name == "CISSS de test"
        assert person.last_login_at is not None
    assert client.get("/coordination/").status_code == 200
    # A second login finds the same person.
    client = oidc_app.test_client()
    assert _log_in_through(provider, client, Identity("camille.tremblay@exemple.ca")).status_code == 302
    with oidc_app.app_context():
        assert len(db.session.execute(select(Coordinator)).scalars().all()) == 1


def test_an_allowed_address_outside_the_domains_may_log_in(oidc_app, provider):
    client = oidc_app.test_client()
    assert _log_in_through(provider, client, Identity("invitee@ailleurs.org")).status_code == 302


def test_someone_outside_the_allowed_lists_is_refused(oidc_app, provider):
    client = oidc_app.test_client()
    response = _log_in_through(provider, client, Identity("quelquun@ailleurs.org"))
    assert response.status_code == 403
    assert "pas autorisé à coordonner" in response.get_data(as_text=True)
    assert client.get("/coordination/").status_code == 302
    with oidc_app.app_context():
        assert db.session.execute(select(Coordinator)).first() is None


def test_an_unverified_address_is_refused(oidc_app, provider):
    client = oidc_app.test_client()
    response = _log_in_through(provider, client, Identity("camille@exemple.ca", email_verified=False))
    assert response.status_code == 403


@pytest.mark.parametrize("tamper", ["sign_with_other_key", "audience_override", "nonce_override"])
def test_a_forged_or_misdirected_id_token_is_refused(oidc_app, provider, tamper):
    setattr(provider, tamper, True if tamper == "sign_with_other_key" else "someone-else")
    try:
        client = oidc_app.test_client()
        response = _log_in_through(provider, client, Identity("camille@exemple.ca"))
    finally:
        provider.sign_with_other_key, provider.audience_override, provider.nonce_override = False, None, None
    assert response.status_code == 401
    assert "n’a pas pu être vérifiée" in response.get_data(as_text=True)
    assert client.get("/coordination/").status_code == 302


def test_a_callback_without_the_matching_state_is_refused(oidc_app, provider):
    client = oidc_app.test_client()
    before = provider.token_requests
    response = client.get("/coordination/connexion/retour?code=made-up&state=made-up")
    assert response.status_code == 401
    assert provider.token_requests == before  # refused before any code exchange


def test_a_deactivated_coordinator_cannot_log_in(oidc_app, provider, app, coordinator):
    coordinator.is_active = False
    db.session.commit()
    client = oidc_app.test_client()
    assert _log_in_through(provider, client, Identity(coordinator.email)).status_code == 403


def test_logging_out_ends_the_session(oidc_app, provider):
    client = oidc_app.test_client()
    _log_in_through(provider, client, Identity("camille@exemple.ca"))
    page = client.get("/coordination/").get_data(as_text=True)
    token = _csrf(page)
    assert client.post("/coordination/deconnexion", data={"csrf_token": token}).status_code == 302
    assert client.get("/coordination/").status_code == 302


def test_behind_a_trusted_proxy_the_provider_is_sent_back_to_the_public_address(app, settings, provider):
    """X-Forwarded-Proto and -Host, from the one trusted balancer, make the redirect URI the provider checks."""
    configured = create_app(replace(settings, OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=provider.client_id,
                                    OIDC_CLIENT_SECRET=provider.client_secret, TRUSTED_PROXY_COUNT=1),
                            {"WTF_CSRF_ENABLED": False})
    start = configured.test_client().post("/coordination/connexion/oidc", headers={
        "X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "pairs.exemple.ca"})
    close_app(configured)
    assert start.status_code == 302
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["redirect_uri"] == ["https://pairs.exemple.ca/coordination/connexion/retour"]


def test_the_providers_callback_is_not_in_the_login_budget(oidc_app, provider):
    """Returns from the provider prove nothing alone (state, then signed token): they never lock anyone out."""
    client = oidc_app.test_client()
    statuses = {client.get("/coordination/connexion/retour?code=x&state=y").status_code for _ in range(12)}
    assert statuses == {401}
    assert _log_in_through(provider, client, Identity("camille@exemple.ca")).status_code == 302
