"""Migration 3a1f0c9d2e01 gives tokens issued before it an expiry instead of refusing them."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import upgrade

from core import create_app
from core.extensions import db
from tests.support.db import base_config


def test_existing_tokens_get_ninety_days_from_the_upgrade(empty_database, tmp_path):
    app = create_app(base_config(empty_database, str(tmp_path / "instance")))
    with app.app_context():
        upgrade(revision="2b021653b299")
        created = datetime(2026, 1, 1, tzinfo=UTC)
        if db.engine.dialect.name == "sqlite":
            created = created.replace(tzinfo=None)
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, display_name, password_hash, role, language,"
                    " active, session_version, created_at)"
                    " VALUES (1, 'a@example.org', 'a', 'x', 'viewer', 'en', true, 1, :at)"
                ),
                {"at": created},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO api_tokens (id, user_id, token_hash, prefix, created_at)"
                    " VALUES (1, 1, :hash, 'harc_abcde', :at)"
                ),
                {"hash": "0" * 64, "at": created},
            )
        upgrade(revision="3a1f0c9d2e01")
        from accounts.models import ApiToken

        token = db.session.get(ApiToken, 1)
        left = token.expires_at - datetime.now(UTC)
        assert timedelta(days=89) < left <= timedelta(days=90)
        db.session.remove()
        db.engine.dispose()
