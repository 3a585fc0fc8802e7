"""Browser test helpers: a phone-sized page signed in as a user, through both sign-in steps."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pyotp

from tests.support.db import PASSWORD
from tests.support.factories import TOTP_SECRET

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
