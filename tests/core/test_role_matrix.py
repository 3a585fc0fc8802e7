"""Least privilege: every page and API endpoint declares a permission, and each role reaches
exactly what DESIGN.md's table allows."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from core.security import PERMISSIONS, ROLES

# Endpoints anyone may reach, or any signed-in user (their own account, signing out).
OPEN_ENDPOINTS = {
    "static",
    "core.healthz",
    "core.home",
    "core.set_language",
    "accounts.login",
    "accounts.login_code",  # the second step of signing in (issue 15)
    "accounts.lock_page",  # the seized-phone lock, without signing in (issue 15)
    "accounts.logout",
    "accounts.quick_exit",
    "accounts.account",
    "api.openapi",
    "api.me",
}
# Endpoints that check a signature or token instead of a role.
SIGNED_ENDPOINTS_PREFIX = ("webhooks.",)


def _endpoints(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN_ENDPOINTS or rule.endpoint.startswith(SIGNED_ENDPOINTS_PREFIX):
            continue
        yield rule


def _url(rule):
    values = {arg: 999999 for arg in rule.arguments}
    for arg in rule.arguments:
        if not isinstance(rule._converters[arg], IntegerConverter):  # core.edge's bounded one too
            values[arg] = "ZZZZZZZZZZ"
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def test_every_endpoint_declares_a_permission(app):
    missing = [
        rule.endpoint
        for rule in _endpoints(app)
        if not getattr(app.view_functions[rule.endpoint], "required_permission", None)
    ]
    assert missing == []


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_what_its_permissions_allow(
    app, client, login_as, api_headers, role
):
    user = login_as(role)
    headers = api_headers(user=user)
    checked = 0
    for rule in _endpoints(app):
        permission = app.view_functions[rule.endpoint].required_permission
        allowed = role in PERMISSIONS[permission]
        url = _url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            kwargs = {"headers": headers} if url.startswith("/api/") else {}
            if method != "GET":
                kwargs["json" if url.startswith("/api/") else "data"] = {}
            response = client.open(url, method=method, **kwargs)
            assert response.status_code != 500, (role, method, url)
            if allowed:
                assert response.status_code != 403, (role, method, url, permission)
            else:
                assert response.status_code == 403, (role, method, url, permission)
            checked += 1
    assert checked > 0


def test_permission_table_follows_design():
    # DESIGN.md: members are never seen by clinic partners or viewers.
    for permission in ("members.read", "members.write", "messages.read"):
        assert PERMISSIONS[permission] == {"admin", "peer_educator"}
    assert PERMISSIONS["referrals.confirm"] == {"admin", "clinic_partner"}
    assert "viewer" not in PERMISSIONS["referrals.read"]
    assert PERMISSIONS["reports.read"] == {"admin", "viewer"}
    assert PERMISSIONS["users.manage"] == {"admin"}
    assert PERMISSIONS["templates.edit"] == {"admin"}


def test_api_without_token_is_json_401_not_a_redirect(client):
    for path in ("/api/v1/me",):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json["error"]["code"] == "unauthorized"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    cookie_only = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert cookie_only.status_code == 401


def test_api_ignores_the_session_cookie(client, login_as):
    login_as("admin")
    assert client.get("/api/v1/me").status_code == 401


def test_pages_redirect_anonymous_users_to_sign_in(app, client):
    rule = next(r for r in _endpoints(app) if not r.rule.startswith("/api/") and "GET" in r.methods)
    response = client.get(_url(rule))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
