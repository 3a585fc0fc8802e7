"""Browser test helpers: a phone-sized page signed in as a user, through both sign-in steps; a
live server on any database; journeys whose steps are screenshot and checked."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp

from core.extensions import db
from tests.support.db import PASSWORD
from tests.support.factories import TOTP_SECRET
from tests.support.visible_text import problems, raw_codes, typed_data

PHONE = {"width": 390, "height": 844}  # the phone: 390 x 844
# The TOTP secrets `flask seed-demo` printed, by email (remember_secrets fills it).
SEEDED_SECRETS: dict[str, str] = {}
_SECRET_LINE = re.compile(r"TOTP secret of (\S+@\S+): ([A-Z2-7]+)")


def remember_secrets(seed_output: str) -> dict[str, str]:
    """Note the TOTP secrets in `flask seed-demo`'s output (signed_in_phone uses them)."""
    found = dict(_SECRET_LINE.findall(seed_output))
    SEEDED_SECRETS.update(found)
    return found


def pass_code_step(page: Any, email: str, secret: str | None = None) -> None:
    """On the sign-in code page, enter a code from her secret, as her authenticator app would
    (the next step's code when this one was used a moment ago). Elsewhere, nothing."""
    if "/login/code" not in page.url:
        return
    totp = pyotp.TOTP(secret or SEEDED_SECRETS.get(email) or TOTP_SECRET)
    step = totp.timecode(datetime.now(UTC))
    for offset in (0, 1):
        page.fill("input[name=code]", totp.generate_otp(step + offset))
        page.click("main button[type=submit]")
        if "/login/code" not in page.url:
            return


def signed_in_phone(
    browser: Any,
    base: str,
    email: str,
    password: str = PASSWORD,
    *,
    secret: str | None = None,
    **options: Any,
):
    """(context, page): a new 390-pixel Bangla browser context signed in as `email` (the code
    step answered from `secret`, her seeded secret or the factories' one).
    `options` go to new_context (e.g. permissions, geolocation, bypass_csp)."""
    context = browser.new_context(viewport=PHONE, locale="bn-BD", **options)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    pass_code_step(page, email, secret)
    return context, page


# --- Journeys: a live server on either database, screenshots kept, failures watched ---------


def artifacts_dir(default: Path) -> Path:
    """Where journeys keep their screenshots: $BROWSER_ARTIFACTS (CI keeps it), else `default`."""
    folder = Path(os.environ.get("BROWSER_ARTIFACTS") or default)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def live_server(config: dict[str, Any]) -> Iterator[Any]:
    """The app built from `config` on its migrated database, served on a free port of
    127.0.0.1 (its address in config["LIVE_URL"]) until the block ends."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from core import create_app

    app = create_app(config)
    with app.app_context():
        upgrade()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app
    finally:
        server.shutdown()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class Watch:
    """What went wrong on a page while it was watched: script errors, console errors, failed
    requests and error answers (but those of a status the step expects, e.g. a wrong code's 401)."""

    def __init__(self, page: Any) -> None:
        self.failures: list[str] = []
        self.expected: set[int] = set()
        page.on("pageerror", lambda error: self.failures.append(f"script error: {error}"))
        page.on("console", self._console)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # The browser's own line about an expected error answer is not a failure, nor its own
        # look for /favicon.ico (the pages name no icon; a person never sees that answer).
        if message.type != "error" or (message.location or {}).get("url", "").endswith(
            "/favicon.ico"
        ):
            return
        if not any(f"status of {status}" in message.text for status in self.expected):
            self.failures.append(f"console error: {message.text} {message.location}")

    def _request_failed(self, request: Any) -> None:
        self.failures.append(f"request failed: {request.method} {request.url} {request.failure}")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.status not in self.expected:
            self.failures.append(f"{response.status} from {response.request.method} {response.url}")

    def expect(self, status: int) -> None:
        """Answers with this status are the step's point (a refused code), not failures."""
        self.expected.add(status)

    def take(self) -> list[str]:
        """The failures seen since the last call (the expected statuses end with it)."""
        found, self.failures = self.failures, []
        self.expected = set()
        return found


class Journey:
    """One person's browser on the phone, in Bangla: each step is screenshot into `folder` and
    checked (Bangla, fits the screen, no English, raw code or Latin digit, nothing failed)."""

    def __init__(self, app: Any, browser: Any, folder: Path, name: str) -> None:
        self.app, self.folder, self.name, self.count = app, folder, name, 0
        self.context = browser.new_context(viewport=PHONE, locale="bn-BD")
        self.page = self.context.new_page()
        self.watch = Watch(self.page)
        self.base = app.config["LIVE_URL"]

    def step(self, title: str) -> str:
        """Screenshot the page as `journey-NN-title.png`, check it, and return its main text."""
        self.count += 1
        path = self.folder / f"{self.name}-{self.count:02d}-{title}.png"
        self.page.screenshot(path=str(path), full_page=True)
        where = f"{self.name} step {title} ({self.page.url})"
        assert self.page.locator("html").get_attribute("lang") == "bn", where
        assert self.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], where
        with self.app.app_context():
            codes, data = raw_codes(self.app), typed_data()
            db.session.remove()
        found = problems(self.page.content(), bangla=True, codes=codes, data=data)
        assert not found, f"{where}: {found}"
        failures = self.watch.take()
        assert not failures, f"{where}: {failures}"
        return self.page.inner_text("main")

    def sign_in(self, email: str) -> str:
        """The sign-in page, then her password (and a code when asked): the page she lands on."""
        self.page.goto(self.base + "/login")
        assert "লগইন" in self.step("sign-in")
        self.page.fill("input[name=email]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("main button[type=submit]")
        if "/login/code" in self.page.url:
            assert "লগইন কোড" in self.step("code")
            pass_code_step(self.page, email)
        assert "/login" not in self.page.url, self.page.url
        return self.page.url

    def close(self) -> None:
        """Her browser closed (a failure after the last step still fails the journey)."""
        failures = self.watch.take()
        self.context.close()
        assert not failures, failures
