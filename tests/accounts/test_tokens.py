"""API tokens: expiry, revocation (own page, admin page, CLI) and what else ends them."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from accounts import services, tokens
from accounts.models import ApiToken
from core.audit import AuditEvent
from core.db import utcnow
from core.extensions import db
from tests.support.db import PASSWORD

NEW_PASSWORD = "river-lantern-cobalt-58"


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _new_token(user) -> str:
    token = tokens.issue_token(user)
    db.session.commit()
    return token


def _works(client, token: str) -> bool:
    status = client.get("/api/v1/me", headers=_bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


def _actions(user) -> list[str]:
    query = sa.select(AuditEvent.action).where(AuditEvent.entity_id == str(user.id))
    return list(db.session.scalars(query))


def test_a_token_expires_after_90_days_by_default(client, make_user):
    user = make_user("viewer")
    token = _new_token(user)
    row = db.session.scalars(sa.select(ApiToken)).one()
    assert timedelta(days=89, hours=23) < row.expires_at - row.created_at <= timedelta(days=90)
    assert tokens.user_for_token(token, now=row.created_at + timedelta(days=89)) == user
    assert tokens.user_for_token(token, now=row.created_at + timedelta(days=90)) is None
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not _works(client, token)


class TestTokenDays:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["API_TOKEN_DAYS"] = "7"
        return app_config

    def test_the_lifetime_comes_from_api_token_days(self, make_user):
        _new_token(make_user("viewer"))
        row = db.session.scalars(sa.select(ApiToken)).one()
        assert row.expires_at - row.created_at == timedelta(days=7)


def test_a_revoked_token_is_refused(client, make_user):
    user = make_user("viewer")
    token, other = _new_token(user), _new_token(user)
    first = db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id)).first()
    tokens.revoke_token(user, first.id, actor=user)
    db.session.commit()
    assert not _works(client, token)
    assert _works(client, other)


def test_own_account_page_lists_and_revokes_own_tokens(client, login_as, make_user):
    user = login_as("peer_educator")
    token = _new_token(user)
    stranger_token = _new_token(make_user("viewer"))
    page = client.get("/account").get_data(as_text=True)
    assert token[:10] in page and token not in page
    assert stranger_token[:10] not in page
    mine = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    theirs = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id != user.id))
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/account/tokens/{mine.id}/revoke").status_code == 302
    assert not _works(client, token)
    assert _works(client, stranger_token)
    assert "token.revoke" in _actions(user)


def test_admin_revokes_a_users_tokens_on_the_user_page(client, login_as, make_user):
    login_as("admin")
    user = make_user("peer_educator")
    token = _new_token(user)
    page = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert token[:10] in page and "Revoke all API tokens" in page
    assert client.post(f"/admin/users/{user.id}/tokens/revoke").status_code == 302
    assert not _works(client, token)
    assert "token.revoke_all" in _actions(user)


def test_admin_password_reset_ends_tokens_and_sessions(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("viewer")
    token = _new_token(user)
    theirs = app.test_client()
    theirs.post("/login", data={"email": user.email, "password": PASSWORD})
    assert theirs.get("/reports").status_code == 200
    response = client.post(f"/admin/users/{user.id}/password", data={"pw-password": NEW_PASSWORD})
    assert response.status_code == 302
    assert not _works(client, token)
    assert theirs.get("/reports").status_code == 302


def test_deactivation_revokes_tokens_for_good(client, make_user):
    user = make_user("viewer")
    token = _new_token(user)
    services.set_active(user, False, actor=None)
    services.set_active(user, True, actor=None)
    db.session.commit()
    assert not _works(client, token)


def test_own_password_change_keeps_tokens(client, login_as):
    user = login_as("viewer")
    token = _new_token(user)
    client.post("/account", data={"current_password": PASSWORD, "password": NEW_PASSWORD})
    assert _works(client, token)


class TestCli:
    def test_revoke_tokens(self, runner, client, make_user):
        user = make_user("viewer")
        token = _new_token(user)
        result = runner.invoke(args=["users", "revoke-tokens", user.email])
        assert result.exit_code == 0, result.output
        assert "revoked 1" in result.output
        assert not _works(client, token)
        assert "token.revoke_all" in _actions(user)

    def test_reset_password_ends_sessions_and_tokens(self, runner, client, make_user):
        user = make_user("viewer")
        token = _new_token(user)
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        result = runner.invoke(
            args=["users", "reset-password", user.email, "--password", NEW_PASSWORD]
        )
        assert result.exit_code == 0, result.output
        assert not _works(client, token)
        assert client.get("/reports").status_code == 302
        assert services.authenticate(user.email, NEW_PASSWORD) == user

    def test_reset_password_refuses_a_weak_password(self, runner, make_user):
        user = make_user("viewer")
        result = runner.invoke(args=["users", "reset-password", user.email, "--password", "short"])
        assert result.exit_code != 0 and "at least 10" in result.output

    def test_lock_ends_everything_until_unlocked(self, runner, client, make_user):
        user = make_user("viewer")
        token = _new_token(user)
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        result = runner.invoke(args=["users", "lock", user.email])
        assert result.exit_code == 0, result.output
        assert client.get("/reports").status_code == 302
        assert not _works(client, token)
        signin = {"email": user.email, "password": PASSWORD}
        assert client.post("/login", data=signin).status_code == 401
        assert runner.invoke(args=["users", "token", user.email]).exit_code != 0
        assert runner.invoke(args=["users", "unlock", user.email]).exit_code == 0
        assert client.post("/login", data=signin).status_code == 302
        assert not _works(client, token)  # the lock's revocations outlive it
        assert {"user.lock", "user.unlock"} <= set(_actions(user))

    def test_token_command_prints_the_token_last(self, runner, client, make_user):
        user = make_user("viewer")
        result = runner.invoke(args=["users", "token", user.email])
        assert result.exit_code == 0, result.output
        assert _works(client, result.output.strip().splitlines()[-1])

    def test_unknown_user(self, runner):
        result = runner.invoke(args=["users", "revoke-tokens", "nobody@example.org"])
        assert result.exit_code != 0 and "no user" in result.output


def test_admin_locks_and_unlocks_on_the_user_page(app, client, login_as, make_user):
    login_as("admin")
    user = make_user("viewer")
    token = _new_token(user)
    theirs = app.test_client()
    theirs.post("/login", data={"email": user.email, "password": PASSWORD})
    assert client.post(f"/admin/users/{user.id}/lock").status_code == 302
    assert theirs.get("/reports").status_code == 302
    assert not _works(client, token)
    assert "Unlock" in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert client.post(f"/admin/users/{user.id}/unlock").status_code == 302
    db.session.refresh(user)
    assert user.locked_at is None


def test_non_admins_cannot_lock_unlock_or_revoke_others(client, login_as, make_user):
    login_as("peer_educator")
    user = make_user("viewer")
    for action in ("lock", "unlock", "tokens/revoke"):
        assert client.post(f"/admin/users/{user.id}/{action}").status_code == 403
