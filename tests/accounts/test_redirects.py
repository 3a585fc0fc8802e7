"""Open redirects: `next` after sign-in and after a language switch stays on our own host."""

from urllib.parse import unquote, urljoin, urlsplit

import pytest

from tests.support.db import PASSWORD

# As an attacker would put them in a query string (percent-encoded where a browser would).
NASTY = [
    "//evil.example",
    "///evil.example",
    "/%5Cevil.example",
    "%5C%5Cevil.example",
    "/%5C/evil.example",
    "/%09/evil.example",
    "%09//evil.example",
    "%20//evil.example",
    "%01//evil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "//%09/evil.example",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "https://evil.example",
    "https:evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "//evil.example@localhost",
    "evil.example",
]


def _stays_home(location: str) -> None:
    """The browser would stay on our host: no backslash, and the resolved URL's host is ours."""
    assert "\\" not in location
    resolved = urlsplit(urljoin("http://localhost/login", location))
    assert resolved.scheme == "http" and resolved.netloc == "localhost", location
    assert location == "/", location


@pytest.mark.parametrize("raw", NASTY)
def test_sign_in_never_redirects_off_site(client, make_user, raw):
    user = make_user("viewer")
    response = client.post(f"/login?next={raw}", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    _stays_home(response.headers["Location"])


@pytest.mark.parametrize("raw", NASTY)
def test_language_switch_never_redirects_off_site(client, raw):
    response = client.post("/language", data={"lang": "en", "next": unquote(raw)})
    assert response.status_code == 302
    _stays_home(response.headers["Location"])


def test_a_nul_in_next_is_refused_at_the_edge_before_any_redirect(client, make_user):
    user = make_user("viewer")
    response = client.post(
        "/login?next=/%00/evil.example", data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    response = client.post("/language", data={"lang": "en", "next": "/\x00/evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers


@pytest.mark.parametrize("target", ["/reports", "/reports?from=2026-01-01#top", "/a/b/../c"])
def test_a_path_on_our_own_host_is_kept(client, make_user, target):
    user = make_user("viewer")
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == target
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.headers["Location"] == target
