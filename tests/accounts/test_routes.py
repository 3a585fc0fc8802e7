"""Sign-in, sessions, CSRF, rate limits and the admin's user pages."""

import pytest

from core import create_app
from core.extensions import db
from tests.support.db import PASSWORD, csrf_token_from


def test_login_then_home_redirects_by_role(client, login_as):
    login_as("admin")
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin")


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user("viewer")
    response = client.post("/login", data={"email": user.email, "password": "not-the-password"})
    assert response.status_code == 401
    assert b"not right" in response.data
    assert client.get("/reports").status_code == 302  # still signed out


def test_session_is_reissued_at_sign_in(client, make_user):
    user = make_user("viewer")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.permanent


def test_deactivation_ends_sessions_at_next_request(client, login_as):
    from accounts.services import set_active

    user = login_as("viewer")
    assert client.get("/reports").status_code == 200
    set_active(user, False, actor=None)
    db.session.commit()
    assert client.get("/reports").status_code == 302


def test_password_reset_ends_other_sessions(app, client, login_as):
    from accounts.services import reset_password

    user = login_as("viewer")
    reset_password(user, "another-long-phrase-9", actor=None)
    db.session.commit()
    assert client.get("/reports").status_code == 302


def test_admin_creates_deactivates_and_resets_a_user(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "rina@example.org",
            "display_name": "Rina",
            "role": "peer_educator",
            "clinic_id": "0",
            "language": "bn",
            "password": "tin-roof-mango-42",
        },
    )
    assert response.status_code == 302
    from accounts.services import find_by_email

    user = find_by_email("rina@example.org")
    assert user.role == "peer_educator" and user.language == "bn"
    client.post(f"/admin/users/{user.id}/active", data={"active": "0"})
    db.session.refresh(user)
    assert not user.active
    client.post(f"/admin/users/{user.id}/password", data={"pw-password": "fresh-long-phrase-77"})
    db.session.refresh(user)
    assert user.session_version == 3


def test_admin_form_errors_are_shown_not_500(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users/new",
        data={
            "email": "x@example.org",
            "role": "clinic_partner",
            "clinic_id": "0",
            "language": "bn",
            "password": "short",
        },
    )
    assert response.status_code == 200
    assert b"clinic" in response.data.lower()
    assert b"at least 10" in response.data


class TestCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True
        return app_config

    def test_form_without_token_is_refused(self, client, make_user):
        user = make_user("viewer")
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400

    def test_form_with_token_is_accepted(self, client, make_user):
        user = make_user("viewer")
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302

    def test_api_needs_no_csrf_token(self, client, api_headers):
        response = client.get("/api/v1/me", headers=api_headers("viewer"))
        assert response.status_code == 200


class TestRateLimits:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["RATELIMIT_ENABLED"] = True
        return app_config

    def test_five_failures_a_minute_lock_the_account_not_the_address(self, client, make_user):
        user = make_user("viewer")
        other = make_user("viewer")
        for _ in range(5):
            assert (
                client.post(
                    "/login", data={"email": user.email, "password": "wrong-wrong-1"}
                ).status_code
                == 401
            )
        blocked = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert blocked.status_code == 429
        # A colleague behind the same carrier address can still sign in.
        ok = client.post("/login", data={"email": other.email, "password": PASSWORD})
        assert ok.status_code == 302

    def test_successful_sign_ins_do_not_count(self, client, make_user):
        user = make_user("viewer")
        for _ in range(7):
            assert (
                client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code
                == 302
            )
            client.post("/logout")

    def test_address_limit_uses_proxy_hops(self, app_config, make_user):
        app_config["PROXY_HOPS"] = 1
        app = create_app(app_config)
        client = app.test_client()
        user = make_user("viewer")
        for n in range(100):
            client.post(
                "/login",
                data={"email": f"x{n}@example.org", "password": "wrong-wrong-1"},
                headers={"X-Forwarded-For": "10.0.0.1"},
            )
        refused = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "10.0.0.1"},
        )
        assert refused.status_code == 429
        other_address = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD},
            headers={"X-Forwarded-For": "10.0.0.2"},
        )
        assert other_address.status_code == 302
