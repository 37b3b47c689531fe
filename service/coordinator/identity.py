"""Who is logged in on the coordinator pages, and the organisation's identity provider (OpenID Connect).

The provider is found by discovery (``OIDC_ISSUER/.well-known/openid-configuration``); authlib checks the
state, the nonce and the ID token's signature, issuer, audience and expiry. The (signed, HTTP-only) session
cookie keeps the coordinator's id and their current session key: a cookie whose key is not the coordinator's any
more (they logged out somewhere, were blocked or removed) is worth nothing, even within its 12 hours.
"""

from __future__ import annotations

import hmac
from functools import wraps

from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_babel import get_locale

from service.domain import access, coordinators
from service.domain.audit import Actor
from service.domain.errors import NotFound
from service.extensions import current_settings, db
from service.models import Coordinator, Group

SESSION_KEY = "coordinator_id"
SESSION_PROOF = "coordinator_key"
PROVIDER = "idp"


def init_app(app: Flask) -> None:
    """Register the identity provider when one is configured (one OAuth registry per application)."""
    settings = app.extensions["settings"]
    oauth = OAuth(app)
    if settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID:
        oauth.register(
            PROVIDER,
            client_id=settings.OIDC_CLIENT_ID,
            client_secret=settings.OIDC_CLIENT_SECRET,
            server_metadata_url=settings.OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile", "timeout": 10},
        )
    app.extensions["oidc"] = oauth
    # Who is logged in is decided per request: an application context outliving one (tests, CLI) must not
    # carry the answer over to the next.
    app.teardown_request(lambda _error: g.pop("coordinator", None))


def provider():
    """The registered OpenID Connect client, or ``None`` when no provider is configured."""
    return current_app.extensions["oidc"].create_client(PROVIDER)


def local_login_enabled() -> bool:
    """A plain e-mail login, for development and tests only (never in production)."""
    return current_settings().APP_ENV in ("development", "test")


def current_coordinator() -> Coordinator | None:
    if "coordinator" not in g:
        coordinator_id = session.get(SESSION_KEY)
        coordinator = db.session.get(Coordinator, coordinator_id) if isinstance(coordinator_id, int) else None
        g.coordinator = coordinator if coordinator is not None and _session_is_current(coordinator) else None
    return g.coordinator


def _session_is_current(coordinator: Coordinator) -> bool:
    proof, current = session.get(SESSION_PROOF), coordinator.session_key
    return (coordinator.is_active and isinstance(proof, str) and current is not None
            and hmac.compare_digest(proof.encode(), current.encode()))


def log_in(coordinator: Coordinator) -> None:
    """Start a fresh session for the coordinator (nothing from before the login survives but the language)."""
    language = session.get("lang")
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = coordinator.id
    session[SESSION_PROOF] = coordinators.session_key(coordinator)
    session["lang"] = language or coordinator.language
    g.coordinator = coordinator


def log_out() -> None:
    """End this coordinator's sessions everywhere (a copy of the cookie made before is refused from now on)."""
    coordinator = current_coordinator()
    if coordinator is not None:
        coordinators.end_sessions(coordinator)
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    g.pop("coordinator", None)


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_coordinator() is None:
            return redirect(url_for("coordinator.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped


def actor() -> Actor:
    coordinator = current_coordinator()
    assert coordinator is not None  # behind login_required
    return Actor.coordinator(coordinator)


def language() -> str:
    return str(get_locale() or current_settings().DEFAULT_LANGUAGE)


def reach_group(group_id: int) -> Group:
    """The group, if the logged-in coordinator coordinates it; a plain 404 otherwise."""
    try:
        return access.group_for(current_coordinator(), group_id)
    except NotFound:
        abort(404)


def reach(lookup, group: Group, object_id: int):
    """A session, series, member or invite of ``group`` through ``access.<lookup>_for``; 404 otherwise."""
    try:
        return lookup(current_coordinator(), group, object_id)
    except NotFound:
        abort(404)
