"""PostgreSQL-only helpers of the race and outage tests: watch for a backend waiting on a lock,
and cut this test database's connections as a server restart would."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from core.extensions import db


def wait_for_lock_waiter(timeout: float = 10.0) -> bool:
    """True once some backend of this test's database waits on a lock (a row or advisory lock)."""
    deadline = time.monotonic() + timeout
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar()
            if waiting:
                return True
            conn.rollback()
            time.sleep(0.01)
    return False


def cut_other_connections() -> int:
    """Terminate every other connection to this test's own database (never another's): what a
    restart does to the app's pool. Returns how many were cut."""
    other = sa.create_engine(db.engine.url, poolclass=NullPool)
    with other.connect() as conn:
        cut = conn.execute(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    other.dispose()
    return int(cut or 0)
