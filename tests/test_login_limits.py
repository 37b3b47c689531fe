"""Login attempts are limited per client and e-mail, behind a load balancer too (``TRUSTED_PROXY_COUNT``)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.app import create_app
from tests.coordinator_helpers import close_app

LOGIN = "/coordination/connexion/locale"


@pytest.fixture
def behind_proxy(app, settings):
    """The application as deployed behind one load balancer; every request reaches it from the balancer."""
    configured = create_app(replace(settings, TRUSTED_PROXY_COUNT=1), {"WTF_CSRF_ENABLED": False})
    yield configured
    close_app(configured)


def attempt(client, email: str = "x", forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(LOGIN, data={"email": email}, headers=headers,
                       environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code


def test_behind_the_load_balancer_each_client_has_its_own_budget(behind_proxy):
    client = behind_proxy.test_client()
    assert [attempt(client, forwarded_for="203.0.113.5") for _ in range(11)] == [422] * 10 + [429]
    assert attempt(client, forwarded_for="203.0.113.6") == 422  # another person behind the same balancer
    # Only the hop the balancer added counts: a client cannot pick its address by sending its own header.
    assert attempt(client, forwarded_for="198.51.100.1, 203.0.113.5") == 429


def test_without_trusted_proxies_a_forwarded_address_is_ignored(client):
    assert [attempt(client, forwarded_for=f"203.0.113.{n}") for n in range(11)] == [422] * 10 + [429]


def test_attempts_for_one_email_do_not_lock_out_another_from_the_same_address(client):
    # Locally anyone may log in (302); every attempt counts, whatever its outcome.
    assert [attempt(client, "camille@exemple.ca") for _ in range(11)] == [302] * 10 + [429]
    assert attempt(client, "CAMILLE@exemple.ca ") == 429  # the same address, however typed
    assert attempt(client, "alex@exemple.ca") == 302


def test_one_address_trying_many_emails_still_meets_a_wall(client):
    statuses = [attempt(client, f"personne{n}@exemple.ca") for n in range(31)]
    assert statuses == [302] * 30 + [429]

