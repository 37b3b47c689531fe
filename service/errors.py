"""Error pages and JSON errors: a clear message in the person's language, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from service import i18n
from service.extensions import db
from service.i18n import N_

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


def _refuse_json_nested_too_deep():
    """Every JSON body is read here once (Flask keeps the result for the view). A body nested deeper than the
    parser's recursion allows is no request anyone means: a 400 that says so, for every endpoint at once."""
    if not request.is_json:
        return None
    try:
        request.get_json(silent=True)  # malformed JSON stays each view's answer; only the depth is judged here
    except RecursionError:
        log.warning("refused a JSON body nested too deeply on %s %s", request.method, request.path)
        message = N_("Le contenu JSON est imbriqué trop profondément.")
        if request.path.startswith("/api/"):
            from service.api.controllers import language

            return error_response(400, i18n.gettext(language(), message), "json_too_deep")
        return error_response(400, _(message), "json_too_deep")
    return None


def init_app(app: Flask) -> None:
    app.before_request(_refuse_json_nested_too_deep)

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
