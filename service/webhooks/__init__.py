"""Notices from outside services, checked at the door. Zoom's: ``POST /webhooks/zoom``.

The blueprint is exempt from CSRF (Zoom cannot hold a form token): each notice proves itself with its signature
instead (``integrations.zoom.webhooks``), checked before anything else runs.
"""

from service.extensions import csrf
from service.webhooks.blueprint import bp


def init_app(app):
    csrf.exempt(bp)
    app.register_blueprint(bp)
