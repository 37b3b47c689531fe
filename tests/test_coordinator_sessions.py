"""A coordinator's browser sessions end on the server: logging out, being blocked or removed ends them all."""

from __future__ import annotations

from sqlalchemy import select

from service.extensions import db
from service.models import AuditEvent, Coordinator, Organisation
from tests.coordinator_helpers import log_in

COOKIE = "entre_pairs_session"
HOME = "/coordination/"


def copy_of(client, app):
    """Another browser holding a copy of ``client``'s session cookie (as a stolen or forgotten one would be)."""
    other = app.test_client()
    other.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return other


def signed_in(client) -> bool:
    response = client.get(HOME)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_cookie_copied_before_logging_out_is_refused_after(app, client, coordinator):
    log_in(client)
    copy = copy_of(client, app)
    assert signed_in(copy)
    assert client.post("/coordination/deconnexion", data={"submit": "1"}).status_code == 302
    assert not signed_in(client) and not signed_in(copy)
    assert copy.get(HOME).headers["Location"].startswith("/coordination/connexion")
    assert db.session.execute(select(AuditEvent.action).where(AuditEvent.target_id == coordinator.id)
                              ).scalars().all().count("coordinator.sessions_ended") == 1


def test_logging_out_on_one_device_ends_the_others_and_a_new_login_works(app, coordinator):
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop)
    log_in(phone)
    assert signed_in(laptop) and signed_in(phone)
    phone.post("/coordination/deconnexion", data={"submit": "1"})
    assert not signed_in(laptop)
    log_in(laptop)
    assert signed_in(laptop) and not signed_in(phone)


def test_blocking_a_coordinator_ends_their_sessions_even_if_unblocked_later(app, client, coordinator):
    log_in(client)
    copy = copy_of(client, app)
    coordinator.is_active = False
    db.session.commit()
    assert not signed_in(copy)
    coordinator.is_active = True
    db.session.commit()
    assert not signed_in(copy) and not signed_in(client)


def test_a_session_of_a_removed_coordinator_fits_nobody_given_the_same_id(app, client, coordinator):
    log_in(client)
    copy = copy_of(client, app)
    removed_id, organisation_id = coordinator.id, coordinator.organisation_id
    db.session.delete(coordinator)
    db.session.commit()
    assert not signed_in(copy)
    newcomer = Coordinator(id=removed_id, organisation=db.session.get(Organisation, organisation_id),
                           email="quelquun@exemple.ca", display_name="Quelqu'un")
    db.session.add(newcomer)
    db.session.commit()
    other = app.test_client()
    log_in(other, "quelquun@exemple.ca", "Quelqu'un")
    assert signed_in(other) and not signed_in(copy)


def test_a_session_from_before_the_keys_existed_is_refused(app, client, coordinator):
    """A cookie carrying only the id (as every cookie did before this change) is no longer enough."""
    with client.session_transaction() as session:
        session["coordinator_id"] = coordinator.id
    assert not signed_in(client)
