"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from core import create_app
from core.extensions import db
from tests.support.db import base_config


def test_migrations_match_the_models(empty_database, tmp_path):
    app = create_app(base_config(empty_database, str(tmp_path / "instance")))
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, db.metadata)
        assert differences == []
        downgrade(revision="base")  # every revision can be undone too
        upgrade()
        db.engine.dispose()
