"""Every page of every role, in Bangla, on a 390-pixel phone: axe-core finds no violation, and
the text she sees has no untranslated English, raw code, Latin digit or ambiguous date (what the
browser shows, after its scripts ran: tests/core/test_words_not_codes.py reads the server's HTML).

The pages are found the way a person finds them: from the role's home, following the links she
sees (same origin, GET, never sign-out, exit or a download), breadth first. axe-core comes from npm
(package.json); it is injected into the page by the test and never served by the app.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from core.extensions import db
from tests.support.browser import remember_secrets, signed_in_phone
from tests.support.visible_text import problems, raw_codes, typed_data

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# Links a crawl must not follow: they end the session, download a file or change state on GET.
SKIP = re.compile(r"/(logout|exit|lock)\b|\.csv\b|/export|/download|format=csv|/static/")
# Enough to reach every kind of page (lists repeat one template per row beyond that).
MAX_PAGES_PER_ROLE = 60
ROLES = ("admin", "peer_educator", "clinic_partner", "viewer")


def _seed_logins(live_app) -> dict[str, tuple[str, str]]:
    """The demo data and one login per role, as `flask seed-demo` prints them."""
    with live_app.app_context():
        result = live_app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
    remember_secrets(result.output)  # admins and clinic partners sign in with a code too
    logins: dict[str, tuple[str, str]] = {}
    for role, email, password in re.findall(r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", result.output, re.M):
        logins.setdefault(role, (email, password))
    return logins


@pytest.fixture(scope="module")
def logins(live_app):
    return _seed_logins(live_app)


@pytest.fixture(scope="module")
def vocabulary(live_app):
    """The codes that must never show, and what people typed (names shown as written)."""
    with live_app.app_context():
        found = raw_codes(live_app), typed_data()
        db.session.remove()
    return found


def _page_key(url: str) -> str:
    """One visit per kind of page."""
    parts = urlsplit(url)
    # Ids and referral codes (letters and digits mixed) stand for any row of their kind.
    path = re.sub(r"/(?=[A-Z0-9-]*\d)[A-Z0-9-]+(?=/|$)", "/N", parts.path)
    return path + ("?" + parts.query if parts.query else "")


def _crawl(page, base: str) -> list[str]:
    """The same-origin pages reachable by links from where the page is now."""
    seen: set[str] = set()
    queue = deque([page.url])
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        key = _page_key(url)
        if key in seen:
            continue
        seen.add(key)
        response = page.goto(url)
        if (
            response is None
            or response.status != 200
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        visited.append(url)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = urljoin(url, href).split("#")[0]
            if target.startswith(base) and not SKIP.search(target):
                queue.append(target)
    return visited


def _violations(page) -> list[str]:
    """axe-core's violations on the page now, one line each."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in found
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_passes_axe_in_bangla(live_app, browser, logins, vocabulary, role):
    base = live_app.config["LIVE_URL"]
    email, password = logins[role]
    # bypass_csp lets the test inject axe-core; the app's own policy stays as it is.
    context, page = signed_in_phone(browser, base, email, password, bypass_csp=True)
    switch = page.locator("button[name=lang][value=bn]")
    if switch.count():
        switch.first.click()
    assert page.locator("html").get_attribute("lang") == "bn"

    failing: dict[str, list[str]] = {}
    pages = _crawl(page, base)
    assert len(pages) >= 3, pages
    assert AXE.exists(), "axe-core is missing: `make install-dev` installs it (npm ci)"
    for url in pages:
        page.goto(url)
        codes, data = vocabulary
        found = _violations(page) + [
            f"{kind}: {node}"
            for kind, node in problems(page.content(), bangla=True, codes=codes, data=data)
        ]
        if found:
            failing[_page_key(url)] = found
    context.close()
    assert not failing, "\n".join(f"{url}\n  " + "\n  ".join(v) for url, v in failing.items())
