"""Server-side sessions: sign-out, idle timeouts, changing one's own password."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts import services
from accounts.models import UserSession
from core.db import utcnow
from core.extensions import db
from tests.support.db import PASSWORD

NEW_PASSWORD = "river-lantern-cobalt-58"
COOKIE = "harc_session"


def _sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def _signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def _age_sessions(user, minutes: int) -> None:
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id)
        .values(last_seen_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app, client, login_as):
    login_as("peer_educator")
    assert client.get("/members").status_code == 200
    copied = client.get_cookie(COOKIE).value
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie(COOKIE, copied)
    assert _signed_out(replay.get("/members"))
    replay.set_cookie(COOKIE, copied)
    assert _signed_out(replay.get("/account"))


def test_sign_out_ends_only_that_session(app, client, make_user):
    user = make_user("viewer")
    other = app.test_client()
    _sign_in(client, user)
    _sign_in(other, user)
    client.post("/logout")
    assert other.get("/reports").status_code == 200
    ended = db.session.scalars(sa.select(UserSession).where(UserSession.ended_at.is_not(None)))
    assert len(ended.all()) == 1


def test_sign_in_records_a_session_by_hash_only(client, login_as):
    user = login_as("viewer")
    row = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == user.id)).one()
    assert row.ended_at is None and len(row.id_hash) == 64
    with client.session_transaction() as session:
        assert session["sid"] not in row.id_hash


def test_idle_session_expires_after_30_minutes(client, login_as):
    user = login_as("viewer")
    assert client.get("/reports").status_code == 200
    _age_sessions(user, 29)
    assert client.get("/reports").status_code == 200
    _age_sessions(user, 31)
    assert _signed_out(client.get("/reports"))


def test_peer_educators_are_signed_out_after_15_idle_minutes(client, login_as):
    user = login_as("peer_educator")
    _age_sessions(user, 14)
    assert client.get("/members").status_code == 200
    _age_sessions(user, 16)
    assert _signed_out(client.get("/members"))


class TestIdleSetting:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["PEER_EDUCATOR_IDLE_MINUTES"] = "5"
        return app_config

    def test_peer_educator_idle_minutes_come_from_the_setting(self, client, login_as):
        user = login_as("peer_educator")
        _age_sessions(user, 6)
        assert _signed_out(client.get("/members"))


def test_role_change_ends_sessions(client, login_as):
    user = login_as("viewer")
    services.update_user(user, actor=None, role="admin")
    db.session.commit()
    assert _signed_out(client.get("/reports"))


def test_changing_own_password_keeps_this_session_and_ends_the_others(app, client, make_user):
    user = make_user("peer_educator")
    other = app.test_client()
    _sign_in(client, user)
    _sign_in(other, user)
    response = client.post(
        "/account", data={"current_password": PASSWORD, "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert client.get("/members").status_code == 200
    assert _signed_out(other.get("/members"))
    assert services.authenticate(user.email, NEW_PASSWORD) == user


def test_changing_own_password_needs_the_current_one(client, login_as):
    user = login_as("viewer")
    before = (user.password_hash, user.session_version)
    response = client.post(
        "/account", data={"current_password": "not-my-password-1", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert b"current password is not right" in response.data
    db.session.refresh(user)
    assert (user.password_hash, user.session_version) == before
    response = client.post("/account", data={"password": NEW_PASSWORD})
    assert response.status_code == 200
    db.session.refresh(user)
    assert user.password_hash == before[0]
    assert client.get("/reports").status_code == 200


def test_retention_deletes_session_rows_a_month_old(client, login_as):
    from core.retention import purge_all

    login_as("viewer")
    client.post("/logout")
    login_as("viewer")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 2
    purge_all(utcnow() + timedelta(days=29))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 2
    results = dict(purge_all(utcnow() + timedelta(days=31)))
    assert results["sign-in sessions"] == {"sessions": 2}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
