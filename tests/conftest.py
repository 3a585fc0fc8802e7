"""Shared fixtures: an app per test on SQLite and (with TEST_DATABASE_URL) PostgreSQL, clients,
signed-in users of each role and small factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient

from core import create_app
from core.extensions import db
from tests.support import factories
from tests.support.db import (
    PASSWORD,  # noqa: F401 - tests import it from here
    REQUIRE_POSTGRES,
    TEST_DATABASE_URL,
    base_config,
    empty_tables,
    private_postgres_database,
)
from tests.support.signin import sign_in
from tests.support.sms import twilio_config
from tests.support.smsgate_fake import SMSGateFake
from tests.support.twilio_fake import TwilioFake


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_POSTGRES and not TEST_DATABASE_URL:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


def _database_params() -> list:
    params = ["sqlite"]
    params.append(
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not TEST_DATABASE_URL,
                reason="TEST_DATABASE_URL is not set: PostgreSQL tests skipped",
            ),
        )
    )
    return params


@pytest.fixture(params=_database_params())
def empty_database(request, tmp_path) -> Iterator[str]:
    """A database of its own with no tables, for tests that run the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    url, drop = private_postgres_database()
    yield url
    drop()


@pytest.fixture(scope="session", params=_database_params())
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A database with the current schema, created once per session and per engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        drop = None
    else:
        url, drop = private_postgres_database()
    app = create_app(base_config(url, str(tmp_path_factory.mktemp("instance"))))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    if drop:
        drop()


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Tests may change this before `app` is built."""
    return base_config(database_url, str(tmp_path / "instance"))


class FreshRequestClient(FlaskClient):
    """The test keeps an app context pushed (for db access), which Flask reuses for requests;
    `g` must still start empty at each request, as it does in production (Flask-Login caches the
    user there)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Anonymous pages default to Bangla; tests read English unless they switch.
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config):
    """A fresh app on a clean database; every table is emptied after the test."""
    application = create_app(app_config)
    application.test_client_class = FreshRequestClient
    with application.app_context():
        yield application
        db.session.remove()
        empty_tables(db)
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_clinic(app) -> Callable:
    """Create a clinic (committed): tests.support.factories.make_clinic."""
    return factories.make_clinic


@pytest.fixture
def make_user(app) -> Callable:
    """Create a user of a role (committed); clinic partners get a clinic unless given one."""
    return factories.make_user


@pytest.fixture
def catalogue(app) -> None:
    """The default service catalogue, committed."""
    factories.default_catalogue()


@pytest.fixture
def login_as(client, make_user) -> Callable:
    """Sign the test client in through the login page as a new user of `role` (admins and
    clinic partners answer the second step with their authenticator code)."""

    def login(role: str = "peer_educator", **fields):
        user = make_user(role, **fields)
        response = sign_in(client, user)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


@pytest.fixture
def api_headers(make_user) -> Callable:
    """Bearer headers for a new user of `role` (or for a given user)."""
    from accounts.services import issue_token

    def headers(role: str = "peer_educator", user=None, **fields) -> dict:
        user = user or make_user(role, **fields)
        token = issue_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def fake_twilio(app_config) -> Iterator[TwilioFake]:
    """A Twilio-compatible server; the app (built after this) talks to it."""
    with TwilioFake() as fake:
        app_config.update(twilio_config(fake))
        yield fake
        assert not fake.errors, fake.errors


@pytest.fixture
def smsgate_fake() -> Iterator[SMSGateFake]:
    """An SMSGate relay and its phone (apply `smsgate_config(fake)` to send through it)."""
    with SMSGateFake() as fake:
        yield fake
        assert not fake.errors, fake.errors


@pytest.fixture
def twilio_app(fake_twilio, app):
    """The app, sending through `fake_twilio`."""
    return app
