"""Static files under content-hashed URLs, cached for a year; pages and JSON compressed.

At start-up every file under `static/` is read and named by its content: `css/app.css` is
served as `css/app.<12 hex>.css` with `Cache-Control: public, max-age=31536000, immutable`.
`url_for('static', filename='css/app.css')` (and `asset_url`) yields the hashed URL; the plain
URL still works but is revalidated (`no-cache`). A stylesheet's `url(...)` references to other
static files are rewritten to their hashed names before the stylesheet's own hash is taken, so a
new font gives a new stylesheet URL too. In debug mode a changed file is picked up at once.

Compression (Flask-Compress: zstd, brotli or gzip, as the client accepts) applies to static
files, to the Bearer-token JSON API, and to pages only when the browser says the request came
from our own pages or from the person herself (`Sec-Fetch-Site: same-origin` or `none`): a page
holds secrets (the CSRF token, a member's details) next to text an attacker may put in the URL,
and BREACH needs the attacker's own cross-site requests, which are left uncompressed.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from flask_compress import Compress

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LENGTH = 12
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)""")
_SAME_ORIGIN = frozenset({"same-origin", "none"})  # `none`: typed, bookmarked, reloaded


@dataclass(frozen=True)
class Asset:
    """One static file as served: its bytes (a stylesheet's rewritten), type and hashed name."""

    name: str
    hashed: str
    data: bytes
    mimetype: str
    etag: str


@dataclass
class Manifest:
    """Every static file by its plain and by its hashed name, and what they were built from."""

    root: Path
    assets: dict[str, Asset] = field(default_factory=dict)
    by_hashed: dict[str, Asset] = field(default_factory=dict)
    signature: tuple = ()

    def url_name(self, filename: str) -> str:
        """The hashed name of a static file (unchanged when it is not one of ours)."""
        asset = self.assets.get(filename)
        return asset.hashed if asset else filename


def _signature(root: Path) -> tuple:
    """(path, size, mtime) of every file: what tells a debug server that a file changed."""
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        stat = path.stat()
        entries.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)


def _hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        return f"{name}.{digest}"
    return f"{stem}.{digest}.{ext}"


def _rewrite_css(name: str, text: str, hashed: dict[str, str]) -> str:
    """Point a stylesheet's `url(...)`s at the hashed names of the files they name."""
    folder = posixpath.dirname(name)

    def replace(match: re.Match[str]) -> str:
        quote, ref = match.group(1), match.group(2)
        if ref.startswith(("data:", "http:", "https:", "//", "/", "#")):
            return match.group(0)
        path = re.split(r"[?#]", ref, maxsplit=1)[0]
        tail = ref[len(path) :]  # a query or fragment stays
        target = posixpath.normpath(posixpath.join(folder, path))
        if target not in hashed:
            return match.group(0)
        new = posixpath.relpath(hashed[target], folder or ".")
        return f"url({quote}{new}{tail}{quote})"

    return _CSS_URL.sub(replace, text)


def build_manifest(root: Path) -> Manifest:
    """Read every file under `root`; stylesheets last, so their references are already hashed."""
    manifest = Manifest(root=root, signature=_signature(root))
    files = sorted(path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file())
    hashed: dict[str, str] = {}
    for name in sorted(files, key=lambda n: n.endswith(".css")):
        data = (root / name).read_bytes()
        if name.endswith(".css"):
            data = _rewrite_css(name, data.decode("utf-8"), hashed).encode("utf-8")
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        asset = Asset(
            name=name,
            hashed=_hashed_name(name, data),
            data=data,
            mimetype=mimetype,
            etag=hashlib.sha256(data).hexdigest()[:32],
        )
        hashed[name] = asset.hashed
        manifest.assets[name] = asset
        manifest.by_hashed[asset.hashed] = asset
    return manifest


def manifest(app: Flask | None = None) -> Manifest:
    """The app's manifest; rebuilt first in debug mode when a static file changed."""
    app = app or current_app
    current: Manifest = app.extensions["assets"]
    if app.debug and _signature(current.root) != current.signature:
        current = build_manifest(current.root)
        app.extensions["assets"] = current
    return current


def asset_url(filename: str) -> str:
    """The content-hashed URL of a static file (a template helper)."""
    from flask import url_for

    return url_for("static", filename=filename)


def serve_static(filename: str) -> Any:
    """A static file: immutable under its hashed name, revalidated under its plain one."""
    assets = manifest()
    asset = assets.by_hashed.get(filename)
    immutable = asset is not None
    if asset is None:
        asset = assets.assets.get(filename)
    if asset is None:
        return current_app.send_static_file(filename)  # not one of ours: Flask's own 404
    response = Response(asset.data, mimetype=asset.mimetype)
    response.set_etag(asset.etag)
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    if request.method in ("GET", "HEAD"):
        response.make_conditional(request)
    return response


def may_compress() -> bool:
    """Whether this response may be compressed without opening a BREACH (see the module)."""
    if request.endpoint == "static" or request.path.startswith("/api/"):
        return True  # no secret (static), or Bearer tokens that a cross-site request lacks
    return request.headers.get("Sec-Fetch-Site", "").lower() in _SAME_ORIGIN


def install_assets(app: Flask) -> None:
    """Hash the static files, serve them, and compress what may be compressed."""
    app.extensions["assets"] = build_manifest(Path(app.static_folder or "static"))

    @app.url_defaults
    def hashed_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and isinstance(values.get("filename"), str):
            values["filename"] = manifest(app).url_name(values["filename"])

    app.view_functions["static"] = serve_static
    app.add_template_global(asset_url)
    app.config.setdefault("COMPRESS_REGISTER", False)  # called below, for what may be compressed
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    compress = Compress()
    compress.init_app(app)

    # Registered first, so it runs after every other hook (Flask runs them in reverse): the
    # security headers' `no-store` for signed-in users does not apply to public static files,
    # and the body is compressed once it is final.
    @app.after_request
    def finish(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            name = (request.view_args or {}).get("filename", "")
            immutable = name in manifest(app).by_hashed
            response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
            response.headers.pop("Pragma", None)
        if may_compress():
            return compress.after_request(response)
        return response
