"""The public sign-up page of an organisation, and each person's consent page (confirm, or withdraw)."""

from service.signup.blueprint import bp


def init_app(app):
    app.register_blueprint(bp)
