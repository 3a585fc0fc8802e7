"""The factory, health, headers and error pages."""

from core import create_app


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"] == "ok"


def test_security_headers_on_every_response(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_production_sends_hsts_and_secure_cookies(app_config):
    app_config["APP_ENV"] = "production"
    app = create_app(app_config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_signed_in_pages_are_not_cached(client, login_as):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login_as("admin")
    assert client.get("/admin/users").headers["Cache-Control"] == "no-store"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Not found" in response.data


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code in (401, 404)
    assert response.is_json
    assert "error" in response.json


def test_language_switch_is_kept_on_the_user(client, login_as):
    from core.extensions import db

    user = login_as("viewer")
    response = client.post("/language", data={"lang": "bn", "next": "/reports"})
    assert response.headers["Location"].endswith("/reports")
    db.session.refresh(user)
    assert user.language == "bn"
    assert '<html lang="bn">' in client.get("/reports").get_data(as_text=True)


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/language", data={"lang": "en", "next": "//evil.example"})
    assert response.headers["Location"] == "/"


def test_unexpected_error_is_a_friendly_500_page_and_json_for_the_api(app_config, caplog):
    app = create_app(app_config)

    def boom():
        raise RuntimeError("boom with +8801712345678")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"boom with" not in response.data
    assert "RuntimeError" in caplog.text  # the traceback is logged ...
    assert "1712345678" not in caplog.text  # ... with the number masked

    api_response = client.get("/api/v1/boom")
    assert api_response.status_code == 500
    assert api_response.json["error"]["code"] == "internal_error"
