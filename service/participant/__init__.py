"""The participant's page, reached from the personal link in each invitation: when, where, what, and how to leave."""

from service.participant.blueprint import bp


def init_app(app):
    app.register_blueprint(bp)
