"""After PostgreSQL restarts, the first request of each worker is served, not a 500 (PostgreSQL).

Found with bench/load.py: a restart cuts every pooled connection; without a check at checkout the
next request on a stale connection failed. Here the app's own connections are cut with
pg_terminate_backend (this run's private database only; the shared server is never restarted).
"""

from __future__ import annotations

import pytest

from core.extensions import db
from tests.support.pg import cut_other_connections


def test_a_request_after_the_connections_were_cut_is_served(app, client, api_headers):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("server restarts concern PostgreSQL")
    headers = api_headers()
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.remove()  # every connection back in the pool, idle

    assert cut_other_connections() >= 1

    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
