"""Each main page of the peer educator and the clinic partner in Chromium on an emulated slow 3G
network: bytes on a first visit and on a repeat visit, revalidations, time until usable.

    .venv/bin/python -m bench.pages [--lang bn|en] [--no-readme]

A private SQLite database (migrated, demo data) served by the real app on 127.0.0.1; Debian's
Chromium through Playwright (as tests/browser/ drives it), 390x844, with DevTools' network
conditions at 400 kbit/s down and up and 400 ms round trip. Each page is measured in a new
browser context, signed in through the login form's HTTP request only (so the cache starts
empty): a first visit, then the same page again with the cache kept. Bytes are what crossed the
emulated network (headers included, compressed bodies as sent); a revalidation is a request
answered 304. "Usable" is DOMContentLoaded (the text and the form are there: the stylesheet is
in, the fonts swap in when they come); `load` waits for the fonts too.
Targets (issue 11): first visit <= 150 KB, repeat <= 20 KB with no revalidation, usable <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- pages:start -->", "<!-- pages:end -->"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SLOW_3G = {
    "offline": False,
    "latency": 400,  # ms, added to each round trip
    "downloadThroughput": 400 * 1000 / 8,  # bytes/s
    "uploadThroughput": 400 * 1000 / 8,
}
FIRST_MAX_KB, REPEAT_MAX_KB, USABLE_MAX_S = 150, 20, 3.0


@dataclass
class Visit:
    """What one navigation cost."""

    kb: float = 0.0
    requests: int = 0
    revalidations: int = 0
    from_cache: int = 0
    dcl_s: float = 0.0
    load_s: float = 0.0
    urls: list[str] = field(default_factory=list)


class NetworkLog:
    """DevTools' network events of one page: bytes on the wire, 304s, cache hits."""

    def __init__(self, cdp: Any) -> None:
        self.visit = Visit()
        self.cached: set[str] = set()
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestServedFromCache", self._cached)

    def _response(self, event: dict) -> None:
        response = event["response"]
        if event["requestId"] in self.cached or response.get("fromDiskCache"):
            return  # answered by the browser's cache: no network
        self.visit.requests += 1
        self.visit.urls.append(f"{response['status']} {response['url']}")
        if response["status"] == 304:
            self.visit.revalidations += 1

    def _finished(self, event: dict) -> None:
        self.visit.kb += event.get("encodedDataLength", 0) / 1024

    def _cached(self, event: dict) -> None:
        self.cached.add(event["requestId"])
        self.visit.from_cache += 1


def _demo(app: Any) -> dict[str, Any]:
    """Demo data (seed-demo), the logins it printed, and the ids and codes the pages need."""
    import sqlalchemy as sa

    from accounts.models import User
    from core.extensions import db
    from referrals.models import Member, Referral

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        if result.exit_code != 0:
            raise RuntimeError(result.output)
        logins = dict(re.findall(r"^\s+\S+\s+(\S+@\S+)\s+(\S+)$", result.output, re.M))
        secrets = dict(re.findall(r"TOTP secret of (\S+@\S+): ([A-Z2-7]+)", result.output))
        member = db.session.scalar(sa.select(Member).where(Member.uic == "DEMO-001"))
        referral = db.session.scalar(
            sa.select(Referral).where(Referral.member_id == member.id).limit(1)
        )
        pe = db.session.scalar(sa.select(User).where(User.role == "peer_educator"))
        partner = db.session.scalar(sa.select(User).where(User.role == "clinic_partner"))
        found = {
            "peer_educator": (pe.email, logins[pe.email], None),
            "clinic_partner": (partner.email, logins[partner.email], secrets[partner.email]),
            "member_id": member.id,
            "code": referral.code,
        }
        db.session.remove()
    return found


