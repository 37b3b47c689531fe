"""Shared fixtures: an application on a real database (SQLite file or PostgreSQL) and a real Redis.

``TEST_DATABASE_URL`` picks the database (default: a SQLite file in a temporary folder); ``scripts/test``
runs the suite once on each. ``TEST_REDIS_URL`` picks the Redis database (default: db 15 on 127.0.0.1),
flushed before each test.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import text

from config import load_settings
from service.app import create_app
from service.domain.audit import Actor
from service.domain.clock import UTC
from service.extensions import db
from service.models import Base, Coordinator, Organisation

pytest_plugins = ["tests.fixtures.zoom", "tests.fixtures.invites"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"
CHROMIUM = Path("/usr/bin/chromium")
NO_CHROMIUM = ("needs Chromium at /usr/bin/chromium (Debian's chromium package; `scripts/setup --dev` installs it "
               "when run as root)")


def pytest_collection_modifyitems(config, items):
    """Browser tests are skipped, each with the reason, on a machine without Chromium (instead of failing)."""
    if CHROMIUM.exists():
        return
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(pytest.mark.skip(reason=NO_CHROMIUM))


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session")
def test_environment(instance_path) -> dict[str, str]:
    """The environment a test process (and any service process a test starts) runs with."""
    return {
        "APP_ENV": "test",
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": _database_url(instance_path),
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", DEFAULT_TEST_REDIS_URL),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "BASE_URL": "http://127.0.0.1:5000",
    }


@pytest.fixture(scope="session")
def settings(test_environment):
    return load_settings(test_environment)


@pytest.fixture(scope="session")
def _schema(settings):
    """Run the real migrations once per test session, on an empty database."""
    from flask_migrate import upgrade

    app = create_app(settings)
    with app.app_context():
        _drop_everything()
        upgrade()
        db.engine.dispose()
    app.extensions["redis"].close()
    return True


def _drop_everything() -> None:
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    else:
        Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _empty_tables() -> None:
    engine = db.engine
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def redis_client(settings) -> Redis:
    client = Redis.from_url(settings.REDIS_URL)
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def app_settings(settings):
    """The settings ``app`` is built with. A test module overrides it to change them, e.g. to talk to the Zoom
    sandbox: ``@pytest.fixture def app_settings(zoom_settings): return zoom_settings``."""
    return settings


@pytest.fixture
def app(app_settings, _schema, redis_client):
    app = create_app(app_settings, {"WTF_CSRF_ENABLED": False})
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        db.engine.dispose()
    app.extensions["redis"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def coordinator(app) -> Coordinator:
    organisation = Organisation(name="CISSS de test")
    person = Coordinator(organisation=organisation, email="coordination@exemple.ca", display_name="Camille Coord")
    db.session.add_all([organisation, person])
    db.session.commit()
    return person


@pytest.fixture
def actor(coordinator) -> Actor:
    return Actor.coordinator(coordinator)


@pytest.fixture
def signed_in(client, coordinator):
    """A test client signed in as the ``coordinator``."""
    from tests.coordinator_helpers import log_in

    log_in(client)
    return client


def in_days(days: float, hour: int = 12) -> datetime:
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)
