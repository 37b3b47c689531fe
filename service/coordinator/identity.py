"""Who is logged in on the coordinator pages, and the organisation's identity provider (OpenID Connect).

The provider is found by discovery (``OIDC_ISSUER/.well-known/openid-configuration``); authlib checks the
state, the nonce and the ID token's signature, issuer, audience and expiry. Only the coordinator's id is kept
in the (signed, HTTP-only) session cookie.
"""

from __future__ import annotations

from functools import wraps

from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask_babel import get_locale

from service.domain import access
from service.domain.audit import Actor
from service.domain.errors import NotFound
from service.extensions import current_settings, db
from service.models import Coordinator, Group

SESSION_KEY = "coordinator_id"
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
        g.coordinator = coordinator if coordinator is not None and coordinator.is_active else None
    return g.coordinator


def log_in(coordinator: Coordinator) -> None:
    """Start a fresh session for the coordinator (nothing from before the login survives but the language)."""
    language = session.get("lang")
    session.clear()
    session.permanent = True
    session[SESSION_KEY] = coordinator.id
    session["lang"] = language or coordinator.language
    g.coordinator = coordinator


def log_out() -> None:
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