def pages(demo: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(role, page, path) of every page measured."""
    member, code = demo["member_id"], demo["code"]
    return [
        ("peer_educator", "home (task list)", "/tasks"),
        ("peer_educator", "new referral 1: who", "/referrals/new"),
        ("peer_educator", "new referral 2: what", f"/referrals/new/{member}/what"),
        (
            "peer_educator",
            "new referral 3: where",
            f"/referrals/new/{member}/where?services=hiv_testing&urgency=routine",
        ),
        ("peer_educator", "member page", f"/members/{member}"),
        ("peer_educator", "slip", f"/referrals/{code}/slip"),
        ("peer_educator", "clinic directory", "/clinics"),
        ("clinic_partner", "today at my clinic", "/clinic/today"),
        ("clinic_partner", "confirm a visit", f"/clinic/confirm/{code}"),
    ]


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """The app on a free port of 127.0.0.1 (threaded, HTTP/1.1 keep-alive)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def sign_in(context: Any, base: str, email: str, password: str, secret: str | None) -> None:
    """Through the login form's HTTP requests, outside the page: the browser cache stays empty.
    With a TOTP secret (the clinic partner's, printed by seed-demo) the code step is answered."""
    html = context.request.get(base + "/login").text()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    form = {"email": email, "password": password, "csrf_token": token.group(1) if token else ""}
    response = context.request.post(base + "/login", form=form, max_redirects=0)
    location = response.headers.get("location", "")
    if response.status == 302 and "/login/code" in location and secret:
        response = _answer_code(context, base + location, secret)
    if response.status != 302:
        raise RuntimeError(f"sign-in failed for {email}: {response.status}")


def _answer_code(context: Any, url: str, secret: str) -> Any:
    """The sign-in code step, as an authenticator app would answer it. A code is accepted once,
    so a sign-in soon after another uses the next step's code, or waits for a new one."""
    import time

    import pyotp

    totp = pyotp.TOTP(secret)
    for offset in (0, 1, 0, 1):
        html = context.request.get(url).text()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        once = re.search(r'name="_once" value="([^"]+)"', html)
        code = totp.generate_otp(totp.timecode(time.time()) + offset)
        form = {"code": code, "csrf_token": token.group(1) if token else ""}
        form.update({"_once": once.group(1)} if once else {})
        response = context.request.post(url, form=form, max_redirects=0)
        if response.status == 302:
            return response
        if offset == 1:
            time.sleep(totp.interval - time.time() % totp.interval + 1)  # a new code
    return response


def visit(page: Any, log: NetworkLog, url: str) -> Visit:
    """Navigate, wait for `load` and a quiet network, and read the navigation timing."""
    log.visit = Visit()
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        raise RuntimeError(f"{url}: {response.status if response else 'no response'}")
    page.wait_for_load_state("networkidle")
    timing = page.evaluate(
        "() => { const t = performance.getEntriesByType('navigation')[0];"
        " return [t.domContentLoadedEventEnd, t.loadEventEnd]; }"
    )
    log.visit.dcl_s, log.visit.load_s = timing[0] / 1000, timing[1] / 1000
    return log.visit


def measure(browser: Any, base: str, demo: dict[str, Any]) -> list[dict[str, Any]]:
    """First and repeat visit of every page, each in a fresh context."""
    rows = []
    for role, name, path in pages(demo):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="bn-BD")
        try:
            sign_in(context, base, *demo[role])
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            log = NetworkLog(cdp)
            first = visit(page, log, base + path)
            repeat = visit(page, log, base + path)
        finally:
            context.close()
        rows.append({"role": role, "page": name, "first": asdict(first), "repeat": asdict(repeat)})
        print(
            f"{role:15} {name:24} first {first.kb:6.1f} KB  repeat {repeat.kb:5.1f} KB", flush=True
        )
    return rows


def _ok(row: dict[str, Any]) -> str:
    first, repeat = row["first"], row["repeat"]
    good = (
        first["kb"] <= FIRST_MAX_KB
        and repeat["kb"] <= REPEAT_MAX_KB
        and repeat["revalidations"] == 0
        and first["dcl_s"] <= USABLE_MAX_S
        and repeat["dcl_s"] <= USABLE_MAX_S
    )
    return "yes" if good else "**no**"


