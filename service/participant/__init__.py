"""The participant's page, reached from the personal link in each invitation: when, where, what, and how to leave."""

from service.participant.blueprint import bp
from service.participant.practice import practice_place


def init_app(app):
    app.register_blueprint(bp)
    app.add_template_global(practice_place, "practice_place")
