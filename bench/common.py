"""What the benchmarks share: the PostgreSQL server to use and a private database on it."""

from __future__ import annotations

import os

import sqlalchemy as sa

SERVER = os.environ.get(
    "BENCH_DATABASE_URL",
    os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
)


def private_database(prefix: str) -> tuple[str, sa.Engine, str]:
    """A fresh database of this run's own: (its URL, an admin engine to drop it, its name)."""
    server = sa.engine.make_url(SERVER)
    name = f"{prefix}_{os.getpid()}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return server.set(database=name).render_as_string(hide_password=False), admin, name
