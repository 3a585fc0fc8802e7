"""The loop in a real browser on a 360-pixel phone: three steps, the slip (phone and A6 print),
and the clinic confirming by the code."""

from __future__ import annotations

import re
import shutil
import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from werkzeug.serving import make_server

from core import create_app
from core.extensions import db
from tests.support.browser import pass_code_step, remember_secrets
from tests.support.db import base_config

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The real app (CSRF on) on its own SQLite file with the demo data, on a free port."""
    folder = tmp_path_factory.mktemp("live_referrals")
    config = base_config(f"sqlite:///{folder / 'live.db'}", str(folder / "instance"))
    config.update(WTF_CSRF_ENABLED=True)
    app = create_app(config)
    with app.app_context():
        db.create_all()  # the models as they are now, whatever the migrations' state
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
    remember_secrets(result.output)  # the clinic partner signs in with a code too
    logins = {
        role: (email, password)
        for role, email, password in re.findall(
            r"^\s+(\w+)\s+(\S+@\S+)\s+(\S+)$", result.output, re.M
        )
    }
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app, logins
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def _sign_in(page, base, email, password):
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    pass_code_step(page, email)


def _open_slot(app):
    """The partner's clinic, a service it offers and a time ahead when it is open."""
    from accounts.models import User
    from clinics.services import is_open_at

    with app.app_context():
        partner = db.session.scalar(db.select(User).where(User.role == "clinic_partner"))
        clinic = partner.clinic_id
        from clinics.models import Clinic

        clinic = db.session.get(Clinic, clinic)
        zone = ZoneInfo(app.config["APP_TIMEZONE"])
        day = datetime.now(zone).date() + timedelta(days=2)
        when = datetime.combine(day, time(8), tzinfo=zone)
        while not is_open_at(clinic, when):
            when += timedelta(minutes=30)
        result = clinic.id, clinic.service_codes[0], when
        db.session.remove()
    return result


def test_refer_print_and_confirm_on_a_phone(live, browser):
    app, logins = live
    base = app.config["LIVE_URL"]
    clinic_id, service, when = _open_slot(app)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    _sign_in(page, base, *logins["peer_educator"])
    assert page.url.endswith("/tasks")
    page.click("text=New referral >> nth=0")
    page.fill("input[name=phone]", "01712-345678")
    page.check("input[name=sms_consent]")
    page.click("text=Register and continue")
    assert "/what" in page.url and "345678" not in page.url
    page.check(f"input[name=services][value={service}]")
    page.fill("input[name=day]", when.date().isoformat())
    page.fill("input[name=at]", when.strftime("%H:%M"))
    page.click("text=Next: where")
    page.check(f"input[name=clinic_id][value='{clinic_id}']")
    page.click("text=Make the referral")
    assert "/slip" in page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.locator(".slip-qr svg").count() == 1
    pdf = page.pdf(format="A6", prefer_css_page_size=True, print_background=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # the slip fits one A6 sheet
    page.screenshot(path=str(app.instance_path) + "/slip-phone.png", full_page=True)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 397, "height": 559})  # A6 at 96 dpi
    page.screenshot(path=str(app.instance_path) + "/slip-a6.png")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 360, "height": 740})
    code = page.locator(".slip-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}", code)
    context.close()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US")
    page = context.new_page()
    _sign_in(page, base, *logins["clinic_partner"])
    assert page.url.endswith("/clinic/today")
    page.fill("input[name=code]", code.lower().replace("-", " "))
    page.click("text=Open")
    assert "/clinic/confirm/" in page.url
    assert "345678" not in page.content()
    page.check("input[name=linked_to_care]")
    page.click("text=Confirm the visit")
    assert page.url.endswith("/clinic/today")
    assert page.locator(".flash.success").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
