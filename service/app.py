"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import Flask, g, request, session
from flask_babel import get_locale
from redis import Redis
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import Settings, load_settings
from service import i18n, routing
from service.elision import elide_markup
from service.extensions import babel, csrf, current_settings, db, limiter, migrate

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, overrides: Mapping[str, object] | None = None) -> Flask:
    """Build the web application.

    ``settings`` defaults to the environment (:func:`config.load_settings`); ``overrides`` are extra Flask config
    values (tests use it, e.g. ``WTF_CSRF_ENABLED``).
    """
    app = Flask(__name__, instance_relative_config=False)
    routing.init_app(app)  # first: every <int:...> rule, whoever adds it, gets the database's id range
    settings = settings or load_settings(instance_path=app.instance_path)
    _configure_logging()
    app.instance_path = settings.INSTANCE_PATH
    app.extensions["settings"] = settings
    _configure(app, settings)
    if overrides:
        app.config.update(overrides)

    i18n.compile_catalogues()
    app.extensions["redis"] = Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    babel.init_app(app, locale_selector=_select_language, default_translation_directories=str(i18n.TRANSLATIONS_DIR))
    csrf.init_app(app)
    limiter.init_app(app)
    app.jinja_env.globals["current_language"] = lambda: str(get_locale() or settings.DEFAULT_LANGUAGE)
    # {{ _("Retirer l’accès de %(name)s", name=n)|elide(n) }}: « de Éloïse » reads « d’Éloïse » in French.
    app.add_template_filter(lambda text, *names: elide_markup(text, names, str(get_locale() or "")), "elide")

    from service import cli, errors, page_language, request_log, security

    page_language.init_app(app)
    request_log.init_app(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    _register_audiences(app)
    return app


def _configure_logging() -> None:
    """Under gunicorn nothing configures Python logging: give our loggers a plain stderr handler."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _configure(app: Flask, settings: Settings) -> None:
    app.config.update(
        SECRET_KEY=settings.SECRET_KEY,
        SQLALCHEMY_DATABASE_URI=settings.sqlalchemy_url(),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_DEFAULT_LOCALE=settings.DEFAULT_LANGUAGE,
        BABEL_DEFAULT_TIMEZONE="UTC",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_NAME="entre_pairs_session",
        PREFERRED_URL_SCHEME="https" if settings.is_production else "http",
        WTF_CSRF_TIME_LIMIT=None,  # a form left open over lunch still submits; the token is tied to the session
        MAX_CONTENT_LENGTH=512 * 1024,
        JSON_SORT_KEYS=False,
        PERMANENT_SESSION_LIFETIME=12 * 3600,  # a coordinator logs in again each working day
        RATELIMIT_STORAGE_URI=settings.REDIS_URL,
        RATELIMIT_STRATEGY="moving-window",
        RATELIMIT_KEY_PREFIX="entre-pairs-limits",
    )
    if settings.APP_ENV == "test":
        app.config["TESTING"] = True


def _register_audiences(app: Flask) -> None:
    """One blueprint package per audience; each exposes ``init_app(app)``. This is the list of them."""
    from service import api, coordinator, moderator, outbox, participant, public, signup, supervisor, webhooks

    public.init_app(app)
    coordinator.init_app(app)
    api.init_app(app)
    webhooks.init_app(app)
    moderator.init_app(app)
    participant.init_app(app)
    supervisor.init_app(app)
    signup.init_app(app)
    outbox.init_app(app)  # development and test only


def _select_language() -> str:
    """French by default; the person's explicit choice (kept in their session) wins."""
    chosen = request.args.get("lang")
    if chosen in i18n.LANGUAGES:
        session["lang"] = chosen
        return chosen
    page_language = getattr(g, "page_language", None)  # e.g. a moderator console speaks the session's language
    if page_language in i18n.LANGUAGES:
        return page_language
    if session.get("lang") in i18n.LANGUAGES:
        return session["lang"]
    return current_settings().DEFAULT_LANGUAGE


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record):
    """SQLite ignores ON DELETE CASCADE unless asked: deleting a group must delete its personal data."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
