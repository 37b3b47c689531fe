"""The migrations build exactly the schema the models describe, on SQLite and on PostgreSQL alike."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from service.extensions import db
from service.models import Base


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
