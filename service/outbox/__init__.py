"""The development outbox page: the messages the service "sent" to the outbox folder, to open and check.

Registered only outside production (``APP_ENV`` development or test): the messages name real people.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    if app.extensions["settings"].is_production:
        return
    from service.outbox.blueprint import bp

    app.register_blueprint(bp)
