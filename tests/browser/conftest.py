"""A live server on 127.0.0.1 with a migrated database, and Debian's Chromium through Playwright."""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from core import create_app
from core.extensions import db
from tests.support.db import base_config

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """The real app (CSRF and rate limits on) on a migrated SQLite file, served on a free port."""
    from flask_migrate import upgrade

    folder = tmp_path_factory.mktemp("live")
    config = base_config(f"sqlite:///{folder / 'live.db'}", str(folder / "instance"))
    config.update(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True)
    app = create_app(config)
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from Debian (no browser download)."""
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def phone(browser):
    """A page the size of a small Android phone (360 px wide)."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()
