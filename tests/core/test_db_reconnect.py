"""After PostgreSQL restarts, the first request of each worker is served, not a 500 (PostgreSQL).

Found with bench/load.py: a restart cuts every pooled connection; without a check at checkout the
next request on a stale connection failed. Here the app's own connections are cut with
pg_terminate_backend (this run's private database only; the shared server is never restarted).
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from core.extensions import db


def _cut_every_connection_of_this_database() -> int:
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


def test_a_request_after_the_connections_were_cut_is_served(app, client, api_headers):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("server restarts concern PostgreSQL")
    headers = api_headers()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.remove()  # every connection back in the pool, idle

    assert _cut_every_connection_of_this_database() >= 1

    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
