"""Shared fixtures: an app per test on SQLite and (with TEST_DATABASE_URL) PostgreSQL, clients,
signed-in users of each role and small factories."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy as sa
from flask import g, has_app_context
from flask.testing import FlaskClient

from core import create_app
from core.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
REQUIRE_POSTGRES = os.environ.get("REQUIRE_POSTGRES") == "1"
# Fixed, so that every import of this module (as `conftest` or `tests.conftest`) and every
# process a test starts encrypts with the same key. A test key, never used outside tests.
DATA_KEY = "dGVzdC1vbmx5LWtleS0tLW5ldmVyLWluLXByb2R1Y3Q="
PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


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


@pytest.fixture(scope="session", params=_database_params())
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A database with the current schema, created once per session and per engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        drop = None
    else:
        url, drop = _private_postgres_database()
    app = create_app(base_config(url, str(tmp_path_factory.mktemp("instance"))))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    if drop:
        drop()


def _private_postgres_database() -> tuple[str, Callable[[], None]]:
    """A database of this test run's own, so that runs in parallel do not meet."""
    server = sa.engine.make_url(TEST_DATABASE_URL)
    name = f"harc_test_{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


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
        _empty_tables()
        db.engine.dispose()


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in tables:
                conn.execute(sa.text(f'DELETE FROM "{name}"'))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_clinic(app) -> Callable:
    """Create a clinic (committed)."""
    from clinics.models import Clinic

    def make(**fields):
        n = next(_counter)
        values = {"name": f"Clinic {n}", "sms_alias": f"Point {n}", "district": "Dhaka"}
        values.update(fields)
        clinic = Clinic(**values)
        db.session.add(clinic)
        db.session.commit()
        return clinic

    return make


@pytest.fixture
def make_user(app, make_clinic) -> Callable:
    """Create a user of a role (committed); clinic partners get a clinic unless given one."""
    from accounts.services import create_user

    def make(role: str = "peer_educator", **fields):
        n = next(_counter)
        if role == "clinic_partner" and "clinic_id" not in fields:
            fields["clinic_id"] = make_clinic().id
        fields.setdefault("email", f"{role}{n}@example.org")
        fields.setdefault("password", PASSWORD)
        fields.setdefault("language", "en")
        user = create_user(role=role, **fields)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login_as(client, make_user) -> Callable:
    """Sign the test client in through the login page as a new user of `role`."""

    def login(role: str = "peer_educator", **fields):
        user = make_user(role, **fields)
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
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


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)
