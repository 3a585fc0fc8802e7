"""While the database refuses connections, requests answer 503 with Retry-After (not a 500): JSON in
the API's error shape, a page in the reader's language that does not itself need the database,
one warning in the log. Other database errors stay what they were.

The outage is an app whose database is a PostgreSQL port where nothing listens (runs everywhere;
the shared server is never stopped); connections cut mid-request use this run's own database."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa

from core import create_app
from core.extensions import db
from tests.support.catalog import compile_if_stale
from tests.support.db import base_config
from tests.support.pg import cut_other_connections

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/x"
ENGLISH = "The service is briefly unavailable. Try again in a minute."
BANGLA = "সেবাটি অল্প সময়ের জন্য বন্ধ আছে। এক মিনিট পরে আবার চেষ্টা করুন।"
TOKEN = "not-a-real-token-but-well-formed-0123456789"


@pytest.fixture(autouse=True)
def compiled() -> None:
    """The pages read the compiled catalogue."""
    compile_if_stale()


@pytest.fixture
def down(tmp_path):
    """An app whose database is not there."""
    return create_app(base_config(NOWHERE, str(tmp_path / "instance")))


def _assert_unavailable(response) -> str:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:500]
    assert response.headers["Retry-After"] == "30"
    assert "no-store" in response.headers.get("Cache-Control", "")
    for leak in ("Traceback", "OperationalError", "psycopg", "127.0.0.1"):
        assert leak not in body
    return body


def test_the_api_answers_503_in_its_error_shape(down, caplog):
    caplog.set_level(logging.WARNING)
    response = down.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {TOKEN}", "Accept-Language": "bn"}
    )
    _assert_unavailable(response)
    assert response.get_json() == {"error": {"code": "service_unavailable", "message": ENGLISH}}
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert warnings[0].levelno == logging.WARNING and warnings[0].exc_info is None
    line = warnings[0].getMessage()
    assert "database unavailable" in line and "/api/v1/me" in line
    assert TOKEN not in line and "SELECT" not in line


def test_a_page_answers_503_in_english_and_in_bangla(down, caplog):
    """The sign-in page itself needs no database; signing in does."""
    client = down.test_client()
    form = {"email": "someone@example.org", "password": "a password"}
    assert client.get("/login", headers={"Accept-Language": "en"}).status_code == 200
    english = client.post("/login", data=form, headers={"Accept-Language": "en"})
    english = _assert_unavailable(english)
    assert ENGLISH in english and 'lang="en"' in english and "<html" in english
    assert "someone@example.org" not in english
    bangla = _assert_unavailable(
        client.post("/login", data=form, headers={"Accept-Language": "bn"})
    )
    assert BANGLA in bangla and 'lang="bn"' in bangla and ENGLISH not in bangla
    assert "someone@example.org" not in caplog.text  # what she typed is not logged


def test_a_signed_in_session_gets_the_page_in_its_chosen_language(down, caplog):
    """Her user (and language) cannot be read: the session's language choice still applies, and
    nothing tries the database again while answering."""
    client = down.test_client()
    with client.session_transaction() as session:
        session["lang"] = "bn"
        session["_user_id"] = "1"
        session["sid"] = "a-session-id"
    caplog.set_level(logging.WARNING)
    response = client.get("/", headers={"Accept-Language": "en"})
    assert BANGLA in _assert_unavailable(response)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]  # no second failure


def test_healthz_still_answers_with_its_own_body(down):
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_a_connection_cut_mid_request_is_503_and_the_next_request_is_served(
    app, client, api_headers
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("cutting a server connection concerns PostgreSQL")

    def cut_mid_request():
        db.session.execute(sa.text("SELECT 1"))
        assert cut_other_connections() >= 1
        db.session.execute(sa.text("SELECT 1"))
        return "unreachable"

    app.add_url_rule("/api/test/cut", "cut_mid_request", cut_mid_request)
    headers = api_headers()
    response = client.get("/api/test/cut")
    _assert_unavailable(response)
    assert response.get_json()["error"]["code"] == "service_unavailable"
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_an_exhausted_pool_is_503(app_config):
    app_config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "pool_size": 1,
        "max_overflow": 0,
        "pool_timeout": 0.2,
    }
    application = create_app(app_config)
    with application.app_context():
        held = db.engine.connect()  # the pool's only connection
        try:
            response = application.test_client().get(
                "/api/v1/me", headers={"Authorization": f"Bearer {TOKEN}"}
            )
        finally:
            held.close()
            db.engine.dispose()
    _assert_unavailable(response)


@pytest.mark.parametrize(
    "statements",
    [
        # A constraint broken: still the 500 of a bug, not an outage.
        (
            "CREATE TEMPORARY TABLE outage_probe (id INTEGER PRIMARY KEY)",
            "INSERT INTO outage_probe (id) VALUES (1)",
            "INSERT INTO outage_probe (id) VALUES (1)",
        ),
        # A wrong query (SQLite calls it an OperationalError, PostgreSQL a ProgrammingError).
        ("SELECT * FROM no_such_table_here",),
    ],
    ids=["integrity", "programming"],
)
def test_other_database_errors_stay_500(app, client, statements):
    def broken():
        for statement in statements:
            db.session.execute(sa.text(statement))
        return "unreachable"

    app.add_url_rule("/api/test/broken", "broken", broken)
    app.add_url_rule("/test/broken", "broken_page", broken)
    response = client.get("/api/test/broken")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert response.get_json()["error"]["code"] == "internal_error"
    page = client.get("/test/broken")
    assert page.status_code == 500 and ENGLISH not in page.get_data(as_text=True)
