"""The test databases and the config every test app starts from."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable

import sqlalchemy as sa

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
# Fixed, so that every process a test starts encrypts with the same key. A test key, never
# used outside tests.
DATA_KEY = "dGVzdC1vbmx5LWtleS0tLW5ldmVyLWluLXByb2R1Y3Q="
PASSWORD = "correct horse battery staple"
_databases = itertools.count(1)


def base_config(database_url: str, instance_path: str) -> dict:
    """The config every test app starts from."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": instance_path,
        "SECRET_KEY": "test-secret-key",
        "DATA_KEYS": DATA_KEY,
        "INDEX_KEY": "test-index-key",
        "APP_ENV": "development",
        "SMS_BACKEND": "console",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SCHEDULER_ENABLED": False,
        "SERVER_NAME": None,
        "PASSWORD_HASHER": "fast-for-tests",
    }


def private_postgres_database() -> tuple[str, Callable[[], None]]:
    """A database of this test run's own, so that runs in parallel do not meet."""
    server = sa.engine.make_url(TEST_DATABASE_URL)
    name = f"harc_test_{os.getpid()}_{next(_databases)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def empty_tables(db) -> None:
    """Delete every row (PostgreSQL: truncate and restart the ids)."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(sa.text(f'DELETE FROM "{name}"'))


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)
