"""Pages anyone may see: the home page, the language switch, the health check."""

from service.public.blueprint import bp


def init_app(app):
    app.register_blueprint(bp)
