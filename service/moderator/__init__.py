"""The moderator's live console, reached from the personal link in the moderator's own invitation."""

from service.moderator.blueprint import bp
from service.moderator.debrief import debrief_state
from service.moderator.view import countdown
from service.protocol import format_duration


def init_app(app):
    app.register_blueprint(bp)
    app.add_template_filter(countdown, "countdown")
    app.add_template_filter(format_duration, "duration")
    app.add_template_global(debrief_state, "debrief_state")
