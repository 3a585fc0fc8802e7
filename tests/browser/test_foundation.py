"""A new user's first minutes, in a real browser on a phone-sized screen."""

import re

import pytest

from core.extensions import db
from tests.support.browser import pass_code_step, remember_secrets

pytestmark = pytest.mark.browser


def _seed(live_app):
    with live_app.app_context():
        result = live_app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        db.session.remove()
    remember_secrets(result.output)
    logins = dict(re.findall(r"^\s+admin\s+(\S+)\s+(\S+)$", result.output, re.M))
    return next(iter(logins.items()))


def test_admin_signs_in_switches_to_bangla_and_creates_a_peer_educator(live_app, phone):
    email, password = _seed(live_app)
    base = live_app.config["LIVE_URL"]
    phone.goto(base + "/")
    phone.fill("input[name=email]", email)
    phone.fill("input[name=password]", password)
    phone.click("button[type=submit]")
    pass_code_step(phone, email)  # the admin's second factor
    assert phone.url.endswith("/admin")

    phone.click("button[name=lang][value=bn]")
    assert phone.locator("html").get_attribute("lang") == "bn"
    phone.click("a[href='/admin/users']")
    phone.click("a[href='/admin/users/new']")
    phone.fill("input[name=email]", "shapla@example.org")
    phone.fill("input[name=display_name]", "Shapla")
    phone.select_option("select[name=role]", "peer_educator")
    phone.fill("input[name=password]", "tin-roof-mango-42")
    phone.click("form button[type=submit] >> nth=-1")
    assert phone.url.endswith("/admin/users")
    assert phone.locator("table >> text=shapla@example.org").count() == 1
    phone.screenshot(path=str(live_app.instance_path) + "/users.png", full_page=True)

    # Nothing overflows a 360-pixel screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    # The Bangla web font is served from our own origin.
    font = phone.request.get(base + "/static/fonts/noto-sans-bengali-bengali-400-normal.woff2")
    assert font.status == 200


def test_pages_work_without_javascript(live_app, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_app.config["LIVE_URL"] + "/login")
    page.fill("input[name=email]", "nobody@example.org")
    page.fill("input[name=password]", "wrong-password-1")
    page.click("button[type=submit]")
    assert page.locator(".flash.error").count() == 1
    context.close()
