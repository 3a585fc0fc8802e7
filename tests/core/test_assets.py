"""Static files under content-hashed URLs (cached for a year), and compressed pages and JSON."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import brotli
import pytest
from flask import url_for

from core.assets import IMMUTABLE, build_manifest, manifest

STYLESHEET = re.compile(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"')
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def _stylesheet_url(client, page: str = "/login") -> str:
    html = client.get(page).get_data(as_text=True)
    match = STYLESHEET.search(html)
    assert match, html[:400]
    return match.group(1)


def test_pages_link_the_hashed_stylesheet_and_it_is_immutable(client):
    response = client.get(_stylesheet_url(client))
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "Pragma" not in response.headers


def test_the_plain_url_still_works_but_is_revalidated(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"
    again = client.get("/static/css/app.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_static_stays_cacheable_for_a_signed_in_user(client, login_as):
    login_as("peer_educator")
    url = _stylesheet_url(client, "/tasks")
    assert client.get(url).headers["Cache-Control"] == IMMUTABLE
    assert client.get("/tasks").headers["Cache-Control"] == "no-store"  # pages stay private


def test_fonts_named_in_the_stylesheet_are_hashed_and_served(client):
    css = client.get(_stylesheet_url(client)).get_data(as_text=True)
    fonts = re.findall(r'url\("(\.\./fonts/[^"]+)"\)', css)
    assert len(fonts) == 2
    for ref in fonts:
        assert re.search(r"\.[0-9a-f]{12}\.woff2$", ref), ref
        response = client.get("/static/" + ref.removeprefix("../"))
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.mimetype == "font/woff2"


def test_url_for_and_asset_url_give_the_same_hashed_name(app):
    with app.test_request_context():
        url = url_for("static", filename="js/near.js")
        assert re.fullmatch(r"/static/js/near\.[0-9a-f]{12}\.js", url)
        assert app.jinja_env.globals["asset_url"]("js/near.js") == url
        assert url_for("static", filename="no/such.file") == "/static/no/such.file"


def test_unknown_and_escaping_names_are_404(client):
    assert client.get("/static/css/app.000000000000.css").status_code == 404
    assert client.get("/static/../core/app.py").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404


def test_a_changed_font_changes_the_stylesheet_url(tmp_path: Path):
    (tmp_path / "fonts").mkdir()
    (tmp_path / "css").mkdir()
    (tmp_path / "fonts" / "f.woff2").write_bytes(b"one")
    (tmp_path / "css" / "a.css").write_text('@font-face { src: url("../fonts/f.woff2"); }')
    first = build_manifest(tmp_path)
    assert first.assets["fonts/f.woff2"].hashed in first.assets["css/a.css"].data.decode()
    (tmp_path / "fonts" / "f.woff2").write_bytes(b"two")
    second = build_manifest(tmp_path)
    assert second.url_name("css/a.css") != first.url_name("css/a.css")
    assert second.url_name("fonts/f.woff2") != first.url_name("fonts/f.woff2")


def test_the_debug_server_notices_a_changed_file(app, tmp_path: Path):
    (tmp_path / "a.css").write_text("a { color: red; }")
    app.extensions["assets"] = build_manifest(tmp_path)
    before = manifest(app).url_name("a.css")
    (tmp_path / "a.css").write_text("a { color: blue; }")
    assert manifest(app).url_name("a.css") == before  # a production server keeps its names
    app.debug = True
    assert manifest(app).url_name("a.css") != before


def test_stylesheet_references_outside_static_are_left_alone(tmp_path: Path):
    (tmp_path / "a.css").write_text(
        "a { background: url(data:image/png;base64,xx); } b { background: url('/x.png'); }"
        " c { background: url(missing.png); }"
    )
    css = build_manifest(tmp_path).assets["a.css"].data.decode()
    assert "url(data:image/png;base64,xx)" in css
    assert "url('/x.png')" in css and "url(missing.png)" in css


@pytest.mark.parametrize(
    ("encoding", "decode"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_pages_are_compressed_for_our_own_requests(client, encoding, decode):
    plain = client.get("/login").get_data()
    response = client.get("/login", headers={"Accept-Encoding": encoding, **SAME_ORIGIN})
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(response.get_data()) < len(plain) * 0.7
    assert b"<!doctype html>" in decode(response.get_data())


@pytest.mark.parametrize("site", [None, "cross-site", "same-site"])
def test_pages_asked_for_by_another_site_are_not_compressed(client, site):
    # BREACH: an attacker's page can make the browser ask for ours with the session cookie and
    # reflect its own text next to the CSRF token; only the size of a compressed answer leaks.
    headers = {"Accept-Encoding": "gzip, br"}
    if site:
        headers["Sec-Fetch-Site"] = site
    response = client.get("/login", headers=headers)
    assert "Content-Encoding" not in response.headers


def test_api_json_is_compressed(client, api_headers, catalogue):
    headers = {**api_headers("peer_educator"), "Accept-Encoding": "gzip"}
    response = client.get("/api/v1/openapi.json", headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).startswith(b"{")


def test_static_is_compressed_but_fonts_are_not(client):
    css = client.get(_stylesheet_url(client), headers={"Accept-Encoding": "br"})
    assert css.headers["Content-Encoding"] == "br"
    assert css.headers["Cache-Control"] == IMMUTABLE
    font = client.get(
        url_for_font(client), headers={"Accept-Encoding": "br, gzip"}
    )  # woff2 is compressed already
    assert "Content-Encoding" not in font.headers


def url_for_font(client) -> str:
    """The hashed URL of the regular Bangla font, as the stylesheet names it."""
    css = client.get(_stylesheet_url(client)).get_data(as_text=True)
    ref = re.search(r'url\("\.\./(fonts/[^"]+400[^"]+)"\)', css)
    assert ref
    return "/static/" + ref.group(1)