def table(rows: list[dict[str, Any]], lang: str) -> str:
    """The Markdown section for bench/README.md."""
    from bench.clinics_search import machine

    lines = [
        "## Pages on a slow 3G phone (`bench/pages.py`)",
        "",
        f"Machine: {machine()}; Debian's Chromium through Playwright, 390x844, pages in "
        f"{'Bangla' if lang == 'bn' else 'English'}; DevTools network conditions 400 kbit/s "
        "down and up, 400 ms round trip; the werkzeug server on 127.0.0.1, SQLite, demo data.",
        f"Targets: first visit <= {FIRST_MAX_KB} KB, repeat visit <= {REPEAT_MAX_KB} KB and no "
        f"revalidation, usable (DOMContentLoaded) <= {USABLE_MAX_S:g} s.",
        "",
        "| role | page | first KB | first requests | usable s | load s | repeat KB | "
        "repeat requests | revalidations | repeat usable s | targets met |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        f, r = row["first"], row["repeat"]
        lines.append(
            f"| {row['role']} | {row['page']} | {f['kb']:.1f} | {f['requests']} | "
            f"{f['dcl_s']:.2f} | {f['load_s']:.2f} | {r['kb']:.1f} | {r['requests']} | "
            f"{r['revalidations']} | {r['dcl_s']:.2f} | {_ok(row)} |"
        )
    lines += [
        "",
        "How: static files (stylesheets, the two Bangla font files, scripts) have content-hashed "
        "URLs and `Cache-Control: public, max-age=31536000, immutable` (core/assets.py), so a "
        "repeat visit fetches the page alone: no revalidation round trip per file. Pages and "
        "JSON are compressed (zstd, brotli or gzip). Every page is signed in, so its HTML is "
        "`no-store` and comes again on each visit: that is the repeat visit's cost. The fonts "
        "are most of a first visit (about 90 KB for the regular and bold weights; the `বাংলা` "
        "button alone makes an English page fetch the regular one).",
        "",
        "Run: `.venv/bin/python -m bench.pages` (about a minute; `--lang en`, `--no-readme`).",
    ]
    return "\n".join(lines)


def make_app(folder: str, lang: str) -> Any:
    """The app on a migrated SQLite file of its own, with the demo users speaking `lang`."""
    from cryptography.fernet import Fernet
    from flask_migrate import upgrade

    sys.path.insert(0, str(ROOT))
    from core import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/pages.db",
            "INSTANCE_PATH": folder,
            "SECRET_KEY": "bench-secret-key",
            "DATA_KEYS": Fernet.generate_key().decode(),
            "INDEX_KEY": "bench-index-key",
            "APP_ENV": "development",
            "SMS_BACKEND": "console",
            "RATELIMIT_ENABLED": False,
            "SCHEDULER_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
    app.config["BENCH_LANG"] = lang
    return app


def _set_language(app: Any, lang: str) -> None:
    import sqlalchemy as sa

    from accounts.models import User
    from core.extensions import db

    with app.app_context():
        db.session.execute(sa.update(User).values(language=lang))
        db.session.commit()
        db.session.remove()


def write_readme(section: str) -> None:
    """Replace this benchmark's section of bench/README.md (or add it)."""
    from bench.clinics_search import ROOT as _root

    path = _root / "bench" / "README.md"
    text = path.read_text()
    block = f"{START}\n{section}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    """Measure every page; print the table; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["bn", "en"], default="bn")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("bench.pages: Playwright is not installed; skipped.")
        return 0
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="harc-pages-") as folder:
        app = make_app(folder, args.lang)
        demo = _demo(app)
        _set_language(app, args.lang)
        with serve(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                rows = measure(browser, base, demo)
            finally:
                browser.close()
    section = table(rows, args.lang)
    print(section)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "pages.json").write_text(json.dumps(rows, indent=2))
    if not args.no_readme:
        write_readme(section)
    return 0 if all(_ok(row) == "yes" for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
