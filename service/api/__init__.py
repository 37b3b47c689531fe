"""The coordinators' JSON API (``/api/v1``), with bearer tokens and its OpenAPI document."""

from service.api.blueprint import bp
from service.extensions import csrf


def init_app(app):
    # Bearer tokens are not sent by browsers on their own: no cross-site request can use them.
    csrf.exempt(bp)
    app.register_blueprint(bp)
