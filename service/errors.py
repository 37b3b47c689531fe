"""Error pages and JSON errors: a clear message in the person's language, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from service.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: lambda: _("La demande est incomplète ou mal formée."),
    401: lambda: _("Veuillez vous connecter pour continuer."),
    403: lambda: _("Vous n’avez pas accès à cette page."),
    404: lambda: _("Cette page n’existe pas ou n’existe plus."),
    405: lambda: _("Cette action n’est pas possible ici."),
    409: lambda: _("Cette action entre en conflit avec une modification récente. Rechargez la page."),
    410: lambda: _("Ce lien n’est plus valide."),
    413: lambda: _("La demande est trop volumineuse."),
    415: lambda: _("Ce format de contenu n’est pas accepté."),
    422: lambda: _("Certaines informations ne sont pas valides."),
    429: lambda: _("Trop de tentatives. Patientez un moment avant de réessayer."),
    500: lambda: _("Une erreur inattendue est survenue. Rien n’a été perdu; réessayez dans un instant."),
}


def wants_json() -> bool:
    if request.path.startswith("/api/") or request.path.startswith("/webhooks/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None, code: str | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])()
    if wants_json():
        return jsonify(error={"status": status, "code": code or str(status), "message": message}), status
    return render_template("errors/error.html", status=status, message=message), status


def invalid_link():
    """A personal link that is forged, revoked or expired: a calm page that never says which, nor whose it was."""
    if wants_json():
        return jsonify(error={"status": 410, "code": "link_invalid", "message": MESSAGES[410]()}), 410
    return render_template("errors/invalid_link.html"), 410


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return error_response(400, _("Le formulaire a expiré. Rechargez la page et réessayez."), "csrf")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        response = error_response(error.code, None)
        if error.code == 405 and error.valid_methods:
            response[0].headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(InternalServerError.code)
