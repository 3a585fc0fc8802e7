"""Two-factor sign-in in a real browser on a phone: an admin with only a password is sent to
enrolment, enrols by reading the key shown on the page into her authenticator (pyotp here),
keeps her recovery codes, signs out, and signs in again with a code. In Bangla, 360 px wide."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
import pytest

from core.extensions import db
from tests.support import factories
from tests.support.db import PASSWORD

pytestmark = pytest.mark.browser


def _submit(page) -> None:
    """Send the page's form and wait for the answer (a click alone may return before the
    browser has even sent the POST, and the next check would read the old page)."""
    with page.expect_navigation():
        page.click("main button[type=submit]")


def _code(secret: str, offset: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.generate_otp(totp.timecode(datetime.now(UTC)) + offset)


def test_an_admin_enrols_signs_out_and_signs_in_with_a_code(live_app, browser):
    with live_app.app_context():
        email = factories.make_user("admin", language="bn", two_factor=False).email
        db.session.remove()
    base = live_app.config["LIVE_URL"]
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="bn-BD")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    _submit(page)
    # Only the enrolment page opens, whatever she asks for.
    assert page.url.endswith("/account/two-factor")
    page.goto(base + "/admin/users")
    assert page.url.endswith("/account/two-factor")
    assert page.locator("html").get_attribute("lang") == "bn"
    assert page.locator(".qr svg").count() == 1  # the QR code, inline (no data: image)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(live_app.instance_path) + "/enrolment.png", full_page=True)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.fill("input[name=code]", _code(secret))
    _submit(page)
    codes = page.locator("ul.recovery-codes li").all_inner_texts()
    assert len(codes) == 10 and all(c.strip() for c in codes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(live_app.instance_path) + "/recovery-codes.png", full_page=True)
    page.click("main a.button")
    page.goto(base + "/admin/users")
    assert page.url.endswith("/admin/users")

    page.locator("header form[action='/logout'] button").click()
    assert "/login" in page.url
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    _submit(page)
    assert "/login/code" in page.url
    page.fill("input[name=code]", _code(secret, 1))  # the enrolment used this step's code
    _submit(page)
    assert "/login" not in page.url
    page.goto(base + "/admin/users")
    assert page.url.endswith("/admin/users")
    context.close()


def test_the_lock_page_works_on_a_small_phone_without_javascript(live_app, browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="bn-BD", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_app.config["LIVE_URL"] + "/lock")
    assert page.locator("html").get_attribute("lang") == "bn"
    page.fill("input[name=email]", "nobody@example.org")
    page.fill("input[name=phrase]", "any phrase at all")
    _submit(page)
    assert page.locator(".flash.success").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
