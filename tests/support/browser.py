"""Browser test helpers: a phone-sized page signed in as a user."""

from __future__ import annotations

from typing import Any

from tests.support.db import PASSWORD

PHONE = {"width": 390, "height": 844}  # the phone: 390 x 844


def signed_in_phone(browser: Any, base: str, email: str, password: str = PASSWORD, **options: Any):
    """(context, page): a new 390-pixel Bangla browser context signed in as `email`.
    `options` go to new_context (e.g. permissions, geolocation, bypass_csp)."""
    context = browser.new_context(viewport=PHONE, locale="bn-BD", **options)
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    return context, page
