"""SQLite settings for the embedded default: WAL and a busy timeout, set on every connection."""

import sqlalchemy as sa


def enable_wal(engine: sa.Engine) -> None:
    """WAL lets pages read while the scheduler writes; the busy timeout waits instead of failing."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
