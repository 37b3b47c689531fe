"""Logging in and out: the organisation's identity provider, or (development and tests only) a plain e-mail."""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from joserfc.errors import JoseError
from wtforms import StringField, SubmitField
from wtforms.fields import EmailField

from service.coordinator.identity import (
    current_coordinator,
    local_login_enabled,
    log_in,
    log_out,
    provider,
)
from service.domain.coordinators import LoginRefused, coordinator_for_login
from service.extensions import current_settings
from service.public.controllers import _same_site

log = logging.getLogger(__name__)
NEXT_KEY = "login_next"


class LocalLoginForm(FlaskForm):
    email = EmailField(_l("Courriel"), render_kw={"autocomplete": "email"})
    display_name = StringField(_l("Nom (facultatif)"), render_kw={"autocomplete": "name"})
    submit = SubmitField(_l("Se connecter"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Se déconnecter"))


def _after_login() -> str:
    return _same_site(session.pop(NEXT_KEY, None)) or url_for("coordinator.groups")


def login():
    if current_coordinator() is not None:
        return redirect(url_for("coordinator.groups"))
    next_page = _same_site(request.args.get("next"))
    if next_page:
        session[NEXT_KEY] = next_page
    form = LocalLoginForm() if local_login_enabled() else None
    return render_template("coordinator/login.html", form=form, has_provider=provider() is not None)


def login_local():
    """Development and tests only: log in with an e-mail address, no password."""
    if not local_login_enabled():
        abort(404)
    form = LocalLoginForm()
    if form.validate_on_submit():
        try:
            settings = current_settings()
            # Locally, anyone may log in unless allow-lists are set (then they apply, as in production).
            unlisted = not (settings.COORDINATOR_ALLOWED_EMAILS or settings.COORDINATOR_ALLOWED_DOMAINS)
            coordinator = coordinator_for_login(settings, form.email.data, form.display_name.data,
                                                allow_unlisted=unlisted)
        except LoginRefused:
            form.email.errors = [_("Cette adresse n’est pas autorisée à coordonner des groupes.")]
        else:
            target = _after_login()
            log_in(coordinator)
            return redirect(target)
    elif not form.email.errors:
        form.email.errors = [_("Indiquez votre adresse courriel.")]
    return render_template("coordinator/login.html", form=form, has_provider=provider() is not None), 422


def login_oidc():
    client = provider()
    if client is None:
        abort(404)
    try:
        return client.authorize_redirect(url_for("coordinator.oidc_callback", _external=True))
    except (requests.RequestException, AuthlibBaseError, ValueError, KeyError):
        log.exception("identity provider discovery failed")
        return _refused(_("Le fournisseur d’identité de votre organisation ne répond pas. Réessayez dans un "
                          "moment."), 503)


def oidc_callback():
    client = provider()
    if client is None:
        abort(404)
    if request.args.get("error"):
        return _refused(_("La connexion a été annulée ou refusée par votre organisation."), 401)
    try:
        token = client.authorize_access_token()
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError) as error:
        log.warning("identity provider answer refused: %s", type(error).__name__)
        return _refused(_("La connexion n’a pas pu être vérifiée. Recommencez depuis la page de connexion."), 401)
    claims = token.get("userinfo") or {}
    if claims.get("email_verified") is False:
        return _refused(_("Votre adresse courriel n’est pas vérifiée auprès de votre organisation."), 403)
    # Entra ID may send the address as preferred_username or upn rather than email.
    email = claims.get("email") or claims.get("preferred_username") or claims.get("upn")
    try:
        coordinator = coordinator_for_login(current_settings(), email, claims.get("name"), claims.get("locale"))
    except LoginRefused:
        log.info("login refused for a person outside the allowed lists (subject not recorded)")
        return _refused(_("Votre compte n’est pas autorisé à coordonner des groupes. Demandez l’accès à la "
                          "personne responsable du service dans votre organisation."), 403)
    target = _after_login()
    log_in(coordinator)
    return redirect(target)


def _refused(message: str, status: int):
    return render_template("coordinator/login.html", form=None, has_provider=provider() is not None,
                           refusal=message), status


def logout():
    if LogoutForm().validate_on_submit():
        log_out()
        flash(_("Votre session est fermée."), "success")
    return redirect(url_for("public.home"))
