"""Quick exit: on every signed-in page, one tap ends the session and lands on a neutral page, and
nothing (an expired form, a missing token) can stand in its way."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from accounts.models import UserSession
from core.config import ConfigError, load_config
from core.extensions import db
from tests.support.db import PASSWORD

COOKIE = "harc_session"
NEUTRAL = "https://www.google.com/"


def _signed_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "pages"),
    [
        ("peer_educator", ["/referrals/tasks", "/members", "/account"]),
        ("clinic_partner", ["/clinic/today", "/account"]),
        ("admin", ["/admin", "/admin/users"]),
        ("viewer", ["/reports"]),
    ],
)
def test_every_signed_in_page_has_the_quick_exit(client, login_as, role, pages):
    login_as(role)
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        assert 'action="/exit"' in html, page


def test_the_login_page_has_none(client):
    assert 'action="/exit"' not in client.get("/login").get_data(as_text=True)


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        app_config["WTF_CSRF_ENABLED"] = True  # the real thing: exit must work without a token
        return app_config

    def test_exit_needs_no_token_where_every_other_form_does(self, client, make_user):
        user = make_user("peer_educator")
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        signed_in = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf}
        )
        assert signed_in.status_code == 302
        assert client.post("/logout").status_code == 400  # sign-out asks for its token

        response = client.post("/exit")

        assert response.status_code == 303 and response.headers["Location"] == NEUTRAL
        assert _signed_out(client.get("/members"))


def test_exit_ends_the_session_and_a_copied_cookie_opens_nothing(app, client, login_as):
    user = login_as("peer_educator")
    assert client.get("/members").status_code == 200
    copied = client.get_cookie(COOKIE).value

    response = client.post("/exit")  # no CSRF token, no one-time token

    assert response.status_code == 303 and response.headers["Location"] == NEUTRAL
    assert "cookies" in response.headers["Clear-Site-Data"]
    assert _signed_out(client.get("/members"))
    replay = app.test_client()
    replay.set_cookie(COOKIE, copied)
    assert _signed_out(replay.get("/members"))
    live = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    ).all()
    assert live == []


def test_exit_when_not_signed_in_still_lands_on_the_neutral_page(client):
    response = client.post("/exit")
    assert response.status_code == 303 and response.headers["Location"] == NEUTRAL


def test_the_neutral_page_is_a_setting_and_must_be_a_web_address(tmp_path):
    config = load_config(
        {"QUICK_EXIT_URL": "https://example.org/weather", "INSTANCE_PATH": str(tmp_path)}
    )
    assert config["QUICK_EXIT_URL"] == "https://example.org/weather"
    with pytest.raises(ConfigError, match="QUICK_EXIT_URL"):
        load_config({"QUICK_EXIT_URL": "javascript:alert(1)", "INSTANCE_PATH": str(tmp_path)})
