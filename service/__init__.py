"""Entre pairs: the web service (app factory, blueprints, models, domain services).

Importing this package imports nothing heavy, so the pure protocol engine (``service.protocol``) can be used
without Flask. The application itself is built by :func:`service.app.create_app`.
"""


def create_app(*args, **kwargs):
    from service.app import create_app as _create_app

    return _create_app(*args, **kwargs)
