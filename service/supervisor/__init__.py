"""The supervisor's page, reached from their personal link: requests to talk, moderators' load, the community's
next sessions."""

from service.supervisor.blueprint import bp


def init_app(app):
    app.register_blueprint(bp)
